import type { INestApplication, INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { hostname } from 'node:os';
import { NestFactory } from '@nestjs/core';
import { ServerCelery, type ServerCeleryOptions } from 'nestjs-celery';
import { BillingModule, billingServerOptions } from '../../billing/src/index.js';
import { LogisticModule, logisticServerOptions } from '../../logistic/src/index.js';
import { OrderModule, orderServerOptions } from '../../order/src/index.js';

/** Options of {@link EmbeddedServices.start}. */
export interface EmbeddedServicesOptions {
  /** Broker every service connects to, each with its own connection. E.g. `memory://demo`. */
  brokerUrl: string;
  /** HTTP port of the order service (0: any free port). */
  port: number;
  /** HTTP host of the order service. Default `127.0.0.1`. */
  host?: string;
  /** Billing's journal file. */
  journalPath: string;
  /** Whether billing hands invoices to the Python pusher (only when a pusher consumes queue `pusher`). */
  pushInvoices: boolean;
  /** Logistic's dispatch countdown in seconds. Default: `LOGISTIC_DISPATCH_DELAY_S`, else 3. */
  dispatchDelaySeconds?: number;
  /** Nest's logger for the three applications. Default: Nest's console logger, log/warn/error. */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * The three sample services in one process, composed as three Nest applications (each with its own
 * `ServerCelery` and `CeleryClient` connection, as if they ran as separate processes): one
 * application importing the three modules would register every handler with one server. Billing
 * and logistic start first: a topic exchange drops events no queue is bound for yet.
 */
export class EmbeddedServices {
  private constructor(
    private readonly apps: Array<INestApplication | INestMicroservice>,
    /** Base URL of the order HTTP API, e.g. `http://127.0.0.1:3000`. */
    readonly orderUrl: string,
  ) {}

  /** Boots billing, logistic, then order (HTTP and events). Closes what started if one fails. */
  static async start(options: EmbeddedServicesOptions): Promise<EmbeddedServices> {
    const { brokerUrl } = options;
    const logger = options.logger ?? (['log', 'warn', 'error'] as LogLevel[]);
    const apps: Array<INestApplication | INestMicroservice> = [];
    try {
      const billing = await NestFactory.createMicroservice(
        BillingModule.register({ celery: { brokerUrl }, journalPath: options.journalPath, pushInvoices: options.pushInvoices }),
        { strategy: EmbeddedServices.server('billing', billingServerOptions(), brokerUrl), logger },
      );
      apps.push(billing);
      await billing.listen();
      const logistic = await NestFactory.createMicroservice(
        LogisticModule.register({ celery: { brokerUrl }, dispatchDelaySeconds: options.dispatchDelaySeconds }),
        { strategy: EmbeddedServices.server('logistic', logisticServerOptions(), brokerUrl), logger },
      );
      apps.push(logistic);
      await logistic.listen();
      const order = await NestFactory.create(OrderModule.register({ celery: { brokerUrl } }), { logger });
      apps.push(order);
      order.connectMicroservice({ strategy: EmbeddedServices.server('order', orderServerOptions(), brokerUrl) });
      await order.startAllMicroservices();
      const host = options.host ?? '127.0.0.1';
      await order.listen(options.port, host);
      const address = order.getHttpServer().address() as { port: number };
      return new EmbeddedServices(apps, `http://${host}:${address.port}`);
    } catch (error) {
      await EmbeddedServices.closeAll(apps);
      throw error;
    }
  }

  /** Stops order (HTTP first), then logistic and billing, waiting for running handlers. */
  close(): Promise<void> {
    return EmbeddedServices.closeAll(this.apps);
  }

  /** A service's worker; each gets its own node name (remote control mailbox) within the process. */
  private static server(service: string, options: ServerCeleryOptions, brokerUrl: string): ServerCelery {
    return new ServerCelery({ ...options, brokerUrl, nodeName: `${service}-${process.pid}@${hostname()}` });
  }

  private static async closeAll(apps: Array<INestApplication | INestMicroservice>): Promise<void> {
    for (const app of [...apps].reverse()) await app.close();
  }
}
