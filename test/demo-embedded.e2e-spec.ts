/**
 * `npm run demo -- --exit` in embedded mode (CELERY_BROKER_URL unset): the three sample services in
 * one Node process on the in-memory broker, no RabbitMQ, no Python; exits 0 after a summary whose
 * checks all held.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Preload that makes any connection to RabbitMQ's port fail the child (exit 99). */
const FORBID_AMQP = `--import ${fileURLToPath(new URL('./support/forbid-amqp.mjs', import.meta.url))}`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

it('npm run demo -- --exit: embedded flow, checked summary, exit code 0, without RabbitMQ (no connection to 5672), Python or ensure-services', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, ORDER_PORT: String(await freePort()), LOGISTIC_DISPATCH_DELAY_S: '1', NODE_OPTIONS: FORBID_AMQP };
  delete env.CELERY_BROKER_URL;
  delete env.BILLING_JOURNAL;
  const child = spawn('npm', ['run', '--silent', 'demo', '--', '--exit'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('\nsummary\n') });
  expect(output).toContain('[demo]     embedded mode:');
  expect(output).toContain('Python pusher: SKIPPED');
  expect(output).toMatch(/\[order\] {4}POST \/orders → \S+ \(ada@example\.com, 2 line\(s\)\) → order\.v1\.submit/);
  expect(output).toMatch(/\[billing\] {2}order\.v1\.submit \S+: posted sale, invoice \w+ total 34\.32 → billing\.v1\.invoiced/);
  expect(output).toMatch(/\[logistic\] logistic\.async\.dispatch \S+: shipment \w+ dispatched → logistic\.v1\.dispatched/);
  expect(output).toMatch(/\[demo\] {5}POST \/orders \(invalid\) → 400/);
  expect(output).toContain('ok   ledger balances (trial balance: debits = credits)');
  expect(output).toContain('ok   charged-back shipment cancelled');
  expect(output).not.toContain('FAIL');
  expect(output).not.toMatch(/ensure-services|python3-celery/i);
}, 40_000);

it('without --exit it keeps serving the order API after the summary, until SIGINT (Ctrl-C)', async () => {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ORDER_PORT: String(port), LOGISTIC_DISPATCH_DELAY_S: '1', NODE_OPTIONS: FORBID_AMQP };
  delete env.CELERY_BROKER_URL;
  delete env.BILLING_JOURNAL;
  // scripts/demo.sh execs node, so the signal reaches the demo itself.
  const child = spawn('bash', ['scripts/demo.sh'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  try {
    const until = Date.now() + 30_000;
    while (!output.includes('serving the order API')) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`demo did not reach serving:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const orders = (await (await fetch(`http://127.0.0.1:${port}/orders`)).json()) as Array<{ status: string }>;
    expect(orders.map((o) => o.status)).toEqual(['dispatched', 'dispatched', 'charged_back']);
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(130);
    expect(output).toContain('stopping');
  } finally {
    child.kill('SIGKILL');
  }
}, 40_000);
