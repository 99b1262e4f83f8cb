/**
 * The Electron main process: one instance, one secure window, the contract bound to IPC, and the
 * database in a worker thread. Everything with logic lives in testable modules beside this one.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, nativeTheme, safeStorage, screen, session, shell } from 'electron';
import { ipcChannels } from '../../shared/contract';
import { RENDERER_CSP } from '../../shared/csp';
import { DbWorkerClient } from '../worker/worker-client';
import { appUrlMatcher, bindIpc, bindShowInFolder } from './ipc';
import { exportsFolderFor } from '../paths';
import { launchTargetIn, openRequestFor, parseLink, type LaunchTarget } from '../launch-target';
import { isAllowedNavigation, isSafeExternalUrl } from './navigation';
import { TokenVault, withTokenVault, type TokenCipher } from './token-vault';
import { mainWindowOptions, sanitizeBounds } from './window-options';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const isAppUrl = appUrlMatcher(pathToFileURL(rendererIndex).href, devServerUrl);
const windows = new Set<BrowserWindow>();
let worker: DbWorkerClient | null = null;
/** What the app was asked to open before the window could show it (a link or bundle at launch). */
let pendingOpen: LaunchTarget | null = launchTargetIn(process.argv);

/** Brings the window forward and tells it what to open; a bundle is imported first, by the worker. */
function openTarget(target: LaunchTarget | null): void {
  if (!target) return;
  const [win] = windows;
  if (!worker || !win) {
    pendingOpen = target;
    return;
  }
  if (win.isMinimized()) win.restore();
  win.focus();
  const client = worker;
  void openRequestFor(target, (method, arg) => client.call(method, arg)).then((payload) =>
    win.webContents.send(ipcChannels.event, { name: 'open', payload }),
  );
}

/** A better_sqlite3.node built for this Electron's ABI by `npm start`'s prestart step. */
function electronNativeBinding(): string | undefined {
  const candidates = [
    join(app.getAppPath(), 'native', `electron-${process.versions.electron}`, 'better_sqlite3.node'),
    join(process.resourcesPath, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
  ];
  return candidates.find((path) => existsSync(path));
}

function dbPath(): string {
  const flag = process.argv.find((arg) => arg.startsWith('--db='));
  return flag?.slice('--db='.length) ?? process.env.GUIDEPOST_DB ?? join(app.getPath('userData'), 'guidepost.db');
}

const boundsFile = (): string => join(app.getPath('userData'), 'window-state.json');

function loadBounds(): ReturnType<typeof sanitizeBounds> {
  let saved: unknown = null;
  try {
    saved = JSON.parse(readFileSync(boundsFile(), 'utf8'));
  } catch {
    // First start, or an unreadable file: the default size will do.
  }
  return sanitizeBounds(saved, screen.getAllDisplays().map((d) => d.workArea));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    ...mainWindowOptions(join(here, '../preload/index.cjs'), loadBounds(), nativeTheme.shouldUseDarkColors),
    // resources/icon-256.png, copied beside the renderer's index.html by the build.
    icon: join(here, '../renderer/icon-256.png'),
  });
  windows.add(win);
  win.on('close', () => {
    try {
      writeFileSync(boundsFile(), JSON.stringify(win.getNormalBounds()));
    } catch {
      // Remembering the size is a courtesy; failing to is not worth an error.
    }
  });
  win.on('closed', () => windows.delete(win));
  win.once('ready-to-show', () => win.show());
  win.webContents.once('did-finish-load', () => {
    const target = pendingOpen;
    pendingOpen = null;
    openTarget(target);
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, isAppUrl)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererIndex);
  return win;
}

async function start(): Promise<void> {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const nativeBinding = electronNativeBinding();
  // Delivery tokens and warehouse passwords: encrypted with safeStorage on disk, decrypted here, held in memory by the worker.
  const vault = new TokenVault(join(app.getPath('userData'), 'delivery-tokens.json'), safeStorageCipher());
  const protection = await vault.protection();
  if (protection === 'memory-only') {
    console.warn(
      'Guidepost: safeStorage uses the basic_text backend (no keyring found; its key is hard-coded), so tokens and passwords ' +
        'are kept in memory for this run only and never saved. Install and unlock a keyring (GNOME Keyring, KWallet) to save them.',
    );
  }
  const loaded = await vault.load();
  const started = await DbWorkerClient.start(new URL('./db-worker.js', import.meta.url), {
    dbPath: dbPath(),
    ...(nativeBinding ? { nativeBinding } : {}),
    tokens: loaded.tokens,
    tokenOrigins: loaded.origins,
    tokenStorage: protection === 'encrypted' ? 'safe-storage' : 'memory',
    warehousePasswords: await vault.loadWarehousePasswords(),
  });
  worker = started.client;
  worker.onEvent((event) => {
    for (const win of windows) win.webContents.send(ipcChannels.event, event);
  });
  const trust = { windowIds: () => [...windows].map((w) => w.webContents.id), isAppUrl };
  bindIpc(ipcMain, trust, withTokenVault(vault, (method, arg) => started.client.call(method, arg)));
  bindShowInFolder(ipcMain, trust, exportsFolderFor(started.path), (path) => shell.showItemInFolder(path));
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );
  createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  if (!process.defaultApp) app.setAsDefaultProtocolClient('guidepost');
  app.on('second-instance', (_event, argv) => {
    const [win] = windows;
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    openTarget(launchTargetIn(argv));
  });
  // macOS hands files and links to the running app as events rather than argv.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (path.toLowerCase().endsWith('.guidepost')) openTarget({ kind: 'bundle', path });
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openTarget(parseLink(url));
  });
  app.whenReady().then(start, (err: unknown) => {
    console.error(err);
    app.quit();
  });
  app.on('activate', () => {
    if (windows.size === 0 && worker) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void worker?.close();
  });
}

/**
 * safeStorage as the token vault's cipher: the asynchronous API where this Electron has it (the
 * synchronous one is deprecated since Electron 45), the synchronous one otherwise.
 */
function safeStorageCipher(): TokenCipher {
  const hasAsync = typeof safeStorage.isAsyncEncryptionAvailable === 'function';
  return {
    isEncryptionAvailable: () => (hasAsync ? safeStorage.isAsyncEncryptionAvailable() : Promise.resolve(safeStorage.isEncryptionAvailable())),
    storageBackend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null),
    encryptString: (plain) => (hasAsync ? safeStorage.encryptStringAsync(plain) : Promise.resolve(safeStorage.encryptString(plain))),
    decryptString: async (encrypted) => (hasAsync ? (await safeStorage.decryptStringAsync(encrypted)).result : safeStorage.decryptString(encrypted)),
  };
}
