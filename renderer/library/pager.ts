/**
 * The window onto a photo query that the grid scrolls through. It holds only the pages near
 * what is on screen (200 photos each), fetches the ones the grid asks for at most a few times a
 * second, and forgets far-away pages, so a library of 100,000 photos costs a few pages of
 * memory and a few small calls per scroll. No DOM and no React: the grid subscribes to it.
 */
import type { PhotoSummary } from '../../shared/contract/api.js';

export const PAGE_SIZE = 200;
/** The most the API gives in one call; bigger ranges are fetched in chunks of this. */
const MAX_LIMIT = 1000;
/** Pages kept in memory; the farthest from the visible range go first. */
const MAX_PAGES = 40;
/** Pages fetched ahead of and behind the visible range. */
const LOOKAHEAD_PAGES = 1;
/** How often, at most, the pager fetches while the range keeps moving (a scrollbar drag). */
const FETCH_INTERVAL_MS = 60;

export type FetchPage = (offset: number, limit: number) => Promise<{ total: number; items: PhotoSummary[]; estimated?: boolean | undefined }>;
/** The exact number of photos of the query, asked for when a page only estimated it (a broad search). */
export type FetchTotal = () => Promise<{ total: number }>;

interface Page {
  items: PhotoSummary[];
  /** The pager's generation when fetched; older pages are shown but fetched again. */
  generation: number;
}

