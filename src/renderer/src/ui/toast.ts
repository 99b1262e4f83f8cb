/**
 * Toasts: short notes in the corner that dismiss themselves. Any screen raises one with `toast()`;
 * the shell renders them. A tiny store of its own, so raising one needs nothing of the shell.
 */
import { create } from 'zustand';

export type ToastTone = 'info' | 'success' | 'error';

export interface ToastAction {
  label: string;
  run(): void;
}

export interface Toast {
  id: number;
  tone: ToastTone;
  text: string;
  /** One follow-up, such as opening the report of the job the toast is about, or Undo. */
  action?: ToastAction;
}

interface ToastState {
  toasts: Toast[];
}

/**
 * Errors and toasts with an action stay longer: there is something to read or to do. Both are short
 * enough not to sit over a screen for long; they stack in the bottom-right corner and close with ×.
 */
const LONG_MS = 8000;
const SHORT_MS = 4000;

let nextId = 1;

export const useToasts = create<ToastState>(() => ({ toasts: [] }));

export function dismissToast(id: number): void {
  useToasts.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

/** Shows a toast; it goes by itself after a few seconds. */
export function toast(tone: ToastTone, text: string, action?: ToastAction): void {
  const id = nextId++;
  useToasts.setState((s) => ({ toasts: [...s.toasts, { id, tone, text, ...(action ? { action } : {}) }] }));
  setTimeout(() => dismissToast(id), tone === 'error' || action ? LONG_MS : SHORT_MS);
}
