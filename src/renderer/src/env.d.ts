/// <reference types="vite/client" />
import type { WindowApi } from '../../shared/contract';

declare global {
  interface Window {
    /** Present in the Electron window (from the preload); absent in browser mode. */
    api?: WindowApi;
  }
}
