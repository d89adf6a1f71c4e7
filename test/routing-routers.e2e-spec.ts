/**
 * Routers (issue #5, part 2): `taskRoutes` with exact names, globs, a RegExp and a router
 * function, plus the service convention, routes every name to the same queue, exchange, routing
 * key and delivery mode as a real Python Celery 5.2.6 app with the equivalent `task_routes` /
 * `task_queues` (test/python/routing_app.py), and real messages from both sides land there.
 */
import { CeleryClient, TaskRouter, type TaskRoutes } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { runPython } from './support/python.js';
import { drainQueues } from './support/queue-drain.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';

const DEFAULT_QUEUE = 'rt.q.default';
const SERVICE = 'rtsvc';
const QUEUES = ['rt.q.exact', 'rt.q.glob', 'rt.q.regex', 'rt.q.vip', DEFAULT_QUEUE, `${SERVICE}.sync`, `${SERVICE}.async`];
const NEST_ORIGIN = 'nest-routing-test';
const EXCHANGES = ['rt.q.exact', 'rt.q.glob', 'rt.q.regex', 'rt.q.vip', DEFAULT_QUEUE, SERVICE];

/** The Nest twin of routing_app.router_cases_routes (same order: one map, a function, then the convention). */
const ROUTES: TaskRoutes = [
  new Map<string | RegExp, string | { queue: string }>([
    ['rt.exact.task', { queue: 'rt.q.exact' }],
    ['rt.glob.*', 'rt.q.glob'],
    [/rt\.re\.(a|b)\./, { queue: 'rt.q.regex' }],
  ]),
  function vipRouter(_name, args) {
    return args[0] === 'vip' ? { queue: 'rt.q.vip' } : undefined;
  },
];

/** Name, args and the queue both sides must pick (the reason in the title). */
const CASES: Array<{ name: string; args: unknown[]; queue: string; why: string }> = [
  { name: 'rt.exact.task', args: [], queue: 'rt.q.exact', why: 'exact name' },
  { name: 'rt.exact.taskX', args: [], queue: DEFAULT_QUEUE, why: 'exact names do not match prefixes' },
  { name: 'rt.glob.deep.name', args: [], queue: 'rt.q.glob', why: "glob '*' crosses dots" },
  { name: 'rt.glob.', args: [], queue: 'rt.q.glob', why: "glob '*' matches nothing too" },
  { name: 'rt.re.a.x', args: [], queue: 'rt.q.regex', why: 'RegExp' },
  { name: 'rt.re.b.y', args: [1], queue: 'rt.q.regex', why: 'RegExp alternative' },
  { name: 'x.rt.re.a.x', args: [], queue: DEFAULT_QUEUE, why: 'RegExp matches at the start only (re.match)' },
  { name: 'rt.re.c.x', args: ['vip'], queue: 'rt.q.vip', why: 'router function on the arguments' },
  { name: 'rt.glob.z', args: ['vip'], queue: 'rt.q.glob', why: 'first router wins over a later one' },
  { name: `${SERVICE}.sync.get_invoice`, args: [1], queue: `${SERVICE}.sync`, why: 'convention, sync' },
  { name: `${SERVICE}.async.rebuild`, args: [], queue: `${SERVICE}.async`, why: 'convention, async' },
  { name: `${SERVICE}.other.x`, args: [], queue: DEFAULT_QUEUE, why: 'neither sync nor async' },
  { name: 'unrouted.task', args: [], queue: DEFAULT_QUEUE, why: 'no route: default queue' },
];

interface PyRoute {
  name: string;
  queue: string;
  exchange?: string;
  routing_key?: string;
  delivery_mode?: number;
}

async function pythonRoutes(send: boolean): Promise<PyRoute[]> {
  const out = await runPython<{ routes: PyRoute[] }>('routing_cases.py', {
    services: [SERVICE],
    default_queue: DEFAULT_QUEUE,
    send,
    cases: CASES.map(({ name, args }) => ({ name, args })),
  });
  return out.routes;
}

async function cleanUp(): Promise<void> {
  await deleteQueues(BROKER_URL, ...QUEUES);
  await deleteExchanges(BROKER_URL, ...EXCHANGES);
}

describe('routers: Nest and Python Celery agree', () => {
  beforeAll(cleanUp);
  afterAll(cleanUp);

  it("picks the same queue as Python's app.amqp.router.route() for every name", async () => {
    const router = new TaskRouter({ routes: ROUTES, services: [SERVICE] });
    const python = await pythonRoutes(false);
    const nest = CASES.map(({ name, args }) => ({
      name,
      queue: router.resolve(router.route(name, args, {}, {}), DEFAULT_QUEUE, name).queue,
    }));
    expect(nest).toEqual(python.map(({ name, queue }) => ({ name, queue })));
    expect(nest.map((r) => r.queue)).toEqual(CASES.map((c) => c.queue));
  });

  it('sends real messages from both sides to the expected queue, with the same exchange, routing key and delivery mode', async () => {
    const python = await pythonRoutes(true);
    const client = new CeleryClient({ brokerUrl: BROKER_URL, taskRoutes: ROUTES, services: [SERVICE], defaultQueue: DEFAULT_QUEUE, origin: NEST_ORIGIN });
    try {
      for (const { name, args } of CASES) await client.sendTask(name, args, {}, { replyTo: null });
    } finally {
      await client.close();
    }
    const drained = await drainQueues(BROKER_URL, QUEUES);
    for (const [index, { name, queue, why }] of CASES.entries()) {
      const landed = drained[queue]!.filter((m) => m.task === name);
      // Python always writes `origin`; the Nest client's compact headers leave it out
      const py = landed.find((m) => typeof m.origin === 'string' && m.origin !== NEST_ORIGIN);
      const js = landed.find((m) => m.origin === NEST_ORIGIN || m.origin === undefined);
      expect({ why, name, senders: landed.map((m) => (m === js ? 'nest' : 'python')).sort() }).toEqual({ why, name, senders: ['nest', 'python'] });
      // What kombu reported publishing is what arrived, and the Nest message arrived the same way.
      expect({ why, exchange: py!.exchange, routingKey: py!.routingKey, deliveryMode: py!.deliveryMode }).toEqual({
        why,
        exchange: python[index]!.exchange,
        routingKey: python[index]!.routing_key,
        deliveryMode: python[index]!.delivery_mode,
      });
      expect({ why, exchange: js!.exchange, routingKey: js!.routingKey, deliveryMode: js!.deliveryMode }).toEqual({
        why,
        exchange: py!.exchange,
        routingKey: py!.routingKey,
        deliveryMode: py!.deliveryMode,
      });
    }
    // Nothing went anywhere else.
    expect(Object.values(drained).flat()).toHaveLength(CASES.length * 2);
  });
});
