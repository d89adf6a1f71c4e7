import { execFile } from 'node:child_process';

/**
 * Runs `rabbitmqctl -q <args>` without blocking the test's event loop (a child's output and a
 * publisher's confirms keep flowing while it runs); resolves with stdout, rejects with stderr.
 */
export function rabbitmqctl(args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('rabbitmqctl', ['-q', ...args], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`rabbitmqctl ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A client connection as `rabbitmqctl list_connections` shows it. */
export interface BrokerConnection {
  /** Erlang pid, the argument of `close_connection`. */
  pid: string;
  vhost: string;
  /** The connection name the client gave (`connection_name` client property), '' if none. */
  name: string;
}

/** Every client connection on `vhost` (no other vhost is ever listed, so no other is touched). */
export async function listConnections(vhost: string): Promise<BrokerConnection[]> {
  const out = await rabbitmqctl(['list_connections', 'pid', 'vhost', 'client_properties']);
  const connections: BrokerConnection[] = [];
  for (const line of out.split('\n').slice(1)) {
    const [pid, host, properties = ''] = line.split('\t');
    if (!pid || host !== vhost) continue;
    const name = /\{"connection_name","((?:[^"\\]|\\.)*)"\}/.exec(properties)?.[1] ?? '';
    connections.push({ pid, vhost: host, name });
  }
  return connections;
}

/**
 * `rabbitmqctl close_connection` for the connections of `vhost` whose name `select` accepts,
 * all at once; returns the names of those closed.
 */
export async function closeConnections(vhost: string, select: (name: string) => boolean, reason = 'fault injection'): Promise<string[]> {
  const chosen = (await listConnections(vhost)).filter((connection) => select(connection.name));
  await Promise.all(chosen.map((connection) => rabbitmqctl(['close_connection', connection.pid, reason]).catch(() => undefined)));
  return chosen.map((connection) => connection.name);
}

/** Ready and unacknowledged messages of a queue on `vhost`, from `rabbitmqctl list_queues`. */
export async function queueCounts(vhost: string, queue: string): Promise<{ ready: number; unacknowledged: number }> {
  const out = await rabbitmqctl(['list_queues', '-p', vhost, 'name', 'messages_ready', 'messages_unacknowledged']);
  for (const line of out.split('\n')) {
    const [name, ready, unacknowledged] = line.split('\t');
    if (name === queue) return { ready: Number(ready), unacknowledged: Number(unacknowledged) };
  }
  return { ready: 0, unacknowledged: 0 };
}
