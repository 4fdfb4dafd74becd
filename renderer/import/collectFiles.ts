/**
 * Turns what the person gave us (a drop, a file input) into files with relative names such as
 * "trip/day 1/a.jpg". Folders are walked recursively with the File System Entry API.
 */

export interface PickedFile {
  file: File;
  /** The name relative to what was dropped or picked, with `/` between folders. */
  name: string;
}

export interface UnreadableFile {
  name: string;
  reason: string;
}

export interface CollectedFiles {
  files: PickedFile[];
  unreadable: UnreadableFile[];
}

/**
 * Takes the entries out of a drop. Must be called during the drop event itself: the browser
 * empties the DataTransfer afterwards. The walk over folders then runs asynchronously.
 */
export function collectDropped(dataTransfer: DataTransfer, onFound?: (count: number) => void): Promise<CollectedFiles> {
  const roots: Array<FileSystemEntry | File> = [];
  for (const item of Array.from(dataTransfer.items)) {
    if (item.kind !== 'file') continue;
    // Synthetic drops (and some platforms) give no entry; the plain file still works.
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) {
      roots.push(entry);
    } else {
      const file = item.getAsFile();
      if (file) roots.push(file);
    }
  }
  if (roots.length === 0) roots.push(...Array.from(dataTransfer.files));
  return walk(roots, onFound);
}

/** Files from an `<input type=file>`, keeping the folder path of a `webkitdirectory` pick. */
export function collectInput(list: FileList | null): PickedFile[] {
  return Array.from(list ?? [])
    .filter((file) => !isHiddenPath(file.webkitRelativePath))
    .map((file) => ({ file, name: file.webkitRelativePath || file.name }));
}

/** Whether a transfer carries files from outside (not, say, photos dragged onto an album). */
export function carriesFiles(dataTransfer: DataTransfer | null): boolean {
  return !!dataTransfer && Array.from(dataTransfer.types).includes('Files');
}

async function walk(roots: Array<FileSystemEntry | File>, onFound?: (count: number) => void): Promise<CollectedFiles> {
  const out: CollectedFiles = { files: [], unreadable: [] };
  const found = () => onFound?.(out.files.length);
  for (const root of roots) {
    if (root instanceof File) {
      out.files.push({ file: root, name: root.name });
      found();
    } else {
      await walkEntry(root, out, found, true);
    }
  }
  return out;
}

async function walkEntry(entry: FileSystemEntry, out: CollectedFiles, found: () => void, isRoot: boolean): Promise<void> {
  const name = entry.fullPath.replace(/^\/+/, '') || entry.name;
  // Skip .DS_Store, ._AppleDouble files and hidden folders inside a dropped folder.
  if (!isRoot && entry.name.startsWith('.')) return;
  if (isFileEntry(entry)) {
    try {
      const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
      out.files.push({ file, name });
      found();
    } catch (error) {
      out.unreadable.push({ name, reason: describe(error) });
    }
  } else if (isDirectoryEntry(entry)) {
    let children: FileSystemEntry[];
    try {
      children = await readAll(entry.createReader());
    } catch (error) {
      out.unreadable.push({ name, reason: describe(error) });
      return;
    }
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) await walkEntry(child, out, found, false);
  }
}

/** readEntries answers in batches (100 in Chromium) until it answers an empty one. */
async function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function isFileEntry(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectoryEntry(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

function isHiddenPath(path: string): boolean {
  return path.split('/').some((part, i) => i > 0 && part.startsWith('.'));
}

function describe(error: unknown): string {
  if (error instanceof DOMException || error instanceof Error) return error.message || error.name;
  return String(error);
}
