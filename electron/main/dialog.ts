import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';

/** Extensions offered by the open dialog; the import itself decides what it can read. */
export const PHOTO_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif', 'gif', 'heic', 'heif'];

/** The native dialog for picking photos, or folders of photos. */
export function openDialogOptions(folders: boolean): OpenDialogOptions {
  if (folders) {
    return { title: 'Import folders', buttonLabel: 'Import', properties: ['openDirectory', 'multiSelections'] };
  }
  return {
    title: 'Import photos',
    buttonLabel: 'Import',
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'Images', extensions: PHOTO_EXTENSIONS },
      { name: 'All files', extensions: ['*'] },
    ],
  };
}

/**
 * What the services call for `dialog.openPhotos`: shows the dialog over the window when there is
 * one and answers the chosen paths, or none when the user cancels.
 */
export function createPhotosDialog(
  dialog: Pick<Dialog, 'showOpenDialog'>,
  getWindow: () => BrowserWindow | null,
): (folders: boolean) => Promise<string[]> {
  return async (folders) => {
    const window = getWindow();
    const options = openDialogOptions(folders);
    const result = window && !window.isDestroyed()
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  };
}
