import type { BindingDeclaration, ExchangeBindingDeclaration, ExchangeDeclaration, QueueDeclaration, Topology } from './topology.js';

/** One entity of a {@link Topology}, tagged with its kind. */
export type Declaration =
  | { kind: 'exchange'; value: ExchangeDeclaration }
  | { kind: 'queue'; value: QueueDeclaration }
  | { kind: 'binding'; value: BindingDeclaration }
  | { kind: 'exchange-binding'; value: ExchangeBindingDeclaration };

/** The identity of a declaration: `exchange:<name>`, `queue:<name>`, `binding:<exchange>:<queue>:<key>`. */
export function declarationKey(d: Declaration): string {
  switch (d.kind) {
    case 'exchange':
      return `exchange:${d.value.name}`;
    case 'queue':
      return `queue:${d.value.name}`;
    case 'binding':
      return `binding:${d.value.exchange}:${d.value.queue}:${d.value.routingKey}`;
    case 'exchange-binding':
      return `exchange-binding:${d.value.source}:${d.value.destination}:${d.value.routingKey}`;
  }
}

/** The entities of a topology in declaration order: exchanges, then queues, then bindings. */
export function declarationsOf(topology: Topology): Declaration[] {
  return [
    ...(topology.exchanges ?? []).map((value) => ({ kind: 'exchange', value }) as const),
    ...(topology.queues ?? []).map((value) => ({ kind: 'queue', value }) as const),
    ...(topology.bindings ?? []).map((value) => ({ kind: 'binding', value }) as const),
    ...(topology.exchangeBindings ?? []).map((value) => ({ kind: 'exchange-binding', value }) as const),
  ];
}
