/**
 * One `AmqpBroker` holds at most one AMQP connection, and none once `close()` has resolved:
 * `connect()` again while connected (as `CeleryClientProxy.connect()` does on every first
 * `send()`) opens no second connection, and `close()` during the first connect leaves none
 * behind. An orphaned connection keeps the process (and jest) alive forever.
 */
import { Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AmqpBroker, CeleryClientProxy, CeleryModule, getCeleryClientProxyToken } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { eventually } from './support/eventually.js';
import { listConnections } from './support/rabbitmqctl.js';
import { vhostOf } from './support/vhost.js';

const VHOST = vhostOf(BROKER_URL);
const NAME = 'one-connection';

/** The TCP sockets of this process (the AMQP connections: the test opens no other). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
}

/** Names of the connections starting with `prefix` that RabbitMQ still holds on the test vhost. */
async function connectionsLeft(prefix: string): Promise<string[]> {
  return (await listConnections(VHOST)).map((connection) => connection.name).filter((name) => name.startsWith(prefix));
}

/** Waits until the process holds `sockets` sockets, and checks RabbitMQ holds no connection named `prefix…`. */
async function expectAllClosed(sockets: number, prefix: string): Promise<void> {
  await eventually(() => openSockets() <= sockets, 10_000, 'the closed connections to release their sockets', () => `${openSockets()} open`);
  expect(await connectionsLeft(prefix)).toEqual([]);
}

it('connect() on a connected broker opens no second connection, and close() leaves none', async () => {
  const idle = openSockets();
  const broker = new AmqpBroker({ url: BROKER_URL, connectionName: `${NAME} broker` });
  await broker.connect();
  const connected = openSockets();
  // amqplib opens its socket synchronously: a second connect loop would show here at once.
  const again = broker.connect();
  expect(openSockets()).toBe(connected);
  await again;
  await Promise.all([broker.connect(), broker.whenConnected(), broker.connect()]);
  expect(openSockets()).toBe(connected);
  await broker.close();
  await expectAllClosed(idle, `${NAME} broker`);
});

it('close() at any moment of the first connect leaves no connection', async () => {
  const idle = openSockets();
  for (let i = 0; i < 20; i++) {
    const broker = new AmqpBroker({ url: BROKER_URL, connectionName: `${NAME} racing ${i}` });
    const connecting = broker.connect().catch(() => undefined);
    // 0–9 ms in: before, during and after the TCP connect and the AMQP handshake.
    if (i % 10 > 0) await new Promise((resolve) => setTimeout(resolve, i % 10));
    await broker.close();
    await connecting;
  }
  await expectAllClosed(idle, `${NAME} racing`);
});

it("a CeleryModule registration's ClientProxy reuses the module's connection, closed with the app", async () => {
  const idle = openSockets();
  @Module({
    imports: [
      CeleryModule.forRootAsync({ name: 'billing', useFactory: () => ({ brokerUrl: BROKER_URL, connectionName: `${NAME} module` }) }),
    ],
  })
  class BillingCallerModule {}
  for (let i = 0; i < 3; i++) {
    const app: INestApplicationContext = await (await Test.createTestingModule({ imports: [BillingCallerModule] }).compile()).init();
    const connected = openSockets();
    // What Nest's ClientProxy.send()/emit() call first.
    await app.get<CeleryClientProxy>(getCeleryClientProxyToken('billing')).connect();
    expect(openSockets()).toBe(connected);
    await app.close();
  }
  await expectAllClosed(idle, `${NAME} module`);
});
