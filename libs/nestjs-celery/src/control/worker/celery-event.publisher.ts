import type { Broker } from '../../broker/broker.js';
import { CELERY_EVENT_PROPERTIES, celeryEventRoutingKey, encodeCeleryEvent, utcOffsetHours, type CeleryEventBody } from '../celery-event.codec.js';
import { CELERY_EVENT_EXCHANGE, celeryEventsTopology } from '../celery-events.topology.js';
import type { LamportClock } from '../lamport-clock.js';

/** The broker calls event publishing uses. */
export type EventBroker = Pick<Broker, 'declare' | 'publishUnconfirmed' | 'driverType'>;

/**
 * Celery's `EventDispatcher` for one node: stamps each event with the standard fields
 * (`hostname`, `utcoffset`, `pid`, forwarded Lamport `clock`, float `timestamp`, `type`) and
 * publishes it to `celeryev` with routing key `<group>.<subject>`, header `hostname` and
 * delivery mode 1, without waiting for a confirm (events are monitoring data, as in Celery).
 * Events sent before {@link start} or after {@link stop} are dropped.
 */
export class CeleryEventPublisher {
  private broker?: EventBroker;
  private readonly headers: { hostname: string };

  constructor(
    private readonly hostname: string,
    private readonly clock: LamportClock,
  ) {
    this.headers = { hostname };
  }

  /** Declares `celeryev` like Celery (topic, durable; fanout on Redis) and starts publishing. */
  async start(broker: EventBroker): Promise<void> {
    await broker.declare(celeryEventsTopology(broker.driverType));
    this.broker = broker;
  }

  /** Stops publishing. */
  stop(): void {
    this.broker = undefined;
  }

  /** Publishes one event of this type with these fields (never throws; a failed publish is logged by the broker). */
  send(type: string, fields: Record<string, unknown>): void {
    const broker = this.broker;
    if (!broker) return;
    const event: CeleryEventBody = {
      hostname: this.hostname,
      utcoffset: utcOffsetHours(),
      pid: process.pid,
      clock: this.clock.forward(),
      ...fields,
      timestamp: Date.now() / 1000,
      type,
    };
    broker.publishUnconfirmed(CELERY_EVENT_EXCHANGE, celeryEventRoutingKey(type), encodeCeleryEvent(event), {
      ...CELERY_EVENT_PROPERTIES,
      headers: this.headers,
    });
  }
}
