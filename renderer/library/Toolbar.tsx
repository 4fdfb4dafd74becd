import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ColorLabel } from '../../shared/contract/api.js';
import { locales, type LocaleCode } from '../../shared/i18n/index.js';
import { useApp } from '../app/context.js';
import { COLOR_LABELS } from './ColorLabels.js';
import { isFiltered, withoutFilters, type LibraryQuery } from './query.js';

const SEARCH_DEBOUNCE_MS = 200;

export interface AlbumItem {
  id: number;
  name: string;
  count: number;
}

export interface TagItem {
  name: string;
  count: number;
}

/** The top bar: import, search, trash and language. */
export function Toolbar({
  query,
  onQuery,
  onImport,
  importBusy,
}: {
  query: LibraryQuery;
  onQuery: (change: (query: LibraryQuery) => LibraryQuery) => void;
  onImport: (folders: boolean) => void;
  importBusy: boolean;
}) {
  const { t, locale, setLocale } = useApp();
  return (
    <header className="toolbar" data-testid="toolbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        {t('app.name')}
      </div>
      <div className="toolbar-group">
        <button className="button primary" data-testid="import-button" onClick={() => onImport(false)} disabled={importBusy} title={`${t('toolbar.import')} (Ctrl+I)`}>
          {t('toolbar.import')}
        </button>
        <button className="button" data-testid="import-folder-button" onClick={() => onImport(true)} disabled={importBusy}>
          {t('toolbar.importFolder')}
        </button>
      </div>
      <SearchBox value={query.search ?? ''} onSearch={(search) => onQuery((q) => ({ ...q, search: search || undefined }))} />
      <div className="toolbar-spacer" />
      <button
        className={'button toggle' + (query.trashed ? ' active' : '')}
        aria-pressed={query.trashed}
        data-testid="trash-toggle"
        onClick={() => onQuery((q) => ({ ...withoutFilters(q), trashed: !q.trashed }))}
      >
        <span className="icon-trash" aria-hidden="true" />
        {t('toolbar.trash')}
      </button>
      <label className="select-label">
        <span className="visually-hidden">{t('app.language')}</span>
        <select
          className="select"
          data-testid="language-select"
          value={locale}
          title={t('app.language')}
          onChange={(event) => setLocale(event.target.value as LocaleCode)}
        >
          {locales.map((option) => (
            <option key={option.code} value={option.code} lang={option.code}>
              {option.name}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}

/** Types freely; tells the parent 200 ms after the last key. Follows outside resets. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (search: string) => void }) {
  const { t } = useApp();
  const [text, setText] = useState(value);
  const sent = useRef(value);
  const latest = useRef(onSearch);
  useEffect(() => {
    latest.current = onSearch;
  });

  useEffect(() => {
    // A reset from outside (clear filters, trash view) replaces what is typed.
    if (value !== sent.current) {
      sent.current = value;
      setText(value);
    }
  }, [value]);

  useEffect(() => {
    const trimmed = text.trim();
    if (trimmed === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = trimmed;
      latest.current(trimmed);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <div className="search">
      <span className="icon-search" aria-hidden="true" />
      <input
        type="search"
        className="search-input"
        data-testid="search-input"
        placeholder={t('toolbar.search')}
        aria-label={t('toolbar.search')}
        value={text}
        maxLength={500}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            if (text) setText('');
            else event.currentTarget.blur();
          }
        }}
      />
    </div>
  );
}

/** The row above the grid: sort and filters, and the trash actions when in the trash. */
export function FilterBar({
  query,
  onQuery,
  albums,
  tags,
  countText,
  selectionCount,
  onRestore,
  onEmptyTrash,
  actions,
}: {
  query: LibraryQuery;
  onQuery: (change: (query: LibraryQuery) => LibraryQuery) => void;
  albums: AlbumItem[];
  tags: TagItem[];
  countText: string;
  selectionCount: number;
  onRestore: () => void;
  onEmptyTrash: () => void;
  /** Buttons acting on the selection (edit, export), shown before the count. */
  actions?: ReactNode;
}) {
  const { t } = useApp();
  const tagMissing = query.tag !== undefined && !tags.some((tag) => tag.name === query.tag);
  return (
    <div className="filter-bar" data-testid="filter-bar">
      <label className="field">
        <span>{t('toolbar.sort')}</span>
        <select
          className="select"
          data-testid="sort-select"
          value={query.sort}
          onChange={(event) => onQuery((q) => ({ ...q, sort: event.target.value as LibraryQuery['sort'] }))}
        >
          <option value="takenAt">{t('sort.takenAt')}</option>
          <option value="importedAt">{t('sort.importedAt')}</option>
          <option value="fileName">{t('sort.fileName')}</option>
        </select>
      </label>
      <button
        className="button icon-button"
        data-testid="order-toggle"
        data-order={query.order}
        title={t(query.order === 'asc' ? 'toolbar.order.asc' : 'toolbar.order.desc')}
        aria-label={t(query.order === 'asc' ? 'toolbar.order.asc' : 'toolbar.order.desc')}
        onClick={() => onQuery((q) => ({ ...q, order: q.order === 'asc' ? 'desc' : 'asc' }))}
      >
        {query.order === 'asc' ? '↑' : '↓'}
      </button>
      <span className="filter-divider" aria-hidden="true" />
      <select
        className={'select' + (query.minRating !== undefined ? ' engaged' : '')}
        data-testid="filter-rating"
        aria-label={t('toolbar.minRating')}
        title={t('toolbar.minRating')}
        value={query.minRating ?? ''}
        onChange={(event) => onQuery((q) => ({ ...q, minRating: event.target.value === '' ? undefined : Number(event.target.value) }))}
      >
        <option value="">{t('toolbar.anyRating')}</option>
        {[1, 2, 3, 4, 5].map((n) => (
          <option key={n} value={n}>
            {t('toolbar.ratingAtLeast', { n })}
          </option>
        ))}
      </select>
      <select
        className={'select' + (query.colorLabel !== undefined ? ' engaged' : '')}
        data-testid="filter-label"
        aria-label={t('toolbar.colorLabel')}
        title={t('toolbar.colorLabel')}
        value={query.colorLabel ?? ''}
        onChange={(event) => onQuery((q) => ({ ...q, colorLabel: (event.target.value || undefined) as ColorLabel | undefined }))}
      >
        <option value="">{t('toolbar.anyLabel')}</option>
        {COLOR_LABELS.map((label) => (
          <option key={label} value={label}>
            {t(`label.${label}`)}
          </option>
        ))}
      </select>
      <select
        className={'select' + (query.tag !== undefined ? ' engaged' : '')}
        data-testid="filter-tag"
        aria-label={t('toolbar.tag')}
        title={t('toolbar.tag')}
        value={query.tag ?? ''}
        onChange={(event) => onQuery((q) => ({ ...q, tag: event.target.value || undefined }))}
      >
        <option value="">{t('toolbar.anyTag')}</option>
        {tagMissing && <option value={query.tag}>{query.tag}</option>}
        {tags.map((tag) => (
          <option key={tag.name} value={tag.name}>
            {tag.name}
          </option>
        ))}
      </select>
      <select
        className={'select' + (query.albumId !== undefined ? ' engaged' : '')}
        data-testid="filter-album"
        aria-label={t('toolbar.album')}
        title={t('toolbar.album')}
        value={query.albumId ?? ''}
        onChange={(event) => onQuery((q) => ({ ...q, albumId: event.target.value === '' ? undefined : Number(event.target.value) }))}
      >
        <option value="">{t('toolbar.anyAlbum')}</option>
        {albums.map((album) => (
          <option key={album.id} value={album.id}>
            {album.name}
          </option>
        ))}
      </select>
      {isFiltered(query) && (
        <button className="button link" data-testid="clear-filters" onClick={() => onQuery(withoutFilters)}>
          {t('toolbar.clearFilters')}
        </button>
      )}
      <div className="toolbar-spacer" />
      {query.trashed && (
        <div className="toolbar-group">
          <button className="button" data-testid="restore-button" disabled={selectionCount === 0} onClick={onRestore}>
            {t('toolbar.restore')}
          </button>
          <button className="button danger" data-testid="empty-trash-button" onClick={onEmptyTrash}>
            {t('toolbar.emptyTrash')}
          </button>
        </div>
      )}
      {actions}
      <span className="count" data-testid="photo-count">
        {countText}
      </span>
    </div>
  );
}
