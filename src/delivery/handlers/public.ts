/** The public endpoints: health (uptime checks), the OpenAPI document, and the built SDK with its kinds chunk. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EngineHealth } from '../engine/types';
import type { ClampCounter } from '../future-clamp';
import openapi from '../openapi.json';
import { fail } from '../pipeline/answer';
import type { Handler } from '../pipeline/run';
import { iso } from './common';

export interface PublicHandlers {
  health: Handler;
  openapi: Handler;
  sdk: Handler;
  sdkKinds: Handler;
}

/** The chunk's file name, beside the SDK. */
export const KINDS_FILE_NAME = 'guidepost-kinds.js';

/**
 * The version in the kinds chunk's URL: the first 16 hex digits of the SHA-256 of its bytes. The SDK's
 * build writes the same into the core (src/sdk/vite.config.ts), so a URL names one content for good.
 */
export function kindsVersion(chunk: Uint8Array): string {
  return createHash('sha256').update(chunk).digest('hex').slice(0, 16);
}

/** What a kinds version looks like (kindsVersion). */
const KINDS_VERSION = /^[0-9a-f]{16}$/;

const javascript = (data: Buffer, cacheControl: string, headers: Record<string, string> = {}) => ({
  status: 200,
  raw: { contentType: 'text/javascript; charset=utf-8', data },
  headers: { 'Cache-Control': cacheControl, 'Cross-Origin-Resource-Policy': 'cross-origin', ...headers },
});

/** What health reports of the node: its database, its message set, and on PostgreSQL its change feed. */
export interface NodeStatus {
  database: EngineHealth;
  /** The loaded message set: its version (the same on every node that loaded the same set), size and load time. */
  messages: { version: string; count: number; loadedAt: number | null };
  /** Whether this node hears the other nodes' changes (null: one node, SQLite). */
  changeFeed: { listening: boolean } | null;
}

/**
 * `sdkFile`: the built SDK served at /sdk/guidepost.js (null: not available), with its kinds chunk
 * beside it served at /sdk/<version>/guidepost-kinds.js; `clamps`: its count goes in health; `status`:
 * the node's database and message set, for health (503 when the database is unreachable or not migrated,
 * so a load balancer takes the node out).
 */
export function createPublicHandlers(sdkFile: string | null | undefined, clamps: ClampCounter, status: () => Promise<NodeStatus>): PublicHandlers {
  return {
    health: async (ctx) => {
      const { database, messages, changeFeed } = await status();
      const ok = database.reachable && database.migrated;
      return {
        status: ok ? 200 : 503,
        body: {
          ok,
          time: iso(ctx.now),
          clampedTimestamps: clamps.clamped,
          database: { engine: database.engine, reachable: database.reachable, migrated: database.migrated, schema: database.schema, problem: database.problem },
          messages: { version: messages.version, count: messages.count, loadedAt: messages.loadedAt === null ? null : iso(messages.loadedAt) },
          changeFeed,
        },
      };
    },
    openapi: () => ({ status: 200, body: openapi }),
    sdk: async () => {
      const missing = fail(404, 'not_found', 'The SDK is not built on this server yet (out/sdk/guidepost.js is missing). Build the SDK and try again.');
      if (!sdkFile) return missing;
      try {
        return javascript(await readFile(sdkFile), 'public, max-age=300');
      } catch {
        return missing;
      }
    },
    // Read and hashed per request, like the SDK: a rebuilt chunk is served at once, under its new version.
    sdkKinds: async (ctx) => {
      const missing = fail(404, 'not_found', `The SDK's kinds chunk is not built on this server (out/sdk/${KINDS_FILE_NAME} is missing). Build the SDK and try again.`);
      if (!sdkFile) return missing;
      let data: Buffer;
      try {
        data = await readFile(join(dirname(sdkFile), KINDS_FILE_NAME));
      } catch {
        return missing;
      }
      const version = kindsVersion(data);
      const asked = String(ctx.params.version);
      if (asked === version) {
        // A version names one content: a year, immutable.
        return javascript(data, 'public, max-age=31536000, immutable');
      }
      if (!KINDS_VERSION.test(asked)) {
        return fail(404, 'not_found', `This server's kinds chunk is version ${version}, not ${asked.slice(0, 64)}: a version is 16 hex digits. Load /sdk/guidepost.js from this server.`);
      }
      // Another build's version: a core cached in the page from before an upgrade (guidepost.js is cached
      // 5 minutes). The current chunk, for 5 minutes only: it works for that core when both speak the same
      // contract, and defines nothing for it otherwise (src/sdk/kinds-entry.ts), so the page never breaks.
      return javascript(data, 'public, max-age=300', { 'X-Guidepost-Kinds-Version': version });
    },
  };
}
