/**
 * The preload: exposes one named function per contract method on window.api, plus an event
 * subscription. There is no generic invoke: the renderer can reach exactly the contract's channels.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { ipcChannels, methodNames, type PushedEvent, type WindowApi } from '../shared/contract';

const api: Record<string, unknown> = {};
for (const name of methodNames) {
  // Each method resolves to the envelope; src/renderer/lib/api.ts unwraps it into a value or an ApiError.
  api[name] = (arg: unknown) => ipcRenderer.invoke(ipcChannels.method(name), arg);
}
api.onEvent = (listener: (event: PushedEvent) => void) => {
  const handler = (_event: IpcRendererEvent, payload: PushedEvent): void => listener(payload);
  ipcRenderer.on(ipcChannels.event, handler);
  return () => ipcRenderer.removeListener(ipcChannels.event, handler);
};

api.pathForFile = (file: File) => webUtils.getPathForFile(file);
api.showInFolder = (path: string) => ipcRenderer.invoke(ipcChannels.showInFolder, path);

contextBridge.exposeInMainWorld('api', api as unknown as WindowApi);
