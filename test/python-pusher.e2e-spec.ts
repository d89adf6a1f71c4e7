/**
 * The example Python pusher (examples/python-pusher, real Celery 5.2.6) called from Nest:
 * both versions of its task, its refusals as typed remote errors, fire-and-forget calls, and
 * billing's InvoicePusher handing it an invoice document.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Invoice } from '@app/contracts';
import { CeleryClient, CeleryRemoteError } from 'nestjs-celery';
import { InvoicePusher, invoiceDocumentKey } from '../apps/billing/src/invoice.pusher.js';
import { BROKER_URL } from './support/broker-url.js';
import type { ManagedProcess } from './support/child-process.js';
import { PUSHER_QUEUE, startPythonPusher } from './support/python-pusher.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

let bucket: string;
let pusher: ManagedProcess;
let client: CeleryClient;

/** Resolves once `path` exists (the fire-and-forget calls have no result to wait on). */
async function fileAppears(path: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${timeoutMs} ms. Pusher log:\n${pusher.log.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  bucket = mkdtempSync(join(tmpdir(), 'pusher-bucket-'));
  await deleteQueues(BROKER_URL, PUSHER_QUEUE);
  pusher = await startPythonPusher(bucket);
  client = new CeleryClient({ brokerUrl: BROKER_URL, connectionName: 'python-pusher-e2e' });
  await client.connect();
}, 70_000);

afterAll(async () => {
  await client?.close();
  await pusher?.stop();
  await deleteQueues(BROKER_URL, PUSHER_QUEUE);
  rmSync(bucket, { recursive: true, force: true });
});

describe('examples/python-pusher', () => {
  it('v1 pusher.send_to_s3(key, content) writes the object and answers like put_object', async () => {
    const content = 'héllo, bucket\n';
    const result = await client.sendTask<{ key: string; bytes: number; etag: string }>('pusher.send_to_s3', ['notes/v1.txt', content], {}, { queue: PUSHER_QUEUE });
    expect(await result.get({ timeout: 15_000 })).toEqual({ key: 'notes/v1.txt', bytes: Buffer.byteLength(content), etag: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(readFileSync(join(bucket, 'notes/v1.txt'), 'utf8')).toBe(content);
    expect(existsSync(join(bucket, 'notes/v1.txt.metadata.json'))).toBe(false);
  });

  it('v2 pusher.send_to_s3_v2(key, content, content_type) also records the content type', async () => {
    const content = JSON.stringify({ hello: 'v2' });
    const result = await client.sendTask('pusher.send_to_s3_v2', ['docs/v2.json', content, 'application/json'], {}, { queue: PUSHER_QUEUE });
    expect(await result.get({ timeout: 15_000 })).toMatchObject({ key: 'docs/v2.json', content_type: 'application/json' });
    expect(readFileSync(join(bucket, 'docs/v2.json'), 'utf8')).toBe(content);
    expect(JSON.parse(readFileSync(join(bucket, 'docs/v2.json.metadata.json'), 'utf8'))).toMatchObject({ content_type: 'application/json', bytes: content.length });
  });

  it('refuses keys that leave the bucket and bad content types as ValueError, and keeps running', async () => {
    const escape = await client.sendTask('pusher.send_to_s3', ['../escape.txt', 'x'], {}, { queue: PUSHER_QUEUE });
    const error = await escape.get({ timeout: 15_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error).toMatchObject({ excType: 'ValueError' });
    expect(existsSync(join(bucket, '..', 'escape.txt'))).toBe(false);
    const badType = await client.sendTask('pusher.send_to_s3_v2', ['a.txt', 'x', 'json'], {}, { queue: PUSHER_QUEUE });
    await expect(badType.get({ timeout: 15_000 })).rejects.toMatchObject({ excType: 'ValueError', excMessage: expect.stringContaining('MIME type') });
    const ok = await client.sendTask('pusher.send_to_s3', ['after-errors.txt', 'still here'], {}, { queue: PUSHER_QUEUE });
    await expect(ok.get({ timeout: 15_000 })).resolves.toMatchObject({ key: 'after-errors.txt' });
  });

  it('takes fire-and-forget calls (no reply_to), as billing sends them', async () => {
    await client.sendTask('pusher.send_to_s3', ['fire/forget.txt', 'no reply'], {}, { queue: PUSHER_QUEUE, replyTo: null, ignoreResult: true });
    await fileAppears(join(bucket, 'fire/forget.txt'));
    expect(readFileSync(join(bucket, 'fire/forget.txt'), 'utf8')).toBe('no reply');
  });

  it("billing's InvoicePusher stores the invoice document as application/json", async () => {
    const invoice: Invoice = {
      invoiceId: 'inv-1',
      orderId: 'order-1',
      customer: 'ada@example.com',
      lines: [{ itemId: 'book', quantity: 2, unitPrice: 12.5 }],
      net: 25,
      tax: 5,
      total: 30,
      issuedAt: new Date().toISOString(),
      status: 'issued',
    };
    const key = await new InvoicePusher(client).push(invoice);
    expect(key).toBe(invoiceDocumentKey(invoice));
    await fileAppears(join(bucket, `${key}.metadata.json`));
    expect(JSON.parse(readFileSync(join(bucket, key), 'utf8'))).toEqual(invoice);
    expect(JSON.parse(readFileSync(join(bucket, `${key}.metadata.json`), 'utf8')).content_type).toBe('application/json');
  });
});
