/**
 * Binds the contract to ipcMain.handle, against a small IpcMainLike interface so unit tests can
 * drive it without Electron. Calls from a sender that is not one of the app's own windows, or from
 * a frame not showing the app's own page, are dropped; every argument is validated with zod.
 */
import { z } from 'zod';
import { ipcChannels, methodNames } from '../../shared/contract';
import { validateCall } from '../../shared/dispatch';
import { toErrorData, type Envelope } from '../../shared/errors';
import { fileInside } from '../paths';

export interface IpcSenderLike {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface TrustPolicy {
  /** webContents ids of the app's own windows. */
  windowIds(): Iterable<number>;
  /** Whether a frame URL is the app's own page (file:// in production, the dev server in development). */
  isAppUrl(url: string): boolean;
}

export function isTrustedSender(event: IpcSenderLike, policy: TrustPolicy): boolean {
  const known = [...policy.windowIds()].includes(event.sender.id);
  const frameUrl = event.senderFrame?.url;
  return known && typeof frameUrl === 'string' && policy.isAppUrl(frameUrl);
}

/** Page URLs the app serves: its own index.html on disk, or the dev server's origin. */
export function appUrlMatcher(rendererFileUrl: string, devServerUrl?: string): (url: string) => boolean {
  const devOrigin = devServerUrl === undefined ? null : new URL(devServerUrl).origin;
  return (url) => {
    const withoutHash = url.split('#')[0] ?? '';
    if (withoutHash === rendererFileUrl) return true;
    if (devOrigin === null) return false;
    try {
      // Compare origins, not prefixes: http://localhost:5173.evil.example is not the dev server.
      return new URL(url).origin === devOrigin;
    } catch {
      return false;
    }
  };
}

export function bindIpc(
  ipc: IpcMainLike,
  policy: TrustPolicy,
  call: (method: string, arg: unknown) => Promise<Envelope<unknown>>,
): () => void {
  for (const name of methodNames) {
    ipc.handle(ipcChannels.method(name), async (event, arg) => {
      if (!isTrustedSender(event, policy)) {
        return { ok: false, error: { code: 'forbidden', message: 'Call refused: it did not come from a Guidepost window.' } } satisfies Envelope<never>;
      }
      try {
        const valid = validateCall(name, arg);
        return await call(valid.name, valid.arg);
      } catch (err) {
        return { ok: false, error: toErrorData(err) } satisfies Envelope<never>;
      }
    });
  }
  return () => {
    for (const name of methodNames) ipc.removeHandler(ipcChannels.method(name));
  };
}

const showInFolderArg = z.string().min(1).max(4096);

/**
 * "Show in folder" for an exported file: from the app's own windows only, the argument a string, and
 * the file a regular one inside `exportsRoot`, so a page cannot make the desktop reveal any other path.
 * `show` is shell.showItemInFolder in the app.
 */
export function bindShowInFolder(ipc: IpcMainLike, policy: TrustPolicy, exportsRoot: string, show: (path: string) => void): () => void {
  ipc.handle(ipcChannels.showInFolder, async (event, arg) => {
    if (!isTrustedSender(event, policy)) {
      return { ok: false, error: { code: 'forbidden', message: 'Call refused: it did not come from a Guidepost window.' } } satisfies Envelope<never>;
    }
    const parsed = showInFolderArg.safeParse(arg);
    const file = parsed.success ? fileInside(exportsRoot, parsed.data) : null;
    if (!file) {
      return {
        ok: false,
        error: { code: 'invalid_argument', message: `Not an exported file: ${parsed.success ? `"${parsed.data}"` : 'the path must be a string'}. Only files in the exports folder can be shown.` },
      } satisfies Envelope<never>;
    }
    show(file);
    return { ok: true, value: null } satisfies Envelope<null>;
  });
  return () => ipc.removeHandler(ipcChannels.showInFolder);
}
