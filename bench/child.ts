/**
 * Entry point of the Node children the driver spawns:
 *   node --import @swc-node/register/esm-register bench/child.ts <consumer|producer> <system> '<RunContext json>'
 * It loads bench/systems/<system>.ts, starts that system's consumer or producer and then obeys
 * the driver's commands (bench/lib/protocol.ts).
 */
import 'reflect-metadata';
import { ChildHost } from './lib/host.js';
import { runW1, runW2, runW3 } from './lib/workloads.js';
import { loadSystem } from './systems/index.js';
import type { RunContext } from './systems/types.js';

async function main(): Promise<void> {
  const [role, systemName, contextJson] = process.argv.slice(2);
  if ((role !== 'consumer' && role !== 'producer') || !systemName || !contextJson) {
    throw new Error('usage: child.ts <consumer|producer> <system> <context-json>');
  }
  const system = await loadSystem(systemName);
  const ctx = JSON.parse(contextJson) as RunContext;
  const host = new ChildHost();

  if (role === 'consumer') {
    if (!system.startConsumer) throw new Error(`${systemName} has no Node consumer`);
    const consumer = await system.startConsumer(ctx, { handled: host.handled });
    host.setExitHook(() => consumer.stop());
  } else {
    if (!system.startProducer) throw new Error(`${systemName} has no Node producer`);
    const producer = await system.startProducer(ctx);
    host.setExitHook(() => producer.close());
    host.register('w1', (command) => runW1(producer, Number(command.n), Number(command.window ?? 1000)));
    host.register('w2', (command) => runW2(producer, Number(command.n)));
    host.register('w3', (command) => runW3(producer, Number(command.n), Number(command.inflight ?? 100)));
  }
  host.emit({ event: 'ready', pid: process.pid, node: process.version });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
