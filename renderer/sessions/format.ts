/** Money and time as the run view shows them. */

export function formatUsd(value: number): string {
  if (value === 0) return '$0';
  return value < 0.1 ? `$${value.toFixed(3)}` : `$${value.toFixed(2)}`;
}

/** 75 → "1 min 15 s"; null → "". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Photo ids from the address `#/sessions/new/1,2,3` (the library's “Start a session” hands them over this way). */
export function idsFromHash(hash: string): number[] {
  const match = /^#\/sessions\/new\/([0-9,]+)$/.exec(hash);
  if (!match) return [];
  return match[1]!
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** The address that opens the new-session form with these photos. */
export function newSessionHash(photoIds: readonly number[]): string {
  return `#/sessions/new/${photoIds.join(',')}`;
}
