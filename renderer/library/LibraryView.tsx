import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type DragEvent, type MouseEvent } from 'react';
import { StartSessionButton } from '../sessions/StartSessionButton.js';
import type { ColorLabel, PhotoSummary } from '../../shared/contract/api.js';
import { errorMessage, useApp, useHostEvent } from '../app/context.js';
import { ExportDialog } from '../editor/ExportDialog.js';
import { carriesFiles, collectDropped, collectInput } from '../import/collectFiles.js';
import { ImportPanel } from '../import/ImportPanel.js';
import { useImporter } from '../import/useImporter.js';
import { LABEL_KEYS } from './ColorLabels.js';
import { Grid, PHOTO_DRAG_TYPE } from './Grid.js';
import { InfoPanel } from './InfoPanel.js';
import { PhotoPager } from './pager.js';
import { Preview } from './Preview.js';
import { DEFAULT_QUERY, isFiltered, withoutFilters, type LibraryQuery } from './query.js';
import { NO_SELECTION, selectOne, type Selection } from './selection.js';
import { Sidebar } from './Sidebar.js';
import { FilterBar, Toolbar, type AlbumItem, type TagItem } from './Toolbar.js';

/** Library events arrive in bursts during an import; reload at most once per this interval. */
const REFRESH_DEBOUNCE_MS = 120;
/** The contract takes at most this many ids per call. */
const MAX_SELECTION = 100_000;

const noSubscribe = () => () => {};
const zero = () => 0;

export interface LibraryViewProps {
  /** Opens the editor on a photo (the E key, the Edit button). */
  onEdit?: (photoId: number) => void;
}

