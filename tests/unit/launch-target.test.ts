import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/main/api';
import { launchTargetIn, openRequestFor, parseLink } from '../../src/main/launch-target';
import { dispatch } from '../../src/shared/dispatch';
import { useTempCache } from './helpers';

const tempCache = useTempCache();

describe('guidepost:// links and .guidepost bundles from the OS', () => {
  it('reads workshop, segment and message links, in both URL shapes', () => {
    expect(parseLink('guidepost://workshop/w-1')).toEqual({ kind: 'link', area: 'workshops', id: 'w-1' });
    expect(parseLink('guidepost://Segment/seg_2/')).toEqual({ kind: 'link', area: 'segments', id: 'seg_2' });
    expect(parseLink('guidepost:message/nps.q3')).toEqual({ kind: 'link', area: 'messages', id: 'nps.q3' });
  });

  it('ignores anything else: other schemes, unknown kinds, extra parts, unsafe ids', () => {
    for (const text of [
      'https://workshop/w1',
      'guidepost://settings/x',
      'guidepost://workshop',
      'guidepost://workshop/w1/extra',
      'guidepost://workshop/..%2F..%2Fetc',
      'guidepost://workshop/%3Cscript%3E',
      'not a url',
    ]) {
      expect(parseLink(text), text).toBeNull();
    }
  });

  it('finds the link or bundle the OS appended to argv, skipping the app and its flags', () => {
    expect(launchTargetIn(['/opt/Guidepost/guidepost', '--db=/tmp/x.db', '/home/a/Handout.GUIDEPOST'])).toEqual({ kind: 'bundle', path: '/home/a/Handout.GUIDEPOST' });
    expect(launchTargetIn(['guidepost', '--flag', 'guidepost://message/m1'])).toEqual({ kind: 'link', area: 'messages', id: 'm1' });
    expect(launchTargetIn(['guidepost', '--db=/tmp/x.db'])).toBeNull();
    // argv[0] is the app itself, never a target.
    expect(launchTargetIn(['/tmp/evil.guidepost'])).toBeNull();
  });

  it('a bundle is read and shown for confirmation, never imported by opening it; a damaged one says why and adds nothing', async () => {
    const { db, path, dir } = tempCache();
    const backend = createBackend({ db, path, outbox: { autoStart: false } });
    const call = (method: string, arg: unknown) => dispatch(backend.handlers, method, arg);
    const w = await backend.handlers.createWorkshop({ title: 'Acme kickoff', template: 'personas' });
    const file = join(dir, 'acme.guidepost');
    writeFileSync(file, '{"kind": "guidepost-workshop", "format": 1, "workshop": {"title": 42}}');
    const [bundlePath] = await backend.exportWorkshopTo(w.id, 'bundle', join(dir, 'out'));
    await backend.handlers.deleteWorkshop({ id: w.id });

    const before = (await backend.handlers.listWorkshops({})).length;
    const opened = await openRequestFor({ kind: 'bundle', path: bundlePath as string }, call);
    expect(opened).toEqual({
      area: 'workshops',
      id: null,
      bundle: {
        path: bundlePath,
        fileName: basename(bundlePath as string),
        title: 'Acme kickoff',
        account: '',
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown as string,
        participants: 0,
        personas: [],
        segments: 0,
        alreadyHere: false,
      },
    });
    // Nothing was imported: that waits for the user's yes (importWorkshopBundle).
    expect((await backend.handlers.listWorkshops({})).length).toBe(before);
    const { id } = await backend.handlers.importWorkshopBundle({ path: bundlePath as string });
    expect(id).toBe(w.id);
    // Opened again, the bundle says the workshop is already here (an import would add a copy).
    expect((await openRequestFor({ kind: 'bundle', path: bundlePath as string }, call)).bundle?.alreadyHere).toBe(true);

    const refused = await openRequestFor({ kind: 'bundle', path: file }, call);
    expect(refused.id).toBeNull();
    expect(refused.message).toMatch(/^Could not open .*acme\.guidepost: /);
    expect((await backend.handlers.listWorkshops({})).length).toBe(before + 1);

    expect(await openRequestFor({ kind: 'link', area: 'segments', id: 's1' }, call)).toEqual({ area: 'segments', id: 's1' });
    backend.close();
  });
});
