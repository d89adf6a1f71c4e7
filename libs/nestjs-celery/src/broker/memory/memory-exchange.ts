import type { ExchangeDeclaration } from '../topology.js';
import type { MemoryQueue } from './memory-queue.js';
import { TopicMatcher } from '../topic.matcher.js';

/** A binding of a queue to an exchange. */
interface Binding {
  queue: MemoryQueue;
  routingKey: string;
  /** Binding arguments as JSON, part of the binding's identity. */
  argumentsKey: string;
  arguments: Record<string, unknown>;
  /** Topic exchanges only. */
  topic?: TopicMatcher;
}

function headersMatch(args: Record<string, unknown>, headers: Record<string, unknown>): boolean {
  const mode = String(args['x-match'] ?? 'all');
  const any = mode.startsWith('any');
  const withX = mode.endsWith('-with-x');
  let matched = 0;
  let considered = 0;
  for (const key of Object.keys(args)) {
    if (key === 'x-match' || (!withX && key.startsWith('x-'))) continue;
    considered++;
    const expected = args[key];
    const ok = key in headers && (expected === null || expected === undefined || headers[key] === expected);
    if (ok) matched++;
    if (any && ok) return true;
    if (!any && !ok) return false;
  }
  return any ? considered === 0 : matched === considered;
}

/**
 * An exchange of the memory broker and its bindings, routing like RabbitMQ: `direct` by equal
 * routing key, `topic` by binding pattern (`*` one word, `#` zero or more), `fanout` to every
 * bound queue, `headers` by `x-match` all/any over the binding arguments.
 */
export class MemoryExchange {
  private readonly bindings: Binding[] = [];
  private hadBinding = false;

  constructor(
    readonly name: string,
    readonly type: ExchangeDeclaration['type'],
    readonly durable: boolean,
    readonly autoDelete: boolean,
    readonly args: Record<string, unknown>,
  ) {}

  /** Number of bindings. */
  get bindingCount(): number {
    return this.bindings.length;
  }

  /** True for an auto-delete exchange that had bindings and has none left. */
  get unused(): boolean {
    return this.autoDelete && this.hadBinding && this.bindings.length === 0;
  }

  /** Adds a binding (idempotent: the same queue, key and arguments bind once). */
  bind(queue: MemoryQueue, routingKey: string, args: Record<string, unknown>): void {
    const argumentsKey = JSON.stringify(args);
    if (this.bindings.some((b) => b.queue === queue && b.routingKey === routingKey && b.argumentsKey === argumentsKey)) return;
    this.bindings.push({
      queue,
      routingKey,
      argumentsKey,
      arguments: args,
      topic: this.type === 'topic' ? new TopicMatcher(routingKey) : undefined,
    });
    this.hadBinding = true;
  }

  /** Removes every binding of `queue` (the queue was deleted). */
  unbindQueue(queue: MemoryQueue): void {
    for (let i = this.bindings.length - 1; i >= 0; i--) {
      if (this.bindings[i]!.queue === queue) this.bindings.splice(i, 1);
    }
  }

  /** Adds the queues a message with this routing key and headers goes to. */
  route(routingKey: string, headers: Record<string, unknown>, into: Set<MemoryQueue>): void {
    for (const binding of this.bindings) {
      let matches: boolean;
      switch (this.type) {
        case 'fanout':
          matches = true;
          break;
        case 'topic':
          matches = binding.topic!.matches(routingKey);
          break;
        case 'headers':
          matches = headersMatch(binding.arguments, headers);
          break;
        default:
          matches = binding.routingKey === routingKey;
      }
      if (matches) into.add(binding.queue);
    }
  }
}