/** The library window: toolbar, sidebar, the grid, the info panel, preview and import. */
export function LibraryView({ onEdit }: LibraryViewProps = {}) {
  const app = useApp();
  const { client, bridge, t, tn, toast, attempt, confirm } = app;

  const [query, setQuery] = useState<LibraryQuery>(DEFAULT_QUERY);
  const queryKey = JSON.stringify(query);
  const [pager, setPager] = useState<PhotoPager | null>(null);
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);
  const [previewIndex, setPreviewIndex] = useState<number | null>(null);
  const [scrollRequest, setScrollRequest] = useState<{ index: number; seq: number } | null>(null);
  const [libraryVersion, setLibraryVersion] = useState(0);
  const [albums, setAlbums] = useState<AlbumItem[]>([]);
  const [tags, setTags] = useState<TagItem[]>([]);
  const [dragDepth, setDragDepth] = useState(0);
  const [batchExport, setBatchExport] = useState<{ projectIds: number[]; skipped: number } | null>(null);
  const columns = useRef(1);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  // One pager per query, made in an effect so StrictMode's double run cannot reuse a disposed one.
  useEffect(() => {
    const current = JSON.parse(queryKey) as LibraryQuery;
    const next = new PhotoPager(
      (offset, limit) => client.call('photos.list', { ...current, offset, limit }),
      (error) => toast({ kind: 'error', text: errorMessage(error) }),
      () => client.call('photos.count', current),
    );
    setPager(next);
    setSelection(NO_SELECTION);
    setPreviewIndex(null);
    void next.start();
    return () => next.dispose();
  }, [client, queryKey, toast]);

  const revision = useSyncExternalStore(pager?.subscribe ?? noSubscribe, pager?.getRevision ?? zero);
  const total = pager?.total ?? null;

  // Keep the latest values reachable from long-lived handlers (keys, timers, events).
  const state = useRef({ pager, selection, previewIndex, query, total });
  useEffect(() => {
    state.current = { pager, selection, previewIndex, query, total };
  });

  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = useCallback(() => {
    // Throttled, not debounced: a long import sends events all the time and the grid must still fill in.
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      void state.current.pager?.invalidate();
      setLibraryVersion((version) => version + 1);
    }, REFRESH_DEBOUNCE_MS);
  }, []);
  useEffect(() => () => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
  }, []);

  useHostEvent((event) => {
    if (event.type === 'library.changed') refresh();
  });

  useEffect(() => {
    let live = true;
    void Promise.all([client.call('albums.list', {}), client.call('tags.list', {})]).then(
      ([albumList, tagList]) => {
        if (!live) return;
        setAlbums(albumList);
        setTags(tagList);
      },
      (error: unknown) => {
        if (live) toast({ kind: 'error', text: errorMessage(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [client, libraryVersion, toast]);

  // A preview or focus past the end (after trashing the last photos) moves back inside.
  useEffect(() => {
    if (total === null) return;
    if (previewIndex !== null && previewIndex >= total) setPreviewIndex(total > 0 ? total - 1 : null);
  }, [total, previewIndex]);

  const importer = useImporter({
    bridge,
    client,
    onFinished: refresh,
    busyMessage: () => t('import.busy'),
    uploadFailedReason: (reason) => t('import.uploadFailed', { reason }),
    onBusy: (message) => toast({ kind: 'info', text: message }),
  });

  // ---- actions on the selection -------------------------------------------------------------

  const changeQuery = useCallback((change: (query: LibraryQuery) => LibraryQuery) => setQuery((q) => change(q)), []);

  const setRating = useCallback(
    async (rating: number) => {
      const ids = [...state.current.selection.ids];
      if (ids.length === 0) return;
      state.current.pager?.patch(new Set(ids), { rating });
      await attempt(client.call('photos.setRating', { ids, rating }));
      refresh();
    },
    [attempt, client, refresh],
  );

  const setColorLabel = useCallback(
    async (colorLabel: ColorLabel | null) => {
      const ids = [...state.current.selection.ids];
      if (ids.length === 0) return;
      state.current.pager?.patch(new Set(ids), { colorLabel });
      await attempt(client.call('photos.setColorLabel', { ids, colorLabel }));
      refresh();
    },
    [attempt, client, refresh],
  );

  /** Keys 6–9 toggle: pressing the label every selected photo already has removes it. */
  const toggleColorLabel = useCallback(
    (label: ColorLabel) => {
      const { pager: current, selection: selected } = state.current;
      const all = [...selected.ids].every((id) => {
        const index = current?.indexOf(id) ?? -1;
        return index >= 0 && current?.get(index)?.colorLabel === label;
      });
      void setColorLabel(all ? null : label);
    },
    [setColorLabel],
  );

  const restore = useCallback(
    async (ids: number[]) => {
      if (ids.length === 0) return;
      if ((await attempt(client.call('photos.restore', { ids }))) === undefined) return;
      toast({ kind: 'info', text: tn('trash.restored', ids.length) });
      refresh();
    },
    [attempt, client, refresh, tn, toast],
  );

  const trashSelection = useCallback(async () => {
    const { selection: selected, query: current } = state.current;
    const ids = [...selected.ids];
    if (ids.length === 0 || current.trashed) return;
    if ((await attempt(client.call('photos.trash', { ids }))) === undefined) return;
    setSelection((s) => ({ ...NO_SELECTION, focus: s.focus, anchor: s.focus }));
    toast({
      kind: 'info',
      text: tn('trash.moved', ids.length),
      action: { label: t('trash.undo'), run: () => void restore(ids) },
      timeoutMs: 10_000,
    });
    refresh();
  }, [attempt, client, refresh, restore, t, tn, toast]);

  const restoreSelection = useCallback(async () => {
    const ids = [...state.current.selection.ids];
    setSelection(NO_SELECTION);
    await restore(ids);
  }, [restore]);

  const emptyTrash = useCallback(async () => {
    if (!(await confirm(t('trash.emptyConfirm'), t('toolbar.emptyTrash')))) return;
    const result = await attempt(client.call('trash.empty', {}));
    if (!result) return;
    setSelection(NO_SELECTION);
    toast({ kind: 'info', text: tn('trash.emptied', result.deleted) });
    refresh();
  }, [attempt, client, confirm, refresh, t, tn, toast]);

  /** Opens the editor on the photo in the preview, else the primary selected one. */
  const editSelection = useCallback(() => {
    const { selection: selected, previewIndex: previewing, pager: current } = state.current;
    const shown = previewing !== null ? current?.get(previewing) : undefined;
    const photoId = shown?.id ?? selected.primaryId;
    if (photoId !== null && photoId !== undefined && onEdit) onEdit(photoId);
  }, [onEdit]);

  /** Exports the most recent project of every selected photo that has one. */
  const exportSelection = useCallback(async () => {
    const ids = [...state.current.selection.ids];
    if (ids.length === 0) return;
    const projects = await attempt(client.call('projects.list', {}));
    if (!projects) return;
    const latest = new Map<number, number>();
    for (const project of projects) if (!latest.has(project.photoId)) latest.set(project.photoId, project.id);
    const projectIds = ids.flatMap((id) => (latest.has(id) ? [latest.get(id)!] : []));
    if (projectIds.length === 0) {
      toast({ kind: 'info', text: t('export.none') });
      return;
    }
    setBatchExport({ projectIds, skipped: ids.length - projectIds.length });
  }, [attempt, client, t, toast]);

  // ---- selection and focus ------------------------------------------------------------------

  const moveTo = useCallback(async (target: number, extend: boolean) => {
    const { pager: current, total: count, selection: selected } = state.current;
    if (!current || !count) return;
    const index = Math.max(0, Math.min(count - 1, target));
    const photo = current.get(index) ?? (await current.ensure(index));
    if (!photo) return;
    if (extend && selected.anchor !== null) {
      const anchor = selected.anchor;
      const ids = await current.idsInRange(anchor, index);
      setSelection({ ids: new Set(ids), focus: index, anchor, primaryId: photo.id });
    } else {
      setSelection(selectOne(photo.id, index));
    }
    setScrollRequest((previous) => ({ index, seq: (previous?.seq ?? 0) + 1 }));
    if (state.current.previewIndex !== null) setPreviewIndex(index);
  }, []);

  const onCellClick = useCallback(async (index: number, photo: PhotoSummary, event: MouseEvent) => {
    const { pager: current, selection: selected } = state.current;
    const toggle = event.ctrlKey || event.metaKey;
    if (event.shiftKey && selected.anchor !== null && current) {
      const anchor = selected.anchor;
      const range = await current.idsInRange(anchor, index);
      const ids = toggle ? new Set([...selected.ids, ...range]) : new Set(range);
      setSelection({ ids, focus: index, anchor, primaryId: photo.id });
    } else if (toggle) {
      const ids = new Set(selected.ids);
      if (ids.has(photo.id)) ids.delete(photo.id);
      else ids.add(photo.id);
      const primaryId = ids.has(photo.id) ? photo.id : (ids.values().next().value ?? null);
      setSelection({ ids, focus: index, anchor: index, primaryId });
    } else {
      setSelection(selectOne(photo.id, index));
    }
  }, []);

  /** Ctrl/Cmd+A: every photo of the view, up to the most one call may change at once. */
  const selectAll = useCallback(async () => {
    const { pager: current, total: count } = state.current;
    if (!current || !count) return;
    const ids = await current.idsInRange(0, Math.min(count, MAX_SELECTION) - 1);
    const first = ids[0];
    if (first === undefined) return;
    setSelection((s) => ({ ids: new Set(ids), focus: s.focus ?? 0, anchor: 0, primaryId: s.primaryId ?? first }));
  }, []);

  const openPreview = useCallback((index: number) => {
    const { pager: current } = state.current;
    const photo = current?.get(index);
    if (photo) setSelection(selectOne(photo.id, index));
    setPreviewIndex(index);
  }, []);

  const onCellDragStart = useCallback((photo: PhotoSummary, event: DragEvent) => {
    const { selection: selected } = state.current;
    let ids = [...selected.ids];
    if (!selected.ids.has(photo.id)) {
      const index = state.current.pager?.indexOf(photo.id) ?? -1;
      setSelection(selectOne(photo.id, Math.max(0, index)));
      ids = [photo.id];
    }
    event.dataTransfer.setData(PHOTO_DRAG_TYPE, JSON.stringify(ids));
    event.dataTransfer.effectAllowed = 'copy';
  }, []);

  const onColumns = useCallback((count: number) => {
    columns.current = count;
  }, []);

  // ---- import -------------------------------------------------------------------------------

  const openImport = useCallback(
    async (folders: boolean) => {
      if (importer.busy) {
        toast({ kind: 'info', text: t('import.busy') });
        return;
      }
      if (bridge.host === 'electron') {
        const paths = await attempt(client.call('dialog.openPhotos', { folders }));
        if (paths && paths.length > 0) importer.importPaths(paths);
      } else {
        (folders ? folderInput : fileInput).current?.click();
      }
    },
    [attempt, bridge.host, client, importer, t, toast],
  );

  useEffect(() => {
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);

  function onDrop(event: DragEvent) {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    setDragDepth(0);
    const { pathForFile } = bridge;
    if (pathForFile) {
      const paths = Array.from(event.dataTransfer.files)
        .map((file) => pathForFile(file))
        .filter(Boolean);
      importer.importPaths(paths);
    } else {
      importer.importFiles(collectDropped(event.dataTransfer, importer.reportCollecting));
    }
  }

  // A file dropped beside the drop zone must not make the browser navigate away to it.
  useEffect(() => {
    const stop = (event: globalThis.DragEvent) => {
      if (carriesFiles(event.dataTransfer)) event.preventDefault();
    };
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);

  // ---- keyboard -----------------------------------------------------------------------------

  const onKey = useRef<(event: KeyboardEvent) => void>(() => {});
  useEffect(() => {
    onKey.current = (event: KeyboardEvent) => {
      const { selection: selected, previewIndex: previewing, total: count } = state.current;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'i') {
        event.preventDefault();
        void openImport(false);
        return;
      }
      if (event.defaultPrevented || document.querySelector('[data-modal], [data-menu]')) return;
      const target = event.target instanceof HTMLElement ? event.target : null;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      if (target?.tagName === 'BUTTON' && (event.key === 'Enter' || event.key === ' ')) return;
      if (mod && !event.altKey && event.key.toLowerCase() === 'a') {
        event.preventDefault();
        void selectAll();
        return;
      }
      if (mod || event.altKey) return;

      // In the preview, keys act on the photo shown (it can change under a kept index after a trash).
      if (previewing !== null) {
        const shown = state.current.pager?.get(previewing);
        if (shown && (selected.ids.size !== 1 || !selected.ids.has(shown.id))) {
          const only = selectOne(shown.id, previewing);
          state.current.selection = only;
          setSelection(only);
        }
      }
      const focus = previewing ?? selected.focus ?? -1;
      const key = event.key;
      let handled = true;
      if (/^[0-5]$/.test(key)) void setRating(Number(key));
      else if (LABEL_KEYS[key]) toggleColorLabel(LABEL_KEYS[key]);
      else if (key === 'Delete' || key === 'Backspace') void trashSelection();
      else if (key === 'ArrowRight') void moveTo(focus + 1, event.shiftKey && previewing === null);
      else if (key === 'ArrowLeft') void moveTo(focus < 0 ? 0 : focus - 1, event.shiftKey && previewing === null);
      else if (key === 'ArrowDown' && previewing === null) void moveTo(focus < 0 ? 0 : focus + columns.current, event.shiftKey);
      else if (key === 'ArrowUp' && previewing === null) void moveTo(focus < 0 ? 0 : focus - columns.current, event.shiftKey);
      else if (key === 'Home' && previewing === null) void moveTo(0, event.shiftKey);
      else if (key === 'End' && previewing === null) void moveTo((count ?? 1) - 1, event.shiftKey);
      else if (key === 'Enter' && previewing === null && count) openPreview(Math.max(0, focus));
      else if ((key === 'e' || key === 'E') && onEdit && (previewing !== null || selected.primaryId !== null)) editSelection();
      else if (key === 'Escape') {
        if (previewing !== null) setPreviewIndex(null);
        else if (selected.ids.size > 0) setSelection((s) => ({ ...NO_SELECTION, focus: s.focus, anchor: s.focus }));
        else handled = false;
      } else handled = false;
      if (handled) event.preventDefault();
    };
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey.current(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  // ---- render -------------------------------------------------------------------------------

  const primaryIndex = selection.primaryId === null ? -1 : (pager?.indexOf(selection.primaryId) ?? -1);
  const primary = primaryIndex >= 0 ? pager?.get(primaryIndex) : undefined;
  const previewPhoto = previewIndex === null ? undefined : pager?.get(previewIndex);
  useEffect(() => {
    if (previewIndex !== null && !previewPhoto) void pager?.ensure(previewIndex);
  }, [pager, previewIndex, previewPhoto]);

  // An estimated total sizes the grid but is not shown as a number; the count follows in a moment.
  const countText =
    total === null || !pager?.totalIsExact
      ? ''
      : tn(query.trashed ? 'grid.countTrash' : 'grid.count', total) +
        (selection.ids.size > 0 ? ` · ${t('grid.selected', { n: selection.ids.size })}` : '');

  const empty = pager?.error ? (
    <div className="grid-empty" data-testid="grid-error">
      <h2>{t('app.loadFailed')}</h2>
      <p className="muted">{errorMessage(pager.error)}</p>
      <button className="button primary" onClick={() => void pager.retry()}>
        {t('app.retry')}
      </button>
    </div>
  ) : query.trashed && !isFiltered(query) ? (
    <div className="grid-empty" data-testid="grid-empty">
      <div className="empty-icon icon-trash" aria-hidden="true" />
      <h2>{t('grid.emptyTrash')}</h2>
      <p className="muted">{t('grid.emptyTrashHint')}</p>
    </div>
  ) : isFiltered(query) ? (
    <div className="grid-empty" data-testid="grid-empty">
      <h2>{t('grid.emptyFiltered')}</h2>
      <p className="muted">{t('grid.emptyFilteredHint')}</p>
      <button className="button" onClick={() => changeQuery(withoutFilters)}>
        {t('toolbar.clearFilters')}
      </button>
    </div>
  ) : (
    <div className="grid-empty" data-testid="grid-empty">
      <div className="empty-icon icon-import" aria-hidden="true" />
      <h2>{t('grid.emptyLibrary')}</h2>
      <p className="muted">{t('grid.emptyLibraryHint')}</p>
      <button className="button primary" onClick={() => void openImport(false)}>
        {t('toolbar.import')}
      </button>
    </div>
  );

  return (
    <div
      className="library"
      data-testid="library"
      data-locale={app.locale}
      onDragEnter={(event) => {
        if (carriesFiles(event.dataTransfer)) setDragDepth((depth) => depth + 1);
      }}
      onDragLeave={(event) => {
        if (carriesFiles(event.dataTransfer)) setDragDepth((depth) => Math.max(0, depth - 1));
      }}
      onDragOver={(event) => {
        if (carriesFiles(event.dataTransfer)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={onDrop}
    >
      <Toolbar query={query} onQuery={changeQuery} onImport={(folders) => void openImport(folders)} importBusy={importer.busy} />
      <div className="library-body">
        <Sidebar query={query} onQuery={changeQuery} albums={albums} tags={tags} selectedIds={selection.ids} onChanged={refresh} />
        <main className="library-main">
          <FilterBar
            query={query}
            onQuery={changeQuery}
            albums={albums}
            tags={tags}
            countText={countText}
            selectionCount={selection.ids.size}
            onRestore={() => void restoreSelection()}
            onEmptyTrash={() => void emptyTrash()}
            actions={
              !query.trashed && selection.ids.size > 0 ? (
                <div className="toolbar-group">
                  {onEdit && (
                    <button className="button small primary" data-testid="edit-button" disabled={selection.primaryId === null} onClick={editSelection} title={t('library.editHint')}>
                      {t('library.edit')}
                    </button>
                  )}
                  <button className="button small" data-testid="export-selection" onClick={() => void exportSelection()}>
                    {t('library.export', { n: selection.ids.size })}
                  </button>
                  <StartSessionButton photoIds={[...selection.ids]} className="button small" />
                </div>
              ) : null
            }
          />
          <Grid
            pager={pager}
            revision={revision}
            selection={selection}
            scrollRequest={scrollRequest}
            empty={empty}
            onColumns={onColumns}
            onCellClick={(index, photo, event) => void onCellClick(index, photo, event)}
            onCellOpen={openPreview}
            onCellDragStart={onCellDragStart}
          />
          <footer className="status-bar">
            <span className="muted small">{t('grid.shortcuts')}</span>
          </footer>
        </main>
        <InfoPanel
          selectedIds={selection.ids}
          primaryId={selection.primaryId}
          primary={primary}
          libraryVersion={libraryVersion}
          onRate={(rating) => void setRating(rating)}
          onLabel={(label) => void setColorLabel(label)}
          onChanged={refresh}
        />
      </div>
      {previewIndex !== null && total !== null && total > 0 && (
        <Preview
          photo={previewPhoto}
          index={previewIndex}
          total={total}
          libraryVersion={libraryVersion}
          onClose={() => setPreviewIndex(null)}
          onStep={(delta) => void moveTo(previewIndex + delta, false)}
        />
      )}
      <ImportPanel importer={importer} />
      {batchExport && (
        <ExportDialog
          projectIds={batchExport.projectIds}
          skipped={batchExport.skipped}
          title={tn('export.titleMany', batchExport.projectIds.length)}
          onClose={() => setBatchExport(null)}
        />
      )}
      {dragDepth > 0 && (
        <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
          <div className="drop-card">
            <div className="empty-icon icon-import" />
            {t('import.dropHint')}
          </div>
        </div>
      )}
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        data-testid="import-file-input"
        onChange={(event) => {
          const files = collectInput(event.currentTarget.files);
          event.currentTarget.value = '';
          if (files.length) importer.importFiles({ files, unreadable: [] });
        }}
      />
      <input
        ref={folderInput}
        type="file"
        multiple
        hidden
        data-testid="import-folder-input"
        onChange={(event) => {
          const files = collectInput(event.currentTarget.files);
          event.currentTarget.value = '';
          if (files.length) importer.importFiles({ files, unreadable: [] });
        }}
      />
    </div>
  );
}
