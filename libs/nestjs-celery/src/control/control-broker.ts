import type { AmqpBroker } from '../broker/amqp-broker.js';

/** The broker calls remote control uses (any broker with `AmqpBroker`'s public methods). */
export type ControlBroker = Pick<AmqpBroker, 'declare' | 'consume' | 'publish' | 'publishUnconfirmed'>;
