/** The few DOM and content helpers the core and the kinds chunk each carry (small enough to ship twice). */

export type Content = Record<string, unknown>;

export const obj = (value: unknown): Content => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Content) : {});

/** Authored text, or the default when it is missing, empty or not a string. */
export const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value.trim() ? value.slice(0, 1000) : fallback);

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, content?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content) node.textContent = content;
  return node;
}
