/**
 * What a search means, in one place. A photo matches when every word of the search (split at
 * white space) occurs in its file name, its tags or its prompts, as SQLite's LIKE finds it: any
 * position, case-insensitive for ASCII letters, `%` and `_` taken literally.
 *
 * The trigram index (`photo_search`) only proposes candidates: it folds case over all of Unicode
 * and so finds a superset of what LIKE finds, and it cannot look for words under three characters.
 * Every candidate is checked with `searchCondition`, so narrow and broad plans give the same rows.
 */

/** A parsed search: its words, the trigram query over the long ones, and the LIKE parameters. */
export interface SearchTerms {
  /** `MATCH` text for the words of three characters or more; null when there are none. */
  ftsQuery: string | null;
  /** `@search0`, `@search1`… LIKE patterns, one per word. */
  params: Record<string, string>;
  /** The condition on an alias of `photo_search_content` (columns c0, c1, c2 = file name, tags, prompts). */
  condition: string;
}

export function parseSearch(search: string, alias = 's'): SearchTerms | null {
  const words = [...new Set(search.trim().split(/\s+/).filter((word) => word !== ''))];
  if (words.length === 0) return null;
  const params: Record<string, string> = {};
  const checks = words.map((word, i) => {
    params[`search${i}`] = `%${word.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`;
    const like = (column: string) => `${alias}.${column} LIKE @search${i} ESCAPE '\\'`;
    return `(${like('c0')} OR ${like('c1')} OR ${like('c2')})`;
  });
  const long = words.filter((word) => [...word].length >= 3).map((word) => `"${word.replaceAll('"', '""')}"`);
  return { ftsQuery: long.length ? long.join(' AND ') : null, params, condition: checks.join(' AND ') };
}
