import { useEffect, useState } from 'react';
import type { ColorLabel, PhotoDetail, PhotoSummary } from '../../shared/contract/api.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { useApp } from '../app/context.js';
import { ColorLabelPicker } from './ColorLabels.js';
import { formatBytes, formatDateTime } from './format.js';
import { Stars } from './Stars.js';

export interface InfoPanelProps {
  selectedIds: ReadonlySet<number>;
  /** The photo described; its summary from the grid when loaded (it carries optimistic edits). */
  primaryId: number | null;
  primary: PhotoSummary | undefined;
  /** Bumped whenever the library changed; the panel reloads the photo's details. */
  libraryVersion: number;
  onRate: (rating: number) => void;
  onLabel: (label: ColorLabel | null) => void;
  onChanged: () => void;
}

/** The right-hand panel: the selected photo's rating, label, tags and albums, all editable. */
export function InfoPanel({ selectedIds, primaryId, primary, libraryVersion, onRate, onLabel, onChanged }: InfoPanelProps) {
  const { t, locale, client, attempt, bridge } = useApp();
  const [detail, setDetail] = useState<PhotoDetail | null>(null);
  const [tagText, setTagText] = useState('');

  useEffect(() => {
    if (primaryId === null) {
      setDetail(null);
      return;
    }
    let live = true;
    client.call('photos.get', { id: primaryId }).then(
      (value) => {
        if (live) setDetail(value);
      },
      () => {
        // A photo can vanish (emptied trash) between selecting and loading; show what the grid knows.
        if (live) setDetail(null);
      },
    );
    return () => {
      live = false;
    };
  }, [client, primaryId, libraryVersion]);

  const ids = [...selectedIds];
  const shown = detail && detail.id === primaryId ? detail : null;
  const summary = primary ?? shown ?? undefined;

  async function addTags() {
    const tags = [...new Set(tagText.split(/[,，]/).map((tag) => tag.trim()).filter(Boolean))].slice(0, 100);
    if (tags.length === 0 || ids.length === 0) return;
    if ((await attempt(client.call('photos.addTags', { ids, tags }))) === undefined) return;
    setTagText('');
    if (shown) setDetail({ ...shown, tags: [...new Set([...shown.tags, ...tags])] });
    onChanged();
  }

  async function removeTag(tag: string) {
    if (ids.length === 0) return;
    if ((await attempt(client.call('photos.removeTags', { ids, tags: [tag] }))) === undefined) return;
    if (shown) setDetail({ ...shown, tags: shown.tags.filter((name) => name !== tag) });
    onChanged();
  }

  async function setNeverUpload(neverUpload: boolean) {
    if (ids.length === 0 || !shown) return;
    // Shown at once (a switch must answer the click); put back if the host refuses.
    setDetail({ ...shown, neverUpload });
    if ((await attempt(client.call('photos.setNeverUpload', { ids, neverUpload }))) === undefined) {
      setDetail((current) => (current && current.id === shown.id ? { ...current, neverUpload: !neverUpload } : current));
      return;
    }
    onChanged();
  }

  async function removeFromAlbum(albumId: number) {
    if (ids.length === 0) return;
    if ((await attempt(client.call('albums.removePhotos', { id: albumId, ids }))) === undefined) return;
    if (shown) setDetail({ ...shown, albums: shown.albums.filter((album) => album.id !== albumId) });
    onChanged();
  }

  if (selectedIds.size === 0 || !summary) {
    return (
      <aside className="info-panel" data-testid="info-panel">
        <h2 className="panel-title">{t('info.title')}</h2>
        <p className="panel-empty">{t('info.nothingSelected')}</p>
      </aside>
    );
  }

  const many = selectedIds.size > 1;
  return (
    <aside className="info-panel" data-testid="info-panel" data-photo-id={summary.id}>
      <h2 className="panel-title">{many ? t('info.manySelected', { n: selectedIds.size }) : t('info.title')}</h2>
      <div className="info-thumb">
        <img src={assetUrl(bridge.host, summary.sha256, 'thumb')} alt={summary.fileName} draggable={false} />
      </div>
      <div className="info-name" title={summary.fileName} data-testid="info-file-name">
        {summary.fileName}
      </div>
      <div className="info-sub">
        {[
          `${summary.width} × ${summary.height}`,
          shown ? formatBytes(shown.byteSize, locale) : null,
          formatDateTime(summary.takenAt ?? summary.importedAt, locale),
        ]
          .filter(Boolean)
          .join(' · ')}
      </div>
      {summary.trashedAt && <div className="info-badge">{t('info.trashed')}</div>}
      {many && <p className="info-hint">{t('info.manyHint')}</p>}

      <div className="info-field">
        <span className="info-label">{t('info.rating')}</span>
        <Stars rating={summary.rating} onChange={onRate} size="large" />
      </div>
      <div className="info-field">
        <span className="info-label">{t('info.colorLabel')}</span>
        <ColorLabelPicker value={summary.colorLabel} onChange={onLabel} />
      </div>
      <div className="info-field column">
        <label className="info-check" title={t('info.neverUploadHint')}>
          <input
            type="checkbox"
            data-testid="never-upload-toggle"
            checked={shown?.neverUpload ?? false}
            disabled={!shown}
            onChange={(event) => void setNeverUpload(event.target.checked)}
          />
          {t('info.neverUpload')}
        </label>
        <span className="muted small">{t('info.neverUploadHint')}</span>
      </div>

      <div className="info-field column">
        <span className="info-label">{t('info.tags')}</span>
        <div className="tag-list" data-testid="photo-tags">
          {shown && shown.tags.length === 0 && <span className="muted small">{t('info.noTags')}</span>}
          {shown?.tags.map((tag) => (
            <span key={tag} className="tag-chip static" data-testid="photo-tag" data-tag={tag}>
              {tag}
              <button
                className="chip-remove"
                aria-label={t('info.removeTag', { tag })}
                title={t('info.removeTag', { tag })}
                onClick={() => void removeTag(tag)}
              >
                ×
              </button>
            </span>
          ))}
        </div>
        <input
          className="text-input"
          data-testid="tag-input"
          value={tagText}
          maxLength={500}
          placeholder={t('info.addTag')}
          aria-label={t('info.addTag')}
          onChange={(event) => setTagText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') void addTags();
            if (event.key === 'Escape') event.currentTarget.blur();
          }}
        />
      </div>

      <div className="info-field column">
        <span className="info-label">{t('info.albums')}</span>
        <div className="tag-list">
          {shown && shown.albums.length === 0 && <span className="muted small">{t('info.noAlbums')}</span>}
          {shown?.albums.map((album) => (
            <span key={album.id} className="tag-chip static album-chip">
              {album.name}
              <button
                className="chip-remove"
                aria-label={t('info.removeFromAlbum', { name: album.name })}
                title={t('info.removeFromAlbum', { name: album.name })}
                onClick={() => void removeFromAlbum(album.id)}
              >
                ×
              </button>
            </span>
          ))}
        </div>
      </div>
    </aside>
  );
}
