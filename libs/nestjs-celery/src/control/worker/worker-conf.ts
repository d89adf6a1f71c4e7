import { redactUrl, redactUrlList, URL_SECRET_MASK } from '../../broker/broker-url.redaction.js';

/** Celery's mask for hidden settings and URL passwords (`filter_hidden_settings`). */
const MASK = URL_SECRET_MASK;
/** Setting names Celery masks entirely (`celery.app.utils.HIDDEN_SETTINGS`). */
const HIDDEN_SETTINGS = /API|TOKEN|KEY|SECRET|PASS|PROFANITIES_LIST|SIGNATURE|DATABASE/i;
/**
 * scheme://[user[:password]@]host[:port][/path], host possibly an IPv6 literal. Only URLs this
 * matches cleanly are rebuilt the way kombu writes them; any other is passed to {@link redactUrl}.
 */
const URL_PARTS = /^([^:/]+):\/\/(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(\[[0-9A-Fa-f:.]*\]|[^/:@?#[\]]*)(?::(\d+))?(?:\/([^@]*))?$/;

/** kombu's `maybe_sanitize_url(url, mask)`: the URL rebuilt with its password masked; other values as they are. */
export function sanitizeUrl(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  if (!url.includes('://')) return redactUrl(url);
  if (url.includes(';')) return redactUrlList(url);
  const parts = URL_PARTS.exec(url);
  if (!parts) return redactUrl(url);
  const [, scheme, user, password, host, port, path] = parts;
  // A userinfo without a password may be a token (`redis://token@host`): masked whole.
  const login = password ? `${user ?? ''}:${MASK}@` : user ? `${MASK}@` : '';
  return `${scheme}://${login}${host}${port ? `:${port}` : ''}/${path ?? ''}`;
}

/**
 * The broker URL as kombu's `Connection(url).as_uri(mask)` writes it for an AMQP URL: user
 * (default `guest`), masked password, host, port (default 5672, 5671 for `amqps`) and virtual
 * host (`//` for `/`). Other URLs (e.g. `memory://`) only get their password masked.
 */
export function maskBrokerUrl(url: string): string {
  // A failover list (`a;b`, kombu's spelling): each URL masked.
  if (url.includes(';')) return url.split(';').map(maskBrokerUrl).join(';');
  const parts = URL_PARTS.exec(url);
  if (!parts || (parts[1] !== 'amqp' && parts[1] !== 'amqps')) return String(sanitizeUrl(url));
  const [, scheme, user, , host, port, path] = parts;
  const vhost = path === undefined || path === '' ? '/' : path;
  return `${scheme}://${user || 'guest'}:${MASK}@${host || 'localhost'}:${port ?? (scheme === 'amqps' ? 5671 : 5672)}/${vhost}`;
}

/**
 * Celery's `filter_hidden_settings`, as `inspect conf` applies it: secrets (by name) become
 * `********`, `*broker_url*` values lose their password like `Connection.as_uri(mask)`, and
 * `*backend*` URLs like `maybe_sanitize_url`. Any other string holding URL credentials is
 * redacted too (Celery would show it).
 */
export function censorSettings(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (HIDDEN_SETTINGS.test(key)) out[key] = MASK;
    else if (key.toLowerCase().includes('broker_url') && typeof value === 'string') out[key] = maskBrokerUrl(value);
    else if (key.toLowerCase().includes('backend')) out[key] = sanitizeUrl(value);
    else out[key] = typeof value === 'string' && (value.includes('@') || value.includes('://')) ? redactUrlList(value) : value;
  }
  return out;
}
