/** Options of `CeleryMonitorModule.forRoot()`. */
export interface CeleryMonitorOptions {
  /** Where the page is mounted: `GET /<path>` is the page, `/<path>/api/*` its JSON API. Default `celery`. */
  path?: string;
  /**
   * The broker to watch: `amqp://` (RabbitMQ), `redis://` (kombu's Redis transport) or `memory://`.
   * Default: `CELERY_BROKER_URL`, else `amqp://guest:guest@127.0.0.1:5672//`.
   */
  brokerUrl?: string;
  /** How often workers are inspected and queue depths read, in ms. Default 3000. */
  refreshMs?: number;
  /**
   * Ask every worker to send task events (`enable_events`, as Flower does) at each refresh, so
   * Python workers started without `-E` show their tasks too. Default true.
   */
  enableEvents?: boolean;
  /** Window of the task rates, in seconds. Default 60. */
  rateWindowSeconds?: number;
  /** Allow the page's revoke button (`POST /<path>/api/revoke`). Default true. */
  allowRevoke?: boolean;
}
