import { amqplib } from 'nestjs-celery';
import { BROKER_URL } from './broker-url.js';
import { rabbitmqctl } from './rabbitmqctl.js';
import { vhostOf, withVhost } from './vhost.js';

/** A vhost of the fault suite: its name and the broker URL that opens it. */
export interface FaultVhost {
  name: string;
  url: string;
}

/**
 * The vhost of one fault spec, `faults.<spec>` (prefixed with the tests' own vhost when that is
 * not `/`, so parallel runs on one broker stay apart). Created with `rabbitmqctl` only when it
 * cannot be opened yet; connections are only ever closed on this vhost.
 */
export async function faultVhost(spec: string): Promise<FaultVhost> {
  const base = vhostOf(BROKER_URL);
  const name = `${base === '/' ? '' : base + '.'}faults.${spec}`;
  const url = withVhost(BROKER_URL, name);
  const opened = await amqplib.connect(url).then(
    (connection) => connection.close().then(() => true),
    () => false,
  );
  if (!opened) {
    await rabbitmqctl(['add_vhost', name]).catch(() => undefined);
    await rabbitmqctl(['set_permissions', '-p', name, 'guest', '.*', '.*', '.*']);
  }
  return { name, url };
}
