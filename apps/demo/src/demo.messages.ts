import { redactUrl } from 'nestjs-celery';

/** The embedded demo's own lines. */
export const DemoMessages = {
  embedded: (brokerUrl: string) =>
    `embedded mode: order, billing and logistic as three Nest applications in this one process on the in-memory broker ${redactUrl(brokerUrl)} (set CELERY_BROKER_URL=amqp://… to run them as separate processes on RabbitMQ)`,
  pusherSkipped:
    'Python pusher: SKIPPED: it is a Python Celery worker and needs RabbitMQ, which embedded mode does not use; billing does not push invoice documents (run with CELERY_BROKER_URL=amqp://… to include it)',
  journal: (path: string, fresh: boolean) => `billing journal: ${path}${fresh ? ' (fresh for this run, removed on exit)' : ''}`,
  listening: (url: string) => `order HTTP API: ${url}/orders`,
  serving: (url: string) => `serving the order API at ${url}/orders until Ctrl-C (e.g. curl ${url}/orders)`,
  notEmbedded: (url: string) =>
    `embedded demo: CELERY_BROKER_URL is ${redactUrl(url)}; embedded mode runs on memory://<vhost> only. Use \`npm run demo\` (it runs the services as separate processes on RabbitMQ) or unset CELERY_BROKER_URL.`,
  failed: (error: unknown) =>
    `demo failed: ${error instanceof Error ? error.message : String(error)}` +
    ((error as { code?: unknown } | null)?.code === 'EADDRINUSE' ? ' (another program uses the port: set ORDER_PORT to a free one)' : ''),
  stopping: 'stopping…',
} as const;
