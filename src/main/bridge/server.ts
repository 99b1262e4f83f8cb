/**
 * The loopback HTTP bridge of browser mode: serves the built renderer and the same API the Electron
 * window gets over IPC. 127.0.0.1 only; a random per-run token; Host and Origin checked; bodies
 * validated against the contract before they reach the backend; pushed events streamed as NDJSON.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import type { PushedEvent } from '../../shared/contract';
import { RENDERER_CSP } from '../../shared/csp';
import { validateCall } from '../../shared/dispatch';
import { toErrorData, type Envelope } from '../../shared/errors';
import { fileInside } from '../paths';
import { isAllowedHost, isAllowedOrigin, tokenMatches } from './guards';

export interface BridgeOptions {
  /** 0 picks a free port. */
  port: number;
  /** Folder of the built renderer (out/renderer); omit to serve the API only. */
  staticDir?: string;
  token?: string;
  /**
   * Folder for files the browser uploads to import (a browser cannot hand over a path). Without it,
   * uploads are refused.
   */
  uploadDir?: string;
  /**
   * The folder whose files the page may download (the cache's exports folder): GET /api/download?path=…
   * with the token in the Authorization header, like every /api/ request. Without it, downloads are refused.
   */
  downloadRoot?: string;
  call(method: string, arg: unknown): Promise<Envelope<unknown>>;
  onEvent(listener: (event: PushedEvent) => void): () => void;
  /**
   * What the page is told as soon as it first listens for events: what the app was launched to open
   * (a bundle or a link on the command line), as the desktop app tells its window once it has loaded.
   */
  firstEvent?: () => Promise<PushedEvent | null>;
}

export interface RunningBridge {
  url: string;
  /** The URL to open: the token travels in the fragment, which browsers never send to a server. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_048_576;
const MAX_UPLOAD_BYTES = 4 * 1073741824;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.woff2': 'font/woff2',
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  send(res, status, { ok: false, error: { code: status === 404 ? 'not_found' : 'forbidden', message } });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`The request body is larger than ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticRoot = options.staticDir ? resolve(options.staticDir) : null;
  let port = options.port;
  const streams = new Set<ServerResponse>();
  /** Told once, to the first page that listens (see BridgeOptions.firstEvent). */
  let firstEvent = options.firstEvent;

  const serveStatic = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (!staticRoot || (req.method !== 'GET' && req.method !== 'HEAD')) {
      refuse(res, 404, 'Not found.');
      return;
    }
    let relative: string;
    try {
      relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    } catch {
      refuse(res, 404, 'Not found.');
      return;
    }
    const file = normalize(join(staticRoot, relative));
    if (!file.startsWith(staticRoot + sep)) {
      refuse(res, 404, 'Not found.');
      return;
    }
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      refuse(res, 404, 'Not found.');
      return;
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'Content-Security-Policy': RENDERER_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  /** Streams an uploaded file to the upload folder and answers with its path, for startImport. */
  const receiveUpload = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!options.uploadDir) {
      refuse(res, 404, 'This server does not take uploads.');
      return;
    }
    const name = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('name') ?? 'upload';
    const safeName = basename(name).replace(/[^\w.-]+/g, '_').slice(-120) || 'upload';
    // A folder of its own per upload keeps the file's own name, which reports and messages then show.
    const folder = join(options.uploadDir, randomBytes(6).toString('hex'));
    mkdirSync(folder);
    const target = join(folder, safeName);
    let size = 0;
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > MAX_UPLOAD_BYTES) done(new Error(`The file is larger than ${MAX_UPLOAD_BYTES / 1073741824} GB.`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(req, limiter, createWriteStream(target));
      send(res, 200, { ok: true, value: { path: target, bytes: size } });
    } catch (err) {
      rmSync(target, { force: true });
      send(res, 413, { ok: false, error: { code: 'invalid_argument', message: (err as Error).message } });
    }
  };

  /**
   * Sends an exported file as an attachment. The page fetches it with the token in a header and saves
   * the Blob itself, so the token never goes into a URL (history, logs, a link the browser follows).
   */
  const sendDownload = (req: IncomingMessage, res: ServerResponse): void => {
    const asked = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('path') ?? '';
    const file = options.downloadRoot ? fileInside(options.downloadRoot, asked) : null;
    if (!file) {
      refuse(res, 404, `No exported file at "${asked}": only files in the exports folder can be downloaded.`);
      return;
    }
    const name = basename(file);
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      // The RFC 5987 form carries any name; the plain one is the ASCII fallback.
      'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    createReadStream(file).pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isAllowedHost(req.headers.host, port)) {
      refuse(res, 403, 'Browser mode answers only requests addressed to 127.0.0.1 or localhost on its own port.');
      return;
    }
    if (!isAllowedOrigin(req.headers.origin, port)) {
      refuse(res, 403, 'Requests from other origins are refused.');
      return;
    }
    const pathname = new URL(req.url ?? '/', `http://127.0.0.1:${port}`).pathname;
    if (!pathname.startsWith('/api/')) {
      serveStatic(req, res, pathname);
      return;
    }
    if (!tokenMatches(req.headers.authorization, token)) {
      refuse(res, 401, 'Missing or wrong bridge token. Open the URL that `npm run web` printed.');
      return;
    }
    if (pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, {
        'Content-Type': 'application/x-ndjson; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.write('\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      const first = firstEvent;
      firstEvent = undefined;
      if (first) {
        const event = await first();
        if (event && !res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
      }
      return;
    }
    if (pathname === '/api/download' && req.method === 'GET') {
      sendDownload(req, res);
      return;
    }
    if (pathname === '/api/upload' && req.method === 'POST') {
      await receiveUpload(req, res);
      return;
    }
    const match = /^\/api\/call\/([A-Za-z]+)$/.exec(pathname);
    if (!match || req.method !== 'POST') {
      refuse(res, 404, 'Unknown bridge endpoint.');
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      send(res, 415, { ok: false, error: { code: 'invalid_argument', message: 'Send the argument as application/json.' } });
      return;
    }
    let arg: unknown;
    try {
      const text = await readBody(req);
      arg = text.trim() === '' ? {} : JSON.parse(text);
    } catch (err) {
      send(res, 400, { ok: false, error: { code: 'invalid_argument', message: `The request body is not valid JSON: ${(err as Error).message}` } });
      return;
    }
    try {
      const call = validateCall(match[1], arg);
      send(res, 200, await options.call(call.name, call.arg));
    } catch (err) {
      send(res, 400, { ok: false, error: toErrorData(err) });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: toErrorData(err) });
      else res.end();
    });
  });
  const unsubscribe = options.onEvent((event) => {
    const line = `${JSON.stringify(event)}\n`;
    for (const stream of streams) stream.write(line);
  });

  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : options.port;
      const url = `http://127.0.0.1:${port}/`;
      resolveStart({
        url,
        openUrl: `${url}#token=${token}`,
        port,
        token,
        close: () =>
          new Promise<void>((done) => {
            unsubscribe();
            for (const stream of streams) stream.end();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
