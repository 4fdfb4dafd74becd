/** Which photos are selected, which one has the keyboard focus, and where a Shift-range starts. */
export interface Selection {
  ids: ReadonlySet<number>;
  /** The index (in the current order) the arrow keys move from. */
  focus: number | null;
  /** The index a Shift-click or Shift-arrow range extends from. */
  anchor: number | null;
  /** The photo the info panel and preview describe. */
  primaryId: number | null;
}

export const NO_SELECTION: Selection = { ids: new Set(), focus: null, anchor: null, primaryId: null };

export function selectOne(id: number, index: number): Selection {
  return { ids: new Set([id]), focus: index, anchor: index, primaryId: id };
}
