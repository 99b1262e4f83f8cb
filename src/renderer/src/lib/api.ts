/**
 * The renderer's one way to the backend. In the Electron window it uses window.api from the
 * preload; in browser mode it talks to the loopback bridge with the token from the URL fragment.
 * Either way callers get the contract's typed methods, which resolve to values or throw ApiError.
 */
import {
  methodNames,
  type Api,
  type EnvelopeApi,
  type MethodName,
  type PushedEvent,
} from '../../../shared/contract';
import { ApiError, unwrap, type Envelope } from '../../../shared/errors';
import { saveBlob } from './download';

type Listener = (event: PushedEvent) => void;

interface Transport {
  kind: 'ipc' | 'bridge';
  /** Turns a file the user picked into a path the backend can read: its own path, or an upload's. */
  fileForImport(file: File): Promise<string>;
  call(method: MethodName, arg: unknown): Promise<Envelope<unknown>>;
  onEvent(listener: Listener): () => void;
  /** The desktop app: reveal an exported file in the file manager. */
  showInFolder?(path: string): Promise<void>;
  /** Browser mode: save an exported file through the browser's downloads. */
  download?(path: string): Promise<void>;
}

function ipcTransport(windowApi: NonNullable<Window['api']>): Transport {
  const methods = windowApi as unknown as Record<MethodName, (arg: unknown) => Promise<Envelope<unknown>>>;
  return {
    kind: 'ipc',
    fileForImport: async (file) => windowApi.pathForFile(file),
    call: (method, arg) => methods[method](arg),
    onEvent: (listener) => windowApi.onEvent(listener),
    showInFolder: async (path) => {
      unwrap(await windowApi.showInFolder(path));
    },
  };
}

/** The per-run token `npm run web` printed, carried in the URL fragment (never sent to a server, never stored). */
function bridgeToken(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

function bridgeTransport(): Transport {
  const token = bridgeToken();
  const listeners = new Set<Listener>();
  const headers = { Authorization: `Bearer ${token}` };

  const connect = async (): Promise<void> => {
    for (;;) {
      try {
        const res = await fetch('/api/events', { headers });
        if (!res.ok || !res.body) throw new Error(`events stream answered ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            if (line) for (const listener of listeners) listener(JSON.parse(line) as PushedEvent);
            newline = buffer.indexOf('\n');
          }
        }
      } catch {
        // The bridge restarted or the stream broke: try again shortly.
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  // Started by the first listener, not at load: the bridge tells the first stream what the app was
  // launched to open, and that must reach a listener, not a page still mounting.
  let connected = false;

  return {
    kind: 'bridge',
    fileForImport: async (file) => {
      const res = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/octet-stream' },
        body: file,
      });
      return unwrap((await res.json()) as Envelope<{ path: string }>).path;
    },
    call: async (method, arg) => {
      let res: Response;
      try {
        res = await fetch(`/api/call/${method}`, {
          method: 'POST',
          headers: { ...headers, 'Content-Type': 'application/json' },
          body: JSON.stringify(arg ?? {}),
        });
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: `The Guidepost backend is not reachable: ${(err as Error).message}` } };
      }
      return (await res.json()) as Envelope<unknown>;
    },
    download: async (path) => {
      // Fetched with the token in a header and saved from a Blob: a plain link would need the token in
      // its URL, where history, logs and the downloads list keep it.
      const res = await fetch(`/api/download?path=${encodeURIComponent(path)}`, { headers });
      if (!res.ok) unwrap((await res.json()) as Envelope<unknown>);
      saveBlob(baseName(path), await res.blob());
    },
    onEvent: (listener) => {
      listeners.add(listener);
      if (!connected) {
        connected = true;
        // After the listeners the same render subscribes: React runs a commit's effects in one go.
        queueMicrotask(() => void connect());
      }
      return () => listeners.delete(listener);
    },
  };
}

const transport: Transport = window.api ? ipcTransport(window.api) : bridgeTransport();

export const transportKind = transport.kind;

/** The contract's methods, answering with envelopes (for code that wants to show errors inline). */
export const envelopeApi = Object.fromEntries(
  methodNames.map((name) => [name, (arg: unknown) => transport.call(name, arg)]),
) as unknown as EnvelopeApi;

/** The contract's methods, resolving to values and throwing ApiError. */
export const api = Object.fromEntries(
  methodNames.map((name) => [name, async (arg: unknown) => unwrap(await transport.call(name, arg))]),
) as unknown as Api;

/**
 * What can be done with an exported file here: in the desktop app, show it in its folder; in browser
 * mode, download it (the page and the files may be on different sides of a loopback bridge, and a
 * browser cannot open a folder).
 */
export const exportedFiles = {
  canShowInFolder: transport.showInFolder !== undefined,
  canDownload: transport.download !== undefined,
  showInFolder: (path: string): Promise<void> => transport.showInFolder?.(path) ?? Promise.resolve(),
  download: (path: string): Promise<void> => transport.download?.(path) ?? Promise.resolve(),
};

/** Server-side paths of the files picked in this session, with the names the user knows them by. */
const pickedNames = new Map<string, string>();

const baseName = (path: string): string => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/** Turns a file the user picked or dropped into the path startImport takes (uploading it in browser mode). */
export async function fileForImport(file: File): Promise<string> {
  const path = await transport.fileForImport(file);
  pickedNames.set(path, file.name);
  return path;
}

/** The name to show for an imported file's path: the name it was picked by, else the path's last part. */
export function fileLabel(path: string): string {
  return pickedNames.get(path) ?? baseName(path);
}

/**
 * A backend sentence with the paths of picked files replaced by their names. In browser mode those
 * paths point into the bridge's upload folder, which means nothing to the person who picked the file.
 */
export function withFileNames(text: string): string {
  let out = text;
  for (const [path, name] of pickedNames) {
    out = out.split(path).join(name);
    const base = baseName(path);
    if (base !== name) out = out.split(base).join(name);
  }
  return out;
}

export const onBackendEvent = (listener: Listener): (() => void) => transport.onEvent(listener);

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
