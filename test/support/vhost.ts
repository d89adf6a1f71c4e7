import { execFileSync } from 'node:child_process';

/** The vhost of an amqp URL (`//` and no path mean `/`). */
export function vhostOf(url: string): string {
  const path = new URL(url).pathname;
  return path === '' || path === '/' || path === '//' ? '/' : decodeURIComponent(path.slice(1));
}

/** The same URL on another vhost. */
export function withVhost(url: string, vhost: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(vhost)}`;
  return parsed.toString();
}

/**
 * Makes sure `vhost` exists with full permissions for `guest`, through `rabbitmqctl` (needs root
 * on the broker's machine). Returns undefined when the vhost is usable, else why it is not.
 */
export function ensureVhost(vhost: string): string | undefined {
  try {
    const listed = execFileSync('rabbitmqctl', ['-q', 'list_vhosts', 'name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (!listed.split('\n').map((line) => line.trim()).includes(vhost)) {
      execFileSync('rabbitmqctl', ['add_vhost', vhost], { stdio: 'ignore' });
    }
    execFileSync('rabbitmqctl', ['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    return `cannot create RabbitMQ vhost '${vhost}' with rabbitmqctl (${(error as Error).message.split('\n')[0]}); run as root on the broker host`;
  }
}
