import type { Channel } from 'amqplib';
import { errorText } from './broker-pause.js';
import { TopologyMismatchError } from './broker.errors.js';
import { declarationKey, type Declaration } from './declaration.js';
import { toPyAmqpTable } from './py-amqp-table.js';

/** Declares one exchange, queue or binding on `channel` (arguments typed for py-amqp). */
export async function declareOn(channel: Channel, declaration: Declaration): Promise<void> {
  switch (declaration.kind) {
    case 'exchange': {
      const { name, type, durable = true, autoDelete = false, arguments: args } = declaration.value;
      if (name === '') return; // the default exchange always exists
      await channel.assertExchange(name, type, { durable, autoDelete, arguments: args ? toPyAmqpTable(args) : undefined });
      return;
    }
    case 'queue': {
      const { name, durable = true, autoDelete = false, exclusive = false, arguments: args } = declaration.value;
      await channel.assertQueue(name, { durable, autoDelete, exclusive, arguments: args ? toPyAmqpTable(args) : undefined });
      return;
    }
    case 'binding': {
      const { queue, exchange, routingKey, arguments: args } = declaration.value;
      if (exchange === '') return; // implicit binding to the default exchange
      await channel.bindQueue(queue, exchange, routingKey, args ? toPyAmqpTable(args) : undefined);
      return;
    }
    case 'exchange-binding': {
      const { destination, source, routingKey } = declaration.value;
      await channel.bindExchange(destination, source, routingKey);
      return;
    }
  }
}

/** The {@link TopologyMismatchError} for a declaration RabbitMQ refused with 406, else undefined. */
export function asTopologyMismatch(declaration: Declaration, error: unknown): TopologyMismatchError | undefined {
  const text = errorText(error);
  if (!/PRECONDITION_FAILED|406/.test(text)) return undefined;
  return new TopologyMismatchError(
    `RabbitMQ refused to declare ${declaration.kind} '${declarationKey(declaration).split(':')[1]}': ${text}. ` +
      'It exists with other attributes: declare it with the same durable/auto-delete/arguments as its other users.',
  );
}

/** Declares on `channel`, a 406 refusal reported as {@link TopologyMismatchError}. */
export async function declareOrMismatch(channel: Channel, declaration: Declaration): Promise<void> {
  try {
    await declareOn(channel, declaration);
  } catch (error) {
    throw asTopologyMismatch(declaration, error) ?? error;
  }
}
