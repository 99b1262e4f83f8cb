/**
 * The kinds chunk's entry (vite.kinds.config.ts builds out/sdk/guidepost-kinds.js from here): what the
 * core's loader reads from `window.guidepostKinds` (index.ts, loadKinds), for a core this chunk can
 * work with only.
 *
 * The delivery server answers a chunk URL whose version it does not know (the core cached in a page
 * comes from the build before an upgrade) with its current chunk (handlers/public.ts), so the chunk
 * itself decides whether it fits the core that loaded it: it reads the core's renderer from the global
 * `guidepostCore` (callToAction, drawModal, drawNps, renderFrame, renderMarkdown, thankYou, with the
 * signatures of render.ts) and hands back renderAnyMessage with the signature index.ts calls. That pair is
 * the contract, numbered KINDS_CONTRACT. A change to it that an older core or chunk cannot follow bumps
 * the number here and sets `contract: <n>` in the object index.ts puts in `guidepostCore` (a core without
 * it speaks contract 1). A chunk given a core of another contract defines no renderAnyMessage: the core
 * then shows nothing this time (as with a failed load) and a reloaded page gets the matching pair.
 */
import { renderAnyMessage as renderAny } from './kinds';

export const KINDS_CONTRACT = 1;

/** The contract of the core that loaded this chunk: 1 when it names none (every core built before the number). */
export function coreContract(core: unknown): unknown {
  return (core as { contract?: unknown } | undefined)?.contract ?? 1;
}

export const renderAnyMessage = coreContract((globalThis as { guidepostCore?: unknown }).guidepostCore) === KINDS_CONTRACT ? renderAny : undefined;
