import { useEffect, useState } from 'react';
import type { PhotoDetail, PhotoSummary } from '../../shared/contract/api.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import type { MessageKey } from '../../shared/i18n/index.js';
import { useApp } from '../app/context.js';
import { ColorDot } from './ColorLabels.js';
import {
  formatAperture,
  formatBytes,
  formatCamera,
  formatDateTime,
  formatExposure,
  formatFocalLength,
  formatGps,
  formatNumber,
} from './format.js';
import { Stars } from './Stars.js';

export interface PreviewProps {
  photo: PhotoSummary | undefined;
  index: number;
  total: number;
  libraryVersion: number;
  onClose: () => void;
  onStep: (delta: -1 | 1) => void;
}

/** The large view of one photo with its EXIF. Keys (arrows, Esc, ratings) come from the library view. */
export function Preview({ photo, index, total, libraryVersion, onClose, onStep }: PreviewProps) {
  const { t, locale, client, bridge } = useApp();
  const [detail, setDetail] = useState<PhotoDetail | null>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  const id = photo?.id ?? null;

  useEffect(() => {
    if (id === null) return;
    let live = true;
    client.call('photos.get', { id }).then(
      (value) => {
        if (live) setDetail(value);
      },
      () => {
        if (live) setDetail(null);
      },
    );
    return () => {
      live = false;
    };
  }, [client, id, libraryVersion]);

  const shown = detail && detail.id === id ? detail : null;
  const previewSrc = photo ? assetUrl(bridge.host, photo.sha256, 'preview') : null;

  const rows: Array<[MessageKey, string | null]> = shown
    ? [
        ['exif.takenAt', formatDateTime(shown.takenAt, locale)],
        ['exif.camera', formatCamera(shown.exif.cameraMake, shown.exif.cameraModel)],
        ['exif.lens', shown.exif.lens],
        ['exif.iso', shown.exif.iso === null ? null : formatNumber(shown.exif.iso, locale)],
        ['exif.exposure', formatExposure(shown.exif.exposureTime)],
        ['exif.aperture', formatAperture(shown.exif.fNumber)],
        ['exif.focalLength', formatFocalLength(shown.exif.focalLength)],
        ['exif.gps', formatGps(shown.exif.gpsLatitude, shown.exif.gpsLongitude)],
        ['exif.dimensions', `${shown.width} × ${shown.height}`],
        ['exif.fileSize', formatBytes(shown.byteSize, locale)],
        ['exif.format', shown.format.toUpperCase()],
        ['exif.importedAt', formatDateTime(shown.importedAt, locale)],
      ]
    : [];

  return (
    <div className="preview" role="dialog" aria-modal="true" aria-label={photo?.fileName ?? ''} data-testid="preview" data-photo-id={id ?? ''}>
      <div className="preview-stage" onClick={(event) => event.target === event.currentTarget && onClose()}>
        {photo && previewSrc && (
          <>
            <img
              key={`thumb-${photo.sha256}`}
              className={'preview-placeholder' + (loaded === previewSrc ? ' hidden' : '')}
              src={assetUrl(bridge.host, photo.sha256, 'thumb')}
              alt=""
              aria-hidden="true"
              draggable={false}
            />
            <img
              key={previewSrc}
              className="preview-image"
              data-testid="preview-image"
              src={previewSrc}
              alt={photo.fileName}
              draggable={false}
              onLoad={() => setLoaded(previewSrc)}
            />
          </>
        )}
        <button className="preview-nav prev" data-testid="preview-prev" aria-label={t('preview.prev')} title={t('preview.prev')} disabled={index <= 0} onClick={() => onStep(-1)}>
          ‹
        </button>
        <button
          className="preview-nav next"
          data-testid="preview-next"
          aria-label={t('preview.next')}
          title={t('preview.next')}
          disabled={index >= total - 1}
          onClick={() => onStep(1)}
        >
          ›
        </button>
      </div>
      <aside className="preview-info" data-testid="preview-exif">
        <div className="preview-info-head">
          <span className="muted small">{t('preview.position', { i: formatNumber(index + 1, locale), n: formatNumber(total, locale) })}</span>
          <button className="button icon-button" data-testid="preview-close" aria-label={t('preview.close')} title={t('preview.close')} onClick={onClose}>
            ×
          </button>
        </div>
        <h2 className="preview-title" title={photo?.fileName}>
          {photo?.fileName}
        </h2>
        {photo && (
          <div className="preview-rating">
            <Stars rating={photo.rating} size="large" />
            <ColorDot label={photo.colorLabel} />
          </div>
        )}
        <dl className="exif">
          {rows.map(([key, value]) => (
            <div key={key} className="exif-row" data-field={key}>
              <dt>{t(key)}</dt>
              <dd>{value ?? t('exif.unknown')}</dd>
            </div>
          ))}
        </dl>
        {shown && shown.tags.length > 0 && (
          <div className="tag-list">
            {shown.tags.map((tag) => (
              <span key={tag} className="tag-chip static">
                {tag}
              </span>
            ))}
          </div>
        )}
      </aside>
    </div>
  );
}
