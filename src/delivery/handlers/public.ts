/** The public endpoints: health (uptime checks), the OpenAPI document, and the built SDK. */
import { readFile } from 'node:fs/promises';
import type { ClampCounter } from '../future-clamp';
import openapi from '../openapi.json';
import { fail } from '../pipeline/answer';
import type { Handler } from '../pipeline/run';
import { iso } from './common';

export interface PublicHandlers {
  health: Handler;
  openapi: Handler;
  sdk: Handler;
}

/** `sdkFile`: the built SDK served at /sdk/guidepost.js (null: not available); `clamps`: its count goes in health. */
export function createPublicHandlers(sdkFile: string | null | undefined, clamps: ClampCounter): PublicHandlers {
  return {
    health: (ctx) => ({ status: 200, body: { ok: true, time: iso(ctx.now), clampedTimestamps: clamps.clamped } }),
    openapi: () => ({ status: 200, body: openapi }),
    sdk: async () => {
      const missing = fail(404, 'not_found', 'The SDK is not built on this server yet (out/sdk/guidepost.js is missing). Build the SDK and try again.');
      if (!sdkFile) return missing;
      try {
        const data = await readFile(sdkFile);
        return {
          status: 200,
          raw: { contentType: 'text/javascript; charset=utf-8', data },
          headers: { 'Cache-Control': 'public, max-age=300', 'Cross-Origin-Resource-Policy': 'cross-origin' },
        };
      } catch {
        return missing;
      }
    },
  };
}
