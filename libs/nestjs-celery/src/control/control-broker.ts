import type { Broker } from '../broker/broker.js';

/** The broker calls remote control uses (a subset of {@link Broker}). */
export type ControlBroker = Pick<Broker, 'declare' | 'consume' | 'publish' | 'publishUnconfirmed'>;
