/**
 * Characters: named people, pets or products with reference photos. Writing `@Name` in a prompt
 * attaches their photos (within the model's limit), so a series of edits keeps the same face, fur
 * or label. Photos are added by dragging them from the library strip (or the library grid) onto a
 * card, or by clicking them while a card is selected. A series runs several prompts on one photo
 * with the same references, one new project each.
 */
import { useCallback, useEffect, useState, type DragEvent } from 'react';
import type { CallOutput, PhotoSummary } from '../../shared/contract/api.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { referenceLimit, modelInfo } from '../ai/engine.js';
import { useEngine } from '../ai/useEngine.js';
import { errorMessage, useApp, useHostEvent } from '../app/context.js';
import { PHOTO_DRAG_TYPE } from '../library/Grid.js';
import '../settings/settings.css';

type CharacterInfo = CallOutput<'characters.list'>[number];

/** The main process's rule: one word of letters (any script), digits, _ or -. */
const NAME = /^[\p{L}\p{N}_-]{1,60}$/u;
const STRIP_LIMIT = 300;

function droppedPhotoIds(event: DragEvent): number[] {
  try {
    return (JSON.parse(event.dataTransfer.getData(PHOTO_DRAG_TYPE)) as unknown[]).filter((id): id is number => typeof id === 'number' && Number.isInteger(id) && id > 0);
  } catch {
    return [];
  }
}

