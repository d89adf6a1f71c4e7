/**
 * Child process of the W4 events bench:
 *   node --import @swc-node/register/esm-register bench/events/w4-child.ts <consumer|producer> <system> '<W4Context json>'
 * Speaks the same control protocol as bench/child.ts (`expect`, `done`, `w1`, `stats`, `exit`).
 */
import 'reflect-metadata';
import { ChildHost } from '../lib/host.js';
import { runW1 } from '../lib/workloads.js';
import { W4_SYSTEMS, type W4Context } from './w4-systems.js';

async function main(): Promise<void> {
  const [role, systemName, contextJson] = process.argv.slice(2);
  const system = W4_SYSTEMS[systemName ?? ''];
  if ((role !== 'consumer' && role !== 'producer') || !system || !contextJson) {
    throw new Error(`usage: w4-child.ts <consumer|producer> <${Object.keys(W4_SYSTEMS).join('|')}> <context-json>`);
  }
  const ctx = JSON.parse(contextJson) as W4Context;
  const host = new ChildHost();
  if (role === 'consumer') {
    const consumer = await system.startConsumer(ctx, { handled: host.handled });
    host.setExitHook(() => consumer.stop());
  } else {
    const producer = await system.startProducer(ctx);
    host.setExitHook(() => producer.close());
    host.register('w1', (command) => runW1(producer, Number(command.n), Number(command.window ?? 1000)));
  }
  host.emit({ event: 'ready', pid: process.pid, node: process.version });
}

main().catch((error: unknown) => {
  process.stderr.write(`w4 child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
