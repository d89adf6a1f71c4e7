/**
 * TLS proven (issue 16, point 2): the test makes a CA and server and client certificates with
 * openssl, starts a private RabbitMQ node with a TLS listener that verifies peers, and runs a task
 * round trip and an event over `amqps://` with `brokerConnection.tls`. A wrong CA fails at once
 * with a typed `BrokerTlsError` (no hang); the key's passphrase never appears in the error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderChargedBack } from '@app/contracts';
import {
  BrokerTlsError,
  CeleryClient,
  CeleryTask,
  EventContext,
  EventPublisher,
  OnEvent,
  ServerCelery,
  TaskArg,
  type BrokerConnectionOptions,
} from 'nestjs-celery';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { PrivateRabbitMq } from './support/private-rabbitmq.js';

const PASSPHRASE = 'tls-Key-Passphrase-42';
const events: Array<{ orderId: string; routingKey: string }> = [];

@Controller()
class TlsTasks {
  @CeleryTask('tls.add')
  add(@TaskArg(0) a: number, @TaskArg(1) b: number): number {
    return a + b;
  }

  @OnEvent(OrderChargedBack)
  chargedBack(@Payload() event: OrderChargedBack, @Ctx() ctx: EventContext): void {
    events.push({ orderId: event.orderId, routingKey: ctx.routingKey });
  }
}

@Module({ controllers: [TlsTasks] })
class TlsModule {}

interface Pki {
  ca: string;
  otherCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  /** The client key, encrypted with {@link PASSPHRASE}. */
  clientKey: string;
}

/** A CA, a server certificate for `localhost` / 127.0.0.1 and a client certificate, all by openssl; and an unrelated CA. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-celery-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    for (const ca of ['ca', 'other-ca']) {
      ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=nestjs-celery test ${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.pem`);
    }
    const sign = (name: string, subject: string, ext: string, keyArgs: string[]) => {
      ssl('req', '-newkey', 'rsa:2048', ...keyArgs, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      writeFileSync(join(dir, `${name}.ext`), ext);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    };
    sign('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n', ['-nodes']);
    sign('client', '/CN=nestjs-celery-client', 'extendedKeyUsage=clientAuth\n', ['-passout', `pass:${PASSPHRASE}`]);
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    return {
      ca: read('ca.pem'),
      otherCa: read('other-ca.pem'),
      serverCert: read('server.pem'),
      serverKey: read('server.key'),
      clientCert: read('client.pem'),
      clientKey: read('client.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let pki: Pki;
let rabbit: PrivateRabbitMq;
let tlsPort: number;
let worker: INestMicroservice | undefined;

const amqpsUrl = () => `amqps://guest:guest@localhost:${tlsPort}//`;
const tlsOptions = (ca = pki.ca): BrokerConnectionOptions => ({
  tls: { ca, cert: pki.clientCert, key: pki.clientKey, passphrase: PASSPHRASE, servername: 'localhost' },
  heartbeatSeconds: 10,
});

beforeAll(async () => {
  pki = makePki();
  tlsPort = await freePort();
  rabbit = await PrivateRabbitMq.start({
    files: { 'ca.pem': pki.ca, 'server.pem': pki.serverCert, 'server.key': pki.serverKey },
    extraConfig: (dir) =>
      [
        `listeners.ssl.default = 127.0.0.1:${tlsPort}`,
        `ssl_options.cacertfile = ${join(dir, 'ca.pem')}`,
        `ssl_options.certfile = ${join(dir, 'server.pem')}`,
        `ssl_options.keyfile = ${join(dir, 'server.key')}`,
        'ssl_options.verify = verify_peer',
        'ssl_options.fail_if_no_peer_cert = true',
        // guest may log in from loopback only: the TLS connection comes from 127.0.0.1
      ].join('\n'),
  });
}, 180_000);

afterAll(async () => {
  await worker?.close().catch(() => undefined);
  await rabbit?.dispose();
}, 60_000);

describe('amqps:// with brokerConnection.tls (private TLS RabbitMQ node, peer verification on)', () => {
  it('runs a task round trip and delivers an event over TLS', async () => {
    const server = new ServerCelery({
      brokerUrl: amqpsUrl(),
      brokerConnection: tlsOptions(),
      queues: ['tls.tasks'],
      service: 'tlsbilling',
      workerEvents: false,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    worker = await NestFactory.createMicroservice(TlsModule, { strategy: server, logger: false });
    await worker.listen();
    const client = new CeleryClient({ brokerUrl: amqpsUrl(), brokerConnection: tlsOptions(), defaultQueue: 'tls.tasks' });
    try {
      const result = await client.sendTask<number>('tls.add', [2, 40]);
      expect(await result.get({ timeout: 20_000 })).toBe(42);
      const publisher = new EventPublisher(client.unwrap());
      await publisher.publish(Object.assign(new OrderChargedBack(), { orderId: 'tls-1', reason: 'test' }));
      await eventually(() => events.length === 1, 20_000, 'the event over TLS');
      expect(events).toEqual([{ orderId: 'tls-1', routingKey: 'order.v1.chargeback' }]);
      const connections = await rabbit.ctl('list_connections', 'ssl', 'peer_cert_subject', 'client_properties');
      expect(connections).toMatch(/true\s+CN=nestjs-celery-client/);
    } finally {
      await client.close();
    }
  }, 90_000);

  it('a wrong CA fails fast with BrokerTlsError, not a hang, and never shows the passphrase', async () => {
    const client = new CeleryClient({ brokerUrl: amqpsUrl(), brokerConnection: tlsOptions(pki.otherCa), resultBackend: 'disabled' });
    const started = Date.now();
    try {
      const error = await client.connect().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(BrokerTlsError);
      expect((error as BrokerTlsError).code).toMatch(/CERT|SIGNATURE|UNABLE_TO/);
      expect((error as Error).message).toContain('brokerConnection.tls');
      expect((error as Error).message).not.toContain(PASSPHRASE);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await client.close();
    }
  }, 30_000);
});
