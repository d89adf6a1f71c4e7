const REGEX_SPECIALS = /[.*+?^${}()|[\]\\/-]/g;

function escapeChar(c: string): string {
  return c.replace(REGEX_SPECIALS, '\\$&');
}

/** Escapes `\` and `-` inside a character set, as Python 3.11's fnmatch does for each range chunk. */
function escapeSetChunk(chunk: string): string {
  return chunk.replace(/\\/g, '\\\\').replace(/-/g, '\\-');
}

/** The body of a `[...]` set, `pattern.slice(start, end)`, translated like Python 3.11's `fnmatch.translate`. */
function translateSet(pattern: string, start: number, end: number): string {
  let stuff: string;
  if (!pattern.slice(start, end).includes('-')) {
    stuff = pattern.slice(start, end).replace(/\\/g, '\\\\');
  } else {
    const chunks: string[] = [];
    let i = start;
    let k = pattern[i] === '!' ? i + 2 : i + 1;
    for (;;) {
      k = pattern.indexOf('-', k);
      if (k < 0 || k >= end) break;
      chunks.push(pattern.slice(i, k));
      i = k + 1;
      k = k + 3;
    }
    const chunk = pattern.slice(i, end);
    if (chunk) chunks.push(chunk);
    else chunks[chunks.length - 1] += '-';
    // Remove empty ranges (invalid in a regular expression).
    for (let c = chunks.length - 1; c > 0; c--) {
      const previous = chunks[c - 1]!;
      if (previous[previous.length - 1]! > chunks[c]![0]!) {
        chunks[c - 1] = previous.slice(0, -1) + chunks[c]!.slice(1);
        chunks.splice(c, 1);
      }
    }
    stuff = chunks.map(escapeSetChunk).join('-');
  }
  stuff = stuff.replace(/([&~|])/g, '\\$1').replace(/\]/g, '\\]'); // JavaScript needs `]` escaped even first in a set
  if (!stuff) return '(?!)'; // empty set: never matches
  if (stuff === '!') return '.'; // negated empty set: any character
  if (stuff[0] === '!') stuff = '^' + stuff.slice(1);
  else if (stuff[0] === '^' || stuff[0] === '[') stuff = '\\' + stuff;
  return `[${stuff}]`;
}

/** Marks a (collapsed) run of `*` among the translated pieces. */
const STAR = Symbol('star');

/**
 * Joins the translated pieces like Python 3.11's `fnmatch._join_translated_parts`: every
 * `*`-separated fixed run but the last becomes `(?=(?<g>.*?fixed))\k<g>`, a lookahead that
 * JavaScript (like Python's emulation) never backtracks into. So a pattern with many stars
 * costs O(name × pattern) instead of growing exponentially with the number of stars.
 */
function joinPieces(pieces: Array<string | typeof STAR>): string {
  let out = '';
  let i = 0;
  const n = pieces.length;
  while (i < n && pieces[i] !== STAR) out += pieces[i++] as string;
  let group = 0;
  while (i < n) {
    i++; // the STAR
    if (i === n) {
      out += '.*';
      break;
    }
    let fixed = '';
    while (i < n && pieces[i] !== STAR) fixed += pieces[i++] as string;
    if (i === n) out += `.*${fixed}`;
    else {
      group++;
      out += `(?=(?<g${group}>.*?${fixed}))\\k<g${group}>`;
    }
  }
  return out;
}

/**
 * Translates a shell-style glob into a regular expression matching whole names, exactly like
 * Python's `fnmatch.translate` (which Celery's `task_routes` and kombu's `glob` matcher use): `*`
 * matches any run of characters **including dots** (`billing.*` matches
 * `billing.sync.get_invoice`), `?` one character, `[abc]` / `[a-z]` / `[!abc]` a set; everything
 * else is literal. Case-sensitive. Matching time stays polynomial in the name and pattern
 * lengths whatever the pattern (runs of `*` collapse, no backtracking across stars).
 */
export function globToRegExp(glob: string): RegExp {
  const pieces: Array<string | typeof STAR> = [];
  const n = glob.length;
  for (let i = 0; i < n; ) {
    const c = glob[i++]!;
    if (c === '*') {
      if (pieces[pieces.length - 1] !== STAR) pieces.push(STAR);
    } else if (c === '?') {
      pieces.push('.');
    } else if (c === '[') {
      let j = i;
      if (j < n && glob[j] === '!') j++;
      if (j < n && glob[j] === ']') j++;
      while (j < n && glob[j] !== ']') j++;
      if (j >= n) {
        pieces.push('\\[');
      } else {
        pieces.push(translateSet(glob, i, j));
        i = j + 1;
      }
    } else {
      pieces.push(escapeChar(c));
    }
  }
  return new RegExp(`^(?:${joinPieces(pieces)})$`, 's');
}

/** True when Celery treats a `task_routes` key as a glob: it contains `*` (other keys match exactly). */
export function isGlob(key: string): boolean {
  return key.includes('*');
}
