/**
 * `@Name` in a prompt: the same rule as the main process (one word of letters in any script,
 * digits, _ and -), the mention being typed at the caret, and completing it.
 */

const NAME_CHAR = /[\p{L}\p{N}_-]/u;
const MENTION = /@([\p{L}\p{N}_-]+)/gu;

/** Every distinct name mentioned, in order. */
export function mentionedNames(prompt: string): string[] {
  return [...new Set([...prompt.matchAll(MENTION)].map((match) => match[1]!))];
}

/** The mention the caret is in (`@Mi|`), with where it starts, or null. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  let start = caret;
  while (start > 0 && NAME_CHAR.test(text[start - 1]!)) start--;
  if (start === 0 || text[start - 1] !== '@') return null;
  // "mail@example": an @ inside a word is not a mention.
  if (start >= 2 && NAME_CHAR.test(text[start - 2]!)) return null;
  return { start: start - 1, query: text.slice(start, caret) };
}

/** Replaces the mention at the caret with `@name ` and answers the new text and caret. */
export function completeMention(text: string, caret: number, name: string): { text: string; caret: number } {
  const at = mentionAt(text, caret);
  if (!at) return { text, caret };
  let end = caret;
  while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
  const insert = `@${name}${text[end] === ' ' ? '' : ' '}`;
  const next = text.slice(0, at.start) + insert + text.slice(end);
  return { text: next, caret: at.start + insert.length + (text[end] === ' ' ? 1 : 0) };
}

/** The names that complete `query`, best first: prefix matches, then the rest that contain it. */
export function suggest<T extends { name: string }>(items: readonly T[], query: string, limit = 6): T[] {
  const q = query.toLocaleLowerCase();
  const prefix = items.filter((item) => item.name.toLocaleLowerCase().startsWith(q));
  const inside = items.filter((item) => !item.name.toLocaleLowerCase().startsWith(q) && item.name.toLocaleLowerCase().includes(q));
  return [...prefix, ...inside].slice(0, limit);
}

/** Same comparison as the main process: case-insensitive, accents significant. */
export function sameName(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}
