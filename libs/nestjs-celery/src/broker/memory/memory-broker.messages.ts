/** Log texts of the memory broker; only for misuse and lost messages, never per successful message. */
export const MemoryBrokerMessages = {
  consumerThrew: (queue: string, detail: string) =>
    `consumer of memory queue '${queue}' threw: ${detail}; the message stays unacknowledged`,
  settledTwice: (deliveryTag: number, queue: string) =>
    `delivery ${deliveryTag} from memory queue '${queue}' was settled twice; ignored ` +
    '(RabbitMQ would close the channel: PRECONDITION_FAILED - unknown delivery tag)',
  unconfirmedLost: (routingKey: string, detail: string) => `unconfirmed publish to '${routingKey}' lost: ${detail}`,
} as const;