export class PhotoPager {
  private readonly pages = new Map<number, Page>();
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private generation = 0;
  private revision = 0;
  private totalCount: number | null = null;
  /** The generation whose exact total `totalCount` is; null while it is an estimate. */
  private exactGeneration: number | null = null;
  private countingGeneration: number | null = null;
  private visible: { first: number; last: number } = { first: 0, last: PAGE_SIZE - 1 };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private lastError: unknown = null;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly fetchTotal?: FetchTotal,
  ) {}

  /** The number of photos the query matches; null until the first page arrives. */
  get total(): number | null {
    return this.totalCount;
  }

  /** Whether `total` is exact; a broad search shows an estimate first and the count a moment later. */
  get totalIsExact(): boolean {
    return this.exactGeneration !== null;
  }

  /** The last fetch error, if the pager has not loaded anything since. */
  get error(): unknown {
    return this.lastError;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes whenever anything the grid shows changed. */
  getRevision = (): number => this.revision;

  /** The photo at `index`, if its page is loaded. */
  get(index: number): PhotoSummary | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.items[index % PAGE_SIZE];
  }

  /** The index of a loaded photo, or -1. */
  indexOf(id: number): number {
    for (const [pageIndex, page] of this.pages) {
      const at = page.items.findIndex((photo) => photo.id === id);
      if (at >= 0) return pageIndex * PAGE_SIZE + at;
    }
    return -1;
  }

  /** Tells the pager which indices are on screen; it fetches what is missing there, soon. */
  setVisibleRange(first: number, last: number): void {
    this.visible = { first: Math.max(0, first), last: Math.max(first, last) };
    this.schedule();
  }

  /** Loads the first page (to learn the total) and the visible range now. */
  start(): Promise<void> {
    return this.load(this.wantedPages());
  }

  /** Tries the visible pages again after a failure. */
  retry(): Promise<void> {
    this.lastError = null;
    this.notify();
    return this.load(this.wantedPages());
  }

  /** The photo at `index`, fetching its page if needed. */
  async ensure(index: number): Promise<PhotoSummary | undefined> {
    const page = Math.floor(index / PAGE_SIZE);
    if (!this.pages.has(page)) await this.load([page]);
    return this.get(index);
  }

  /** The ids from `first` to `last` inclusive, fetching missing pages in big chunks. */
  async idsInRange(first: number, last: number): Promise<number[]> {
    const lo = Math.max(0, Math.min(first, last));
    let hi = Math.max(first, last);
    if (this.totalCount !== null) hi = Math.min(hi, this.totalCount - 1);
    const firstPage = Math.floor(lo / PAGE_SIZE);
    const lastPage = Math.floor(hi / PAGE_SIZE);
    const ids: number[] = [];
    const fetched = new Map<number, PhotoSummary[]>();
    let page = firstPage;
    while (page <= lastPage) {
      if (this.pages.has(page)) {
        page += 1;
        continue;
      }
      // Fetch a run of missing pages at once, without keeping them all (a range can be huge).
      let run = 1;
      while (page + run <= lastPage && run * PAGE_SIZE < MAX_LIMIT && !this.pages.has(page + run)) run += 1;
      const { items } = await this.fetchPage(page * PAGE_SIZE, run * PAGE_SIZE);
      for (let i = 0; i < run; i += 1) fetched.set(page + i, items.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
      page += run;
    }
    for (let index = lo; index <= hi; index += 1) {
      const pageIndex = Math.floor(index / PAGE_SIZE);
      const items = this.pages.get(pageIndex)?.items ?? fetched.get(pageIndex);
      const photo = items?.[index % PAGE_SIZE];
      if (photo) ids.push(photo.id);
    }
    return ids;
  }

  /**
   * The library changed: keep showing what we have (no flicker) but fetch the visible pages
   * again and drop the rest.
   */
  invalidate(): Promise<void> {
    this.generation += 1;
    const wanted = new Set(this.wantedPages());
    for (const page of [...this.pages.keys()]) if (!wanted.has(page)) this.pages.delete(page);
    return this.load([...wanted]);
  }

  /** Applies a change we made ourselves before the host confirms it, so the grid answers at once. */
  patch(ids: ReadonlySet<number>, change: Partial<Pick<PhotoSummary, 'rating' | 'colorLabel'>>): void {
    let changed = false;
    for (const page of this.pages.values()) {
      page.items = page.items.map((photo) => {
        if (!ids.has(photo.id)) return photo;
        changed = true;
        return { ...photo, ...change };
      });
    }
    if (changed) this.notify();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  private wantedPages(): number[] {
    const first = Math.max(0, Math.floor(this.visible.first / PAGE_SIZE) - LOOKAHEAD_PAGES);
    let last = Math.floor(this.visible.last / PAGE_SIZE) + LOOKAHEAD_PAGES;
    if (this.totalCount !== null) last = Math.min(last, Math.max(0, Math.ceil(this.totalCount / PAGE_SIZE) - 1));
    const pages: number[] = [];
    for (let page = first; page <= last; page += 1) pages.push(page);
    return pages;
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // Only what is wanted now: pages the scrollbar flew past are never fetched.
      const missing = this.wantedPages().filter((page) => this.pages.get(page)?.generation !== this.generation);
      if (missing.length) void this.load(missing);
    }, FETCH_INTERVAL_MS);
  }

  private async load(pages: number[]): Promise<void> {
    await Promise.all(pages.map((page) => this.loadPage(page)));
  }

  private loadPage(page: number): Promise<void> {
    const generation = this.generation;
    const key = page;
    const running = this.inflight.get(key);
    if (running) return running;
    const promise = (async () => {
      try {
        const { total, items, estimated } = await this.fetchPage(page * PAGE_SIZE, PAGE_SIZE);
        if (this.disposed) return;
        this.lastError = null;
        this.pages.set(page, { items, generation });
        if (!estimated) this.setTotal(total, generation);
        else {
          // An estimate sizes the grid until the count arrives; it never replaces an exact total.
          if (this.exactGeneration === null) this.setTotal(total, null);
          this.count(generation);
        }
        this.evict(page);
        this.notify();
      } catch (error) {
        if (this.disposed) return;
        this.lastError = error;
        this.notify();
        this.onError(error);
      } finally {
        this.inflight.delete(key);
        // A refresh asked for while this fetch was running must still happen.
        if (!this.disposed && generation !== this.generation && this.wantedPages().includes(page)) this.schedule();
      }
    })();
    this.inflight.set(key, promise);
    return promise;
  }

  private setTotal(total: number, exactGeneration: number | null): void {
    if (exactGeneration !== null) {
      if (this.exactGeneration !== null && exactGeneration < this.exactGeneration) return;
      this.exactGeneration = exactGeneration;
    }
    if (total === this.totalCount) return;
    this.totalCount = total;
    const lastPage = Math.ceil(total / PAGE_SIZE) - 1;
    for (const known of [...this.pages.keys()]) if (known > lastPage) this.pages.delete(known);
  }

  /** Asks once per generation for the exact total after a page estimated it. */
  private count(generation: number): void {
    if (!this.fetchTotal || this.countingGeneration === generation || this.exactGeneration === generation) return;
    this.countingGeneration = generation;
    this.fetchTotal().then(
      ({ total }) => {
        if (this.disposed) return;
        this.setTotal(total, generation);
        this.notify();
      },
      (error: unknown) => {
        if (this.disposed) return;
        this.countingGeneration = null;
        this.onError(error);
      },
    );
  }

  /** Forgets the pages farthest from the visible range, never `keep` (just asked for, maybe far away). */
  private evict(keep: number): void {
    if (this.pages.size <= MAX_PAGES) return;
    const centre = (this.visible.first + this.visible.last) / 2 / PAGE_SIZE;
    const byDistance = [...this.pages.keys()]
      .filter((page) => page !== keep)
      .sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of byDistance.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(page);
  }

  private notify(): void {
    this.revision += 1;
    for (const listener of [...this.listeners]) listener();
  }
}
