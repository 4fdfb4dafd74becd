/**
 * Library photos beside the canvas: drag one onto the picture (or double-click it) to add it as
 * a layer. The drag carries the same type as the library grid's, so both drop the same way.
 */
import { useEffect, useState } from 'react';
import type { PhotoSummary } from '../../shared/contract/api.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { errorMessage, useApp, useHostEvent } from '../app/context.js';
import { PHOTO_DRAG_TYPE } from '../library/Grid.js';

const LIMIT = 120;

export function PhotoStrip({ onAdd }: { onAdd(photo: PhotoSummary): void }) {
  const { client, bridge, t, toast } = useApp();
  const [photos, setPhotos] = useState<PhotoSummary[] | null>(null);
  const [version, setVersion] = useState(0);

  useHostEvent((event) => {
    if (event.type === 'library.changed') setVersion((v) => v + 1);
  });

  useEffect(() => {
    let live = true;
    client.call('photos.list', { sort: 'importedAt', order: 'desc', limit: LIMIT }).then(
      (page) => {
        if (live) setPhotos(page.items);
      },
      (error: unknown) => {
        if (live) toast({ kind: 'error', text: errorMessage(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [client, toast, version]);

  return (
    <section className="photo-strip" data-testid="photo-strip">
      <p className="panel-hint">{t('editor.photosHint')}</p>
      <div className="strip-grid">
        {photos?.map((photo) => (
          <div
            key={photo.id}
            className="strip-cell"
            data-testid="strip-photo"
            data-photo-id={photo.id}
            title={photo.fileName}
            draggable
            onDragStart={(event) => {
              event.dataTransfer.setData(PHOTO_DRAG_TYPE, JSON.stringify([photo.id]));
              event.dataTransfer.effectAllowed = 'copy';
            }}
            onDoubleClick={() => onAdd(photo)}
          >
            <img src={assetUrl(bridge.host, photo.sha256, 'thumb')} alt={photo.fileName} draggable={false} loading="lazy" />
          </div>
        ))}
      </div>
    </section>
  );
}
