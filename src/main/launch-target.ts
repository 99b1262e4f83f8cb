/**
 * What the app was asked to open: a `.guidepost` workshop bundle (double-clicked, or dropped on the
 * icon) or a `guidepost://workshop/<id>`, `guidepost://segment/<id>` or `guidepost://message/<id>`
 * link. Parsed here, without Electron, so the rules are unit-tested; main.ts only feeds it argv and
 * the macOS open-file / open-url events, and forwards the result to the window.
 */
import type { Envelope } from '../shared/errors';
import { MESSAGE_ID_PATTERN } from '../shared/messages/model';
import type { BundlePreview, OpenRequest } from '../shared/types';

export type LaunchTarget = { kind: 'bundle'; path: string } | { kind: 'link'; area: OpenRequest['area']; id: string };

const AREAS: Readonly<Record<string, OpenRequest['area']>> = { workshop: 'workshops', segment: 'segments', message: 'messages' };
// The widest id any of the three may have (message ids); each area's own lookup refuses ids it cannot hold.
const ID = MESSAGE_ID_PATTERN;

/** A guidepost:// link, or null when the text is not one we understand (nothing else is acted on). */
export function parseLink(text: string): LaunchTarget | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'guidepost:') return null;
  // guidepost://workshop/w1 puts "workshop" in the host; guidepost:workshop/w1 in the path. Take both.
  const parts = [url.hostname, ...url.pathname.split('/')].filter((p) => p !== '').map((p) => decodeURIComponent(p));
  if (parts.length !== 2) return null;
  const area = AREAS[(parts[0] as string).toLowerCase()];
  const id = parts[1] as string;
  return area && ID.test(id) ? { kind: 'link', area, id } : null;
}

/** The last argument that is a link or a bundle path (the OS appends them after the app's own flags). */
export function launchTargetIn(argv: readonly string[]): LaunchTarget | null {
  for (let i = argv.length - 1; i >= 1; i -= 1) {
    const arg = argv[i] as string;
    if (arg.startsWith('-')) continue;
    if (arg.toLowerCase().startsWith('guidepost:')) return parseLink(arg);
    if (arg.toLowerCase().endsWith('.guidepost')) return { kind: 'bundle', path: arg };
  }
  return null;
}

/**
 * What the window should show: a link as it is; a bundle read and checked through the contract (so a
 * damaged one is refused before anything is shown), with what it holds, for the user to confirm: a
 * double-click never imports anything by itself. Or the reason it was refused.
 */
export async function openRequestFor(target: LaunchTarget, call: (method: string, arg: unknown) => Promise<Envelope<unknown>>): Promise<OpenRequest> {
  if (target.kind === 'link') return { area: target.area, id: target.id };
  const answer = await call('previewWorkshopBundle', { path: target.path });
  if (answer.ok) return { area: 'workshops', id: null, bundle: answer.value as BundlePreview };
  return { area: 'workshops', id: null, message: `Could not open ${target.path}: ${answer.error.message}` };
}
