import type { ColorLabel } from '../../shared/contract/api.js';

/** What the grid shows: the photos.list query without paging. */
export interface LibraryQuery {
  sort: 'takenAt' | 'importedAt' | 'fileName';
  order: 'asc' | 'desc';
  trashed: boolean;
  minRating?: number | undefined;
  colorLabel?: ColorLabel | undefined;
  tag?: string | undefined;
  albumId?: number | undefined;
  search?: string | undefined;
}

export const DEFAULT_QUERY: LibraryQuery = { sort: 'takenAt', order: 'desc', trashed: false };

/** Whether anything narrows the view beyond "all photos" (or "everything in the trash"). */
export function isFiltered(query: LibraryQuery): boolean {
  return (
    query.minRating !== undefined ||
    query.colorLabel !== undefined ||
    query.tag !== undefined ||
    query.albumId !== undefined ||
    (query.search ?? '') !== ''
  );
}

export function withoutFilters(query: LibraryQuery): LibraryQuery {
  return { sort: query.sort, order: query.order, trashed: query.trashed };
}
