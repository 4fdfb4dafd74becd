/**
 * What a search means, in one place. A photo matches when every word of the search (split at
 * white space) occurs in its file name, its tags or its prompts, at any position, after both sides
 * are case-folded by `foldForSearch`. `%`, `_` and quotes are plain characters.
 *
 * `photo_search` (migration 8) keeps one folded text per photo: the name, the tags and the prompts,
 * one per line. A word holds no white space, so it can only match inside one of them. The trigram
 * index over that text only proposes candidates, and cannot look for words under three
 * characters; every candidate is checked with `condition`, so every plan gives the same rows.
 */

/**
 * Case-folds text for search, for all of Unicode: "ÉTÉ" and "été" are the same, and so are
 * "Straße", "STRASSE" and "strasse" (ß and ẞ fold to "ss", as Unicode's full case folding does).
 * Each character folds on its own (the word-final ς becomes σ), so a piece of a text folds to a
 * piece of the folded text, which substring search needs. Stored text and searched words go
 * through this same function; the migration calls it from SQL as `search_fold`.
 */
export function foldForSearch(text: string): string {
  return text.toLowerCase().toUpperCase().toLowerCase().replaceAll('ς', 'σ');
}

/** The stored search text of a photo: its folded name, tags (space-separated) and prompts, one per line. */
export function searchText(fileName: string, tags: string, prompts = ''): string {
  return `${foldForSearch(fileName)}\n${foldForSearch(tags)}\n${foldForSearch(prompts)}`;
}

/** A parsed search: its folded words, the trigram query over the long ones, and the parameters. */
export interface SearchTerms {
  /** `MATCH` text: every trigram of the words of three characters or more; null when there are none. */
  ftsQuery: string | null;
  /** `@search0`, `@search1`… the folded words. */
  params: Record<string, string>;
  /** The condition on an alias of `photo_search_content`, whose column c0 is the folded text. */
  condition: string;
}

export function parseSearch(search: string, alias = 's'): SearchTerms | null {
  const words = [...new Set(foldForSearch(search).trim().split(/\s+/).filter((word) => word !== ''))];
  if (words.length === 0) return null;
  const params: Record<string, string> = {};
  const checks = words.map((word, i) => {
    params[`search${i}`] = word;
    return `instr(${alias}.c0, @search${i}) > 0`;
  });
  // The index is built with detail=none (no positions), so it takes trigrams, not phrases.
  const trigrams = new Set<string>();
  for (const word of words) {
    const chars = [...word];
    for (let i = 0; i + 3 <= chars.length; i++) trigrams.add(`"${chars.slice(i, i + 3).join('').replaceAll('"', '""')}"`);
  }
  return { ftsQuery: trigrams.size ? [...trigrams].join(' AND ') : null, params, condition: checks.join(' AND ') };
}
