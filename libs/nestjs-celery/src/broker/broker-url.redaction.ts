/** What a secret of a URL is replaced with: Celery's mask (`filter_hidden_settings`, `as_uri(mask)`). */
export const URL_SECRET_MASK = '********';

/** `scheme:` and the slashes after it (any case, any number of slashes, `amqp:/` included). */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(\/*)/;

/** Where the userinfo of a URL ends, found without trusting the URL to be well formed. */
interface Userinfo {
  /** Text before the userinfo (`scheme://`, or '' without a scheme). */
  prefix: string;
  /** The userinfo, without its `@`. */
  userinfo: string;
  /** Text after the `@`: host, port, path, query. */
  rest: string;
  /** True when the URL is not clearly `user[:password]@host`: then the whole userinfo is masked. */
  doubtful: boolean;
}

function findUserinfo(url: string): Userinfo | undefined {
  const scheme = SCHEME.exec(url);
  const prefix = scheme ? scheme[0] : '';
  const tail = url.slice(prefix.length);
  const authorityEnd = tail.search(/[/?#]/);
  const authority = authorityEnd === -1 ? tail : tail.slice(0, authorityEnd);
  let at = authority.lastIndexOf('@');
  let doubtful = !scheme;
  if (at === -1) {
    // An `@` past the first `/`, `?` or `#` may end a password that holds one of them unencoded.
    at = tail.lastIndexOf('@');
    doubtful = true;
  }
  if (at === -1) return undefined;
  return { prefix, userinfo: tail.slice(0, at), rest: tail.slice(at + 1), doubtful };
}

/** `host:port` whose port is not a number (outside an IPv6 literal): likely `user:password` missing its `@host`. */
function looksLikeBareCredentials(url: string): boolean {
  const scheme = SCHEME.exec(url);
  if (!scheme) return false;
  const tail = url.slice(scheme[0].length);
  const end = tail.search(/[/?#]/);
  const authority = end === -1 ? tail : tail.slice(0, end);
  if (authority.startsWith('[')) return !/^\[[^\]]*\](?::\d*)?$/.test(authority);
  const colon = authority.indexOf(':');
  return colon !== -1 && !/^\d*$/.test(authority.slice(colon + 1));
}

/**
 * A URL fit for logs, errors and replies: the password becomes `********` (`user:********@host`),
 * and the whole userinfo does when it is not clearly `user:password` (no `:`, an `@` past the
 * host, no scheme). Works on any scheme and spelling (`AMQP://`, `amqp:/`, `redis://:pw@`), IPv6
 * literals, percent-encoding and malformed URLs; text without credentials comes back unchanged.
 */
export function redactUrl(url: string): string {
  const found = findUserinfo(url);
  if (!found) {
    if (!looksLikeBareCredentials(url)) return url;
    const scheme = SCHEME.exec(url)![0];
    const tail = url.slice(scheme.length);
    const end = tail.search(/[/?#]/);
    return `${scheme}${URL_SECRET_MASK}${end === -1 ? '' : tail.slice(end)}`;
  }
  const { prefix, userinfo, rest, doubtful } = found;
  const colon = userinfo.indexOf(':');
  const login = doubtful || colon === -1 ? URL_SECRET_MASK : `${userinfo.slice(0, colon)}:${URL_SECRET_MASK}`;
  return `${prefix}${login}@${rest}`;
}

/** The password (or whole userinfo) of `url`, raw and percent-decoded, for scrubbing free text. */
function secretsOf(url: string): string[] {
  const found = findUserinfo(url);
  if (!found) return [];
  const colon = found.userinfo.indexOf(':');
  const secret = found.doubtful || colon === -1 ? found.userinfo : found.userinfo.slice(colon + 1);
  const secrets = new Set([secret]);
  try {
    secrets.add(decodeURIComponent(secret));
  } catch {
    // not valid percent-encoding: the raw form is all there is
  }
  // Very short secrets would mask unrelated characters; the URL itself is still replaced whole.
  return [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/**
 * Free text that may quote `url` or its password (a third-party error message, say): the URL
 * is replaced by {@link redactUrl}'s form and any remaining copy of the password is masked.
 */
export function redactUrlIn(text: string, url: string): string {
  let out = url ? text.split(url).join(redactUrl(url)) : text;
  for (const secret of secretsOf(url)) out = out.split(secret).join(URL_SECRET_MASK);
  return out;
}

/** A configured URL value quoted for an error text: a string redacted, anything else by its type only. */
export function describeUrlValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(redactUrl(value));
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a value of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

/** A kombu-style URL list (`a;b`), each URL through {@link redactUrl}. */
export function redactUrlList(urls: string): string {
  return urls.includes(';') ? urls.split(';').map(redactUrl).join(';') : redactUrl(urls);
}
