/**
 * Moves the keyboard focus once React has drawn what an action just changed: a row just added, the
 * button that comes back after an edit is cancelled, a field on a tab just opened. `target` is a CSS
 * selector, or a function that finds the element then (a ref's current, getElementById).
 */
export function focusLater(target: string | (() => HTMLElement | null | undefined)): void {
  setTimeout(() => {
    const element = typeof target === 'string' ? document.querySelector<HTMLElement>(target) : target();
    element?.focus();
  }, 0);
}
