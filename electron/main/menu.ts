import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** File ▸ Import…: pick photos and start an import. */
  importPhotos(): void;
}

/**
 * The application menu. Standard roles give the platform's own Edit menu (copy and paste in
 * text fields need it on macOS) and window handling; developer tools only outside a package.
 */
export function menuTemplate(options: {
  platform: NodeJS.Platform;
  appName: string;
  isPackaged: boolean;
  actions: MenuActions;
}): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ label: options.appName, role: 'appMenu' });
  template.push({
    label: 'File',
    submenu: [
      { id: 'import', label: 'Import…', accelerator: 'CmdOrCtrl+I', click: () => options.actions.importPhotos() },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({ role: 'editMenu' });
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (!options.isPackaged) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  template.push({ label: 'View', submenu: view });
  template.push({ role: 'windowMenu' });
  return template;
}
