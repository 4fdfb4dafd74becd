import { useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { useApp } from '../app/context.js';
import { PHOTO_DRAG_TYPE } from './Grid.js';
import { isFiltered, withoutFilters, type LibraryQuery } from './query.js';
import type { AlbumItem, TagItem } from './Toolbar.js';

export interface SidebarProps {
  query: LibraryQuery;
  onQuery: (change: (query: LibraryQuery) => LibraryQuery) => void;
  albums: AlbumItem[];
  tags: TagItem[];
  selectedIds: ReadonlySet<number>;
  /** Something about albums changed here; reload the lists. */
  onChanged: () => void;
}

/** Library views, albums (a drop target for selected photos) and tags. */
export function Sidebar({ query, onQuery, albums, tags, selectedIds, onChanged }: SidebarProps) {
  const { t, client, attempt } = useApp();
  const [creating, setCreating] = useState(false);

  async function create(name: string) {
    setCreating(false);
    const trimmed = name.trim();
    if (!trimmed) return;
    if ((await attempt(client.call('albums.create', { name: trimmed }))) !== undefined) onChanged();
  }

  const allActive = !query.trashed && !isFiltered(query);
  return (
    <nav className="sidebar" data-testid="sidebar">
      <section>
        <h2 className="sidebar-heading">{t('sidebar.library')}</h2>
        <button
          className={'nav-item' + (allActive ? ' active' : '')}
          data-testid="nav-all"
          onClick={() => onQuery((q) => ({ ...withoutFilters(q), trashed: false }))}
        >
          <span className="icon-photos" aria-hidden="true" />
          <span className="nav-name">{t('sidebar.allPhotos')}</span>
        </button>
        <button
          className={'nav-item' + (query.trashed ? ' active' : '')}
          data-testid="nav-trash"
          onClick={() => onQuery((q) => ({ ...withoutFilters(q), trashed: true }))}
        >
          <span className="icon-trash" aria-hidden="true" />
          <span className="nav-name">{t('sidebar.trash')}</span>
        </button>
      </section>

      <section>
        <h2 className="sidebar-heading">
          {t('sidebar.albums')}
          <button
            className="heading-action"
            data-testid="album-create"
            title={t('sidebar.newAlbum')}
            aria-label={t('sidebar.newAlbum')}
            onClick={() => setCreating(true)}
          >
            +
          </button>
        </h2>
        {creating && <NameInput initial="" onDone={(name) => void create(name)} onCancel={() => setCreating(false)} />}
        {albums.length === 0 && !creating && <p className="sidebar-empty">{t('sidebar.noAlbums')}</p>}
        {albums.map((album) => (
          <AlbumRow
            key={album.id}
            album={album}
            active={query.albumId === album.id}
            selectedIds={selectedIds}
            onOpen={() => onQuery((q) => ({ ...q, trashed: false, albumId: q.albumId === album.id ? undefined : album.id }))}
            onChanged={onChanged}
            onDeleted={() => onQuery((q) => (q.albumId === album.id ? { ...q, albumId: undefined } : q))}
          />
        ))}
      </section>

      <section>
        <h2 className="sidebar-heading">{t('sidebar.tags')}</h2>
        {tags.length === 0 && <p className="sidebar-empty">{t('sidebar.noTags')}</p>}
        <div className="tag-cloud">
          {tags.map((tag) => (
            <button
              key={tag.name}
              className={'tag-chip' + (query.tag === tag.name ? ' active' : '')}
              data-testid="tag-filter"
              data-tag={tag.name}
              onClick={() => onQuery((q) => ({ ...q, trashed: false, tag: q.tag === tag.name ? undefined : tag.name }))}
            >
              {tag.name}
              <span className="tag-count">{tag.count}</span>
            </button>
          ))}
        </div>
      </section>
    </nav>
  );
}

function AlbumRow({
  album,
  active,
  selectedIds,
  onOpen,
  onChanged,
  onDeleted,
}: {
  album: AlbumItem;
  active: boolean;
  selectedIds: ReadonlySet<number>;
  onOpen: () => void;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const { t, tn, client, attempt, toast, confirm } = useApp();
  const [renaming, setRenaming] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [dropping, setDropping] = useState(false);

  async function addPhotos(ids: number[]) {
    if (ids.length === 0) return;
    if ((await attempt(client.call('albums.addPhotos', { id: album.id, ids }))) === undefined) return;
    toast({ kind: 'info', text: tn('sidebar.addedToAlbum', ids.length, { name: album.name }) });
    onChanged();
  }

  async function rename(name: string) {
    setRenaming(false);
    const trimmed = name.trim();
    if (!trimmed || trimmed === album.name) return;
    if ((await attempt(client.call('albums.rename', { id: album.id, name: trimmed }))) !== undefined) onChanged();
  }

  async function remove() {
    if (!(await confirm(t('sidebar.deleteAlbumConfirm', { name: album.name }), t('sidebar.delete')))) return;
    if ((await attempt(client.call('albums.delete', { id: album.id }))) === undefined) return;
    onDeleted();
    onChanged();
  }

  function accepts(event: DragEvent) {
    return Array.from(event.dataTransfer.types).includes(PHOTO_DRAG_TYPE);
  }

  if (renaming) return <NameInput initial={album.name} onDone={(name) => void rename(name)} onCancel={() => setRenaming(false)} />;

  return (
    <div
      className={'nav-item album' + (active ? ' active' : '') + (dropping ? ' drop-target' : '')}
      data-testid="album-item"
      data-album-id={album.id}
      data-album-name={album.name}
      onDragEnter={(event) => {
        if (accepts(event)) {
          event.preventDefault();
          setDropping(true);
        }
      }}
      onDragOver={(event) => {
        if (accepts(event)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(event) => {
        setDropping(false);
        if (!accepts(event)) return;
        event.preventDefault();
        event.stopPropagation();
        let ids: number[] = [];
        try {
          const parsed: unknown = JSON.parse(event.dataTransfer.getData(PHOTO_DRAG_TYPE));
          if (Array.isArray(parsed)) ids = parsed.filter((id): id is number => Number.isInteger(id));
        } catch {
          return;
        }
        void addPhotos(ids);
      }}
    >
      <button className="nav-main" onClick={onOpen} onDoubleClick={() => setRenaming(true)} data-testid="album-open">
        <span className="icon-album" aria-hidden="true" />
        <span className="nav-name">{album.name}</span>
        <span className="nav-count">{album.count}</span>
      </button>
      <button
        className="nav-menu-button"
        data-testid="album-menu"
        aria-haspopup="menu"
        aria-expanded={menuOpen}
        title={t('sidebar.albumMenu', { name: album.name })}
        aria-label={t('sidebar.albumMenu', { name: album.name })}
        onClick={() => setMenuOpen((open) => !open)}
      >
        ⋯
      </button>
      {menuOpen && (
        <Menu onClose={() => setMenuOpen(false)}>
          <button role="menuitem" disabled={selectedIds.size === 0} data-testid="album-add-selection" onClick={() => void addPhotos([...selectedIds])}>
            {t('sidebar.addSelection')}
          </button>
          <button role="menuitem" data-testid="album-rename" onClick={() => setRenaming(true)}>
            {t('sidebar.rename')}
          </button>
          <button role="menuitem" className="danger" data-testid="album-delete" onClick={() => void remove()}>
            {t('sidebar.delete')}
          </button>
        </Menu>
      )}
    </div>
  );
}

/** A small popup list of actions; closes on any click (inside after acting, or outside) and on Escape. */
export function Menu({ children, onClose }: { children: ReactNode; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onPointer = (event: PointerEvent) => {
      if (!ref.current?.contains(event.target as Node)) onClose();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        onClose();
      }
    };
    document.addEventListener('pointerdown', onPointer, true);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [onClose]);
  return (
    <div className="menu" role="menu" ref={ref} onClick={onClose} data-menu="true">
      {children}
    </div>
  );
}

function NameInput({ initial, onDone, onCancel }: { initial: string; onDone: (name: string) => void; onCancel: () => void }) {
  const { t } = useApp();
  const [name, setName] = useState(initial);
  const done = useRef(false);
  return (
    <input
      className="name-input"
      data-testid="album-name-input"
      autoFocus
      value={name}
      maxLength={200}
      placeholder={t('sidebar.albumName')}
      aria-label={t('sidebar.albumName')}
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setName(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          done.current = true;
          onDone(name);
        } else if (event.key === 'Escape') {
          done.current = true;
          onCancel();
        }
      }}
      onBlur={() => {
        if (!done.current) onDone(name);
      }}
    />
  );
}