export function CharactersView() {
  const { client, bridge, t, toast, confirm, locale } = useApp();
  const [characters, setCharacters] = useState<CharacterInfo[] | null>(null);
  const [photos, setPhotos] = useState<PhotoSummary[]>([]);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [newName, setNewName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useHostEvent((event) => {
    if (event.type === 'library.changed') setVersion((v) => v + 1);
  });

  const reload = useCallback(async () => {
    try {
      const list = await client.call('characters.list', {});
      setCharacters(list);
    } catch (error) {
      toast({ kind: 'error', text: errorMessage(error) });
    }
  }, [client, toast]);

  useEffect(() => {
    void reload();
  }, [reload, version]);

  useEffect(() => {
    let live = true;
    client.call('photos.list', { sort: 'importedAt', order: 'desc', limit: STRIP_LIMIT }).then(
      (page) => live && setPhotos(page.items),
      (error: unknown) => live && toast({ kind: 'error', text: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [client, toast, version]);

  async function create() {
    const name = newName.trim();
    if (!NAME.test(name)) {
      setNameError(t('characters.nameRule'));
      return;
    }
    setNameError(null);
    try {
      const created = await client.call('characters.create', { name, photoIds: [] });
      setNewName('');
      setSelectedId(created.id);
      await reload();
    } catch (error) {
      setNameError(errorMessage(error));
    }
  }

  async function update(character: CharacterInfo, changes: { name?: string; photoIds?: number[] }): Promise<boolean> {
    try {
      const updated = await client.call('characters.update', { id: character.id, ...changes });
      setCharacters((list) => list?.map((c) => (c.id === updated.id ? updated : c)) ?? null);
      return true;
    } catch (error) {
      toast({ kind: 'error', text: errorMessage(error) });
      return false;
    }
  }

  async function remove(character: CharacterInfo) {
    if (!(await confirm(t('characters.deleteConfirm', { name: character.name }), t('characters.delete')))) return;
    try {
      await client.call('characters.delete', { id: character.id });
      if (selectedId === character.id) setSelectedId(null);
      await reload();
    } catch (error) {
      toast({ kind: 'error', text: errorMessage(error) });
    }
  }

  function addPhotos(character: CharacterInfo, ids: number[]) {
    const next = [...new Set([...character.photoIds, ...ids])].slice(0, 100);
    if (next.length !== character.photoIds.length) void update(character, { photoIds: next });
  }

  const selected = characters?.find((c) => c.id === selectedId) ?? null;
  const photoById = new Map(photos.map((photo) => [photo.id, photo]));

  return (
    <div className="characters-view page-view" data-testid="characters-view" data-locale={locale}>
      <header className="toolbar">
        <h1 className="page-title">{t('characters.title')}</h1>
      </header>
      <div className="characters-body">
        <main className="characters-main">
          <p className="panel-hint">{t('characters.hint')}</p>
          <form
            className="new-character"
            onSubmit={(event) => {
              event.preventDefault();
              void create();
            }}
          >
            <input
              className="text-input"
              data-testid="character-name-input"
              value={newName}
              maxLength={60}
              placeholder={t('characters.namePlaceholder')}
              aria-label={t('characters.nameLabel')}
              onChange={(event) => setNewName(event.target.value)}
            />
            <button className="button primary" type="submit" data-testid="character-create" disabled={!newName.trim()}>
              {t('characters.create')}
            </button>
            {nameError && (
              <span className="error-text small" role="alert" data-testid="character-name-error">
                {nameError}
              </span>
            )}
          </form>
          {characters && characters.length === 0 && <p className="muted">{t('characters.empty')}</p>}
          <div className="character-grid">
            {characters?.map((character) => (
              <CharacterCard
                key={character.id}
                character={character}
                selected={character.id === selectedId}
                photoById={photoById}
                onSelect={() => setSelectedId(character.id === selectedId ? null : character.id)}
                onRename={(name) => update(character, { name })}
                onDelete={() => void remove(character)}
                onAddPhotos={(ids) => addPhotos(character, ids)}
                onRemovePhoto={(id) => void update(character, { photoIds: character.photoIds.filter((p) => p !== id) })}
              />
            ))}
          </div>
        </main>
        <aside className="characters-photos" data-testid="characters-photos">
          <h2 className="panel-title">{t('characters.library')}</h2>
          <p className="panel-hint">{selected ? t('characters.pickHint', { name: selected.name }) : t('characters.dragHint')}</p>
          <div className="strip-grid">
            {photos.map((photo) => (
              <button
                key={photo.id}
                className={'pick' + (selected?.photoIds.includes(photo.id) ? ' in-character' : '')}
                data-testid="character-pick"
                data-photo-id={photo.id}
                title={photo.fileName}
                draggable
                onDragStart={(event) => {
                  event.dataTransfer.setData(PHOTO_DRAG_TYPE, JSON.stringify([photo.id]));
                  event.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => {
                  if (!selected) return;
                  if (selected.photoIds.includes(photo.id)) void update(selected, { photoIds: selected.photoIds.filter((id) => id !== photo.id) });
                  else addPhotos(selected, [photo.id]);
                }}
              >
                <img src={assetUrl(bridge.host, photo.sha256, 'thumb')} alt={photo.fileName} draggable={false} loading="lazy" />
              </button>
            ))}
          </div>
        </aside>
      </div>
    </div>
  );
}

function CharacterCard(props: {
  character: CharacterInfo;
  selected: boolean;
  photoById: ReadonlyMap<number, PhotoSummary>;
  onSelect(): void;
  onRename(name: string): Promise<boolean>;
  onDelete(): void;
  onAddPhotos(ids: number[]): void;
  onRemovePhoto(id: number): void;
}) {
  const { character } = props;
  const { t, tn, bridge } = useApp();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(character.name);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const [seriesOpen, setSeriesOpen] = useState(false);

  async function rename() {
    const next = name.trim();
    if (next === character.name) {
      setRenaming(false);
      return;
    }
    if (!NAME.test(next)) {
      setError(t('characters.nameRule'));
      return;
    }
    if (await props.onRename(next)) {
      setRenaming(false);
      setError(null);
    }
  }

  return (
    <section
      className={'card character-card' + (props.selected ? ' selected' : '') + (over ? ' drop-target' : '')}
      data-testid="character-card"
      data-name={character.name}
      data-photo-count={character.photoIds.length}
      onClick={props.onSelect}
      onDragOver={(event) => {
        if (!Array.from(event.dataTransfer.types).includes(PHOTO_DRAG_TYPE)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        setOver(false);
        const ids = droppedPhotoIds(event);
        if (ids.length === 0) return;
        event.preventDefault();
        props.onAddPhotos(ids);
      }}
    >
      <div className="character-head" onClick={(event) => renaming && event.stopPropagation()}>
        {renaming ? (
          <input
            className="name-input"
            data-testid="character-rename-input"
            autoFocus
            value={name}
            maxLength={60}
            onChange={(event) => setName(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') void rename();
              if (event.key === 'Escape') {
                setRenaming(false);
                setName(character.name);
                setError(null);
              }
            }}
          />
        ) : (
          <span className="character-name">@{character.name}</span>
        )}
        <span className="toolbar-spacer" />
        {renaming ? (
          <button
            className="button small"
            data-testid="character-rename-save"
            onClick={(event) => {
              event.stopPropagation();
              void rename();
            }}
          >
            {t('characters.save')}
          </button>
        ) : (
          <button
            className="button small"
            data-testid="character-rename"
            onClick={(event) => {
              event.stopPropagation();
              setName(character.name);
              setRenaming(true);
            }}
          >
            {t('characters.rename')}
          </button>
        )}
        <button
          className="button small danger"
          data-testid="character-delete"
          onClick={(event) => {
            event.stopPropagation();
            props.onDelete();
          }}
        >
          {t('characters.delete')}
        </button>
      </div>
      {error && (
        <span className="error-text small" role="alert">
          {error}
        </span>
      )}
      <div className="character-photos">
        {character.photoIds.map((id) => {
          const photo = props.photoById.get(id);
          return (
            <div key={id} className="character-photo" data-testid="character-photo" data-photo-id={id} title={photo?.fileName}>
              {photo && <img src={assetUrl(bridge.host, photo.sha256, 'thumb')} alt={photo.fileName} draggable={false} />}
              <button
                className="chip-remove"
                aria-label={t('characters.removePhoto')}
                title={t('characters.removePhoto')}
                onClick={(event) => {
                  event.stopPropagation();
                  props.onRemovePhoto(id);
                }}
              >
                ×
              </button>
            </div>
          );
        })}
        {character.photoIds.length === 0 && <div className="photo-drop-hint">{t('characters.dropHere')}</div>}
      </div>
      <div className="muted small">{tn('characters.count', character.photoIds.length)}</div>
      {character.photoIds.length > 0 && (
        <div onClick={(event) => event.stopPropagation()}>
          {seriesOpen ? (
            <SeriesForm character={character} photoById={props.photoById} onDone={() => setSeriesOpen(false)} />
          ) : (
            <button className="button small" data-testid="character-series" onClick={() => setSeriesOpen(true)}>
              {t('characters.series')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** Several prompts on one photo with this character's references: one new project per prompt. */
function SeriesForm({ character, photoById, onDone }: { character: CharacterInfo; photoById: ReadonlyMap<number, PhotoSummary>; onDone(): void }) {
  const { client, t, tn, toast } = useApp();
  const engine = useEngine();
  const [photoId, setPhotoId] = useState(character.photoIds[0] ?? 0);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const model = engine.settings?.model ?? 'gemini-2.5-flash-image';
  const limit = referenceLimit(modelInfo(engine.status, model));
  const prompts = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 20);

  async function run() {
    if (prompts.length === 0) return;
    setBusy(true);
    try {
      const jobs = await client.call('edit.series', {
        photoId,
        prompts,
        provider: 'gemini',
        model,
        referencePhotoIds: character.photoIds.filter((id) => id !== photoId).slice(0, limit),
      });
      toast({ kind: 'info', text: tn('characters.seriesStarted', jobs.length) });
      onDone();
    } catch (error) {
      toast({ kind: 'error', text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="series-form" data-testid="series-form">
      <label className="form-row">
        <span className="small">{t('characters.seriesPhoto')}</span>
        <select className="select" value={photoId} onChange={(event) => setPhotoId(Number(event.target.value))}>
          {character.photoIds.map((id) => (
            <option key={id} value={id}>
              {photoById.get(id)?.fileName ?? `#${id}`}
            </option>
          ))}
        </select>
      </label>
      <textarea value={text} placeholder={t('characters.seriesPlaceholder')} onChange={(event) => setText(event.target.value)} aria-label={t('characters.seriesPrompts')} />
      <div className="button-row">
        <button className="button small primary" disabled={busy || prompts.length === 0} onClick={() => void run()}>
          {tn('characters.seriesRun', prompts.length)}
        </button>
        <button className="button small" onClick={onDone}>
          {t('dialog.cancel')}
        </button>
      </div>
    </div>
  );
}
