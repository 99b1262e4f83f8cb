import { personaColorVar } from './doc';

/** The persona's colour, the same in every chart and table of the workshop. */
export function PersonaSwatch({ index }: { index: number }) {
  return <span className="swatch" aria-hidden="true" style={{ background: `var(${personaColorVar(index)})` }} />;
}
