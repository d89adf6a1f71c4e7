import type { ResolvedBrokerConnection } from './broker-connection.options.js';

/** What `amqplib.connect(url, socketOptions)` is called with for one broker URL. */
export interface AmqpConnectArgs {
  url: string;
  socketOptions: Record<string, unknown>;
}

/** `scheme://authority`, the path, the query (each possibly empty). */
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)(\?[^#]*)?/;

/**
 * amqplib's public connect arguments for `url` under `settings`: the URL with `heartbeat`,
 * `frameMax` and `channelMax` added to its query (values the URL sets itself win) and the vhost
 * option in place of its path; the socket options carry the connect timeout, TLS settings and
 * client properties (`connection_name` included).
 */
export function amqpConnectArgs(url: string, settings: ResolvedBrokerConnection, connectionName: string): AmqpConnectArgs {
  const parts = URL_PARTS.exec(url);
  let target = url;
  if (parts) {
    const [, authority, path, query = ''] = parts;
    const vhostPath = settings.vhost === undefined ? path : `/${encodeURIComponent(settings.vhost)}`;
    const params = query ? [query.slice(1)] : [];
    const add = (name: string, value: number | undefined) => {
      if (value !== undefined && !new RegExp(`(^|[?&])${name}=`).test(query)) params.push(`${name}=${value}`);
    };
    add('heartbeat', settings.heartbeatSeconds);
    add('frameMax', settings.frameMax);
    add('channelMax', settings.channelMax);
    const joined = params.filter((p) => p !== '').join('&');
    target = `${authority}${vhostPath}${joined ? `?${joined}` : ''}`;
  }
  return {
    url: target,
    socketOptions: {
      noDelay: true,
      timeout: settings.connectionTimeoutMs,
      clientProperties: { ...settings.clientProperties, connection_name: connectionName },
      ...(settings.tls ?? {}),
    },
  };
}
