/** Regex text of each wildcard, as kombu's virtual `TopicExchange.wildcards`. */
const WILDCARDS: Record<string, string> = { '*': '.*?[^\\.]', '#': '.*?' };

/** kombu's `escape_regex(rkey, '.#*')`: a backslash before every character but alphanumerics, `#` and `*`. */
function escapeWord(word: string): string {
  return [...word].map((c) => (c === '#' || c === '*' || /[\p{L}\p{N}]/u.test(c) ? c : c === '\0' ? '\\000' : `\\${c}`)).join('');
}

/**
 * The pattern kombu stores beside a topic binding in `_kombu.binding.<exchange>`
 * (`TopicExchange.key_to_pattern`): `^order\.` + `.*?[^\.]` + `\.submit$` for `order.*.submit`.
 * Python publishers match routing keys against this stored text, so it must be kombu's.
 */
export function kombuTopicPattern(bindingKey: string): string {
  return `^${bindingKey.split('.').map((word) => WILDCARDS[word] ?? escapeWord(word)).join('\\.')}$`;
}

const compiled = new Map<string, RegExp | null>();

/**
 * True when `routingKey` matches a pattern stored by kombu (or {@link kombuTopicPattern}), with
 * kombu's semantics (`re.match`): `*` matches one or more characters ending in a non-dot, so
 * `order.*.submit` also matches `order.a.b.submit`; `order.#` needs the dot. An unreadable
 * pattern matches nothing.
 */
export function matchesKombuPattern(pattern: string, routingKey: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern);
    } catch {
      regex = null;
    }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex !== null && regex.test(routingKey);
}
