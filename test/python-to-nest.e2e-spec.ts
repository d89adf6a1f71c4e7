/**
 * Python -> Nest: the real Python Celery 5.2.6 client (test/python/interop_client.py) calls the
 * Nest interop worker (apps/interop-worker) over RabbitMQ with rpc:// results. Every case runs
 * in its own Python process and reports what it observed as JSON; the assertions are here.
 */
import { BROKER_URL } from './support/broker-url.js';
import { celeryRelease } from './support/celery-version.js';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { runPython } from './support/python.js';
import { deleteQueues, deleteExchanges } from './support/rabbitmq-admin.js';

/** An exception as interop_client.py reports it. */
interface PyError {
  type: string;
  module: string;
  args: unknown[];
  str: string;
  builtin: boolean;
}

/** What the client put on the wire for a task (Celery's before_task_publish signal). */
interface Published {
  task: string;
  protocol: 1 | 2;
  routing_key: string;
  eta: string | null;
  expires: string | null;
  ignore_result: boolean | null;
  /** seconds, as passed to kombu (the AMQP property is str(int(seconds * 1000))) */
  expiration: number | null;
  reply_to: string | null;
}

/** `outcome()` of interop_client.py: the value or the raised exception, the state, the wait. */
interface Outcome<T = unknown> {
  id: string;
  value?: T;
  error?: PyError;
  waited: number;
  state: string;
  published: Published | null;
}

interface TaskContext {
  id: string;
  root_id: string | null;
  parent_id: string | null;
  group: string | null;
  retries: number;
}

interface RawMessage {
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: [unknown[], Record<string, unknown>, Record<string, unknown>];
  routing_key: string;
}

/** Runs one interop_client.py case; a crash of the Python side fails the test with its traceback. */
async function py<T = Outcome>(params: { case: string } & Record<string, unknown>): Promise<T> {
  const out = await runPython<{ ok: boolean; result: T; error?: PyError; traceback?: string }>('interop_client.py', params, 60_000);
  if (!out.ok) throw new Error(`interop_client.py case '${params.case}' raised ${out.error?.type}: ${out.error?.str}\n${out.traceback}`);
  return out.result;
}


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe(`Python Celery ${celeryRelease()} client -> Nest worker`, () => {
  let worker: ManagedProcess;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, 'interop', 'p2n.errbacks', 'p2n.expires.probe');
    worker = await startInteropWorker();
  }, 90_000);

  afterAll(async () => {
    await worker?.stop();
    await deleteQueues(BROKER_URL, 'p2n.errbacks', 'p2n.expires.probe');
    await deleteExchanges(BROKER_URL, 'p2n.errbacks', 'p2n.expires.probe');
  });

  afterEach(() => {
    // every case must leave the worker running
    expect(worker.child.exitCode).toBeNull();
    expect(worker.child.signalCode).toBeNull();
  });

  describe('interop tasks', () => {
    it('add with positional args', async () => {
      const r = await py({ case: 'add', args: [2, 3] });
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ value: 5, state: 'SUCCESS' });
      expect(r.id).toMatch(UUID);
    });

    it('add with keyword args x=, y= (bound to the positional parameters)', async () => {
      const r = await py({ case: 'add', args: [], kwargs: { x: 5, y: 6 } });
      expect(r).toMatchObject({ value: 11, state: 'SUCCESS' });
    });

    it('mul', async () => {
      const r = await py({ case: 'mul', x: 6, y: 7 });
      expect(r).toMatchObject({ value: 42, state: 'SUCCESS' });
    });

    it('xsum of a list (ints and floats)', async () => {
      const r = await py({ case: 'xsum', values: [1, 2, 3.5, -10] });
      expect(r).toMatchObject({ value: -3.5, state: 'SUCCESS' });
    });

    it('echo with args and kwargs (nested values, null, bool, float)', async () => {
      const args = [1, 'a', null, [1, 2, { deep: [true, false] }], 2.5];
      const kwargs = { k: { n: 1 }, flag: true, none: null, list: ['x'] };
      const r = await py({ case: 'echo', args, kwargs });
      expect(r).toMatchObject({ value: { args, kwargs }, state: 'SUCCESS' });
    });

    it('unicode (é, 日本語, emoji, NUL) round trip in args and kwarg names/values', async () => {
      const r = await py<Outcome & { equal: boolean; returned: { args: string[]; kwargs: Record<string, string> } }>({ case: 'unicode' });
      expect(r.state).toBe('SUCCESS');
      expect(r.returned.args.slice(0, 3)).toEqual(['é', '日本語', '😀']);
      expect(r.returned.kwargs).toEqual({ clé: 'valeur é', 名前: '日本語', emoji: '👍🏽' });
      expect(r.equal).toBe(true);
    });

    it('a ~1 MB string payload round trip through echo', async () => {
      const r = await py<Outcome & { equal: boolean; sent_chars: number; returned_chars: number }>({ case: 'big_payload', size: 1_000_000 });
      expect(r.error).toBeUndefined();
      expect(r.state).toBe('SUCCESS');
      expect(r.sent_chars).toBe(1_000_000);
      expect(r.returned_chars).toBe(1_000_000);
      expect(r.equal).toBe(true);
    });

    it('fail -> the real builtins.ValueError with the message, and a traceback string', async () => {
      const r = await py<Outcome & { traceback: string | null; caught_as_builtin: boolean }>({ case: 'fail', message: 'bad thing' });
      expect(r.state).toBe('FAILURE');
      expect(r.error).toEqual({ type: 'ValueError', module: 'builtins', args: ['bad thing'], str: 'bad thing', builtin: true });
      // `except ValueError:` catches it in Python
      expect(r.caught_as_builtin).toBe(true);
      expect(r.traceback).toEqual(expect.stringContaining('bad thing'));
    });

    it('sleep(0.5) returns after about half a second', async () => {
      const r = await py<Outcome & { elapsed: number }>({ case: 'sleep', seconds: 0.5 });
      expect(r).toMatchObject({ value: 0.5, state: 'SUCCESS' });
      expect(r.elapsed).toBeGreaterThanOrEqual(0.45);
      expect(r.elapsed).toBeLessThan(5);
    });

    it('context of a plain call: root_id == id, parent_id None, group None, retries 0', async () => {
      const r = await py<Outcome<TaskContext>>({ case: 'context' });
      expect(r.state).toBe('SUCCESS');
      expect(r.value).toEqual({ id: r.id, root_id: r.id, parent_id: null, group: null, retries: 0 });
    });

    it('retry_until(3) -> 3, with three RETRY replies seen by get(on_message=...)', async () => {
      interface RetryOutcome extends Outcome<number> {
        elapsed: number;
        messages: Array<{ status: string; task_id: string; result: unknown; children: unknown }>;
      }
      const r = await py<RetryOutcome>({ case: 'retry_until', failures: 3 });
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ value: 3, state: 'SUCCESS' });
      expect(r.messages.map((m) => m.status)).toEqual(['RETRY', 'RETRY', 'RETRY', 'SUCCESS']);
      for (const m of r.messages) expect(m.task_id).toBe(r.id);
      // like Celery, a RETRY reply lists the task itself as its child
      expect(r.messages[0]!.children).toEqual([[[r.id, null], null]]);
      // retry() without exc: Celery stores None as the RETRY result
      expect(r.messages[0]!.result).toBeNull();
      // three retries with countdown 0.2 s
      expect(r.elapsed).toBeGreaterThanOrEqual(0.55);
    });
  });

  describe("failures in Nest's pipeline (apps/interop-worker/src/pipeline.tasks.ts)", () => {
    interface SendOutcome extends Outcome {
      messages: string[];
    }
    // exc.args that are not scalars are reported as their Python repr by interop_client.py
    const send = (task: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) =>
      py<SendOutcome>({ case: 'send_task', task, args, kwargs });

    it("a guard's refusal -> Error('Forbidden resource'); its RpcException(PermissionError) -> builtins.PermissionError", async () => {
      const allowed = await send('interop.pipeline.guarded', [7], { token: 'secret' });
      expect(allowed.error).toBeUndefined();
      expect(allowed).toMatchObject({ value: 7, state: 'SUCCESS' });
      const refused = await send('interop.pipeline.guarded', [7], { token: 'wrong' });
      expect(refused.state).toBe('FAILURE');
      expect(refused.error).toMatchObject({ type: 'Error', args: ['Forbidden resource'] });
      const locked = await send('interop.pipeline.guarded', [7], { token: 'locked' });
      expect(locked.error).toEqual({ type: 'PermissionError', module: 'builtins', args: ['account locked'], str: 'account locked', builtin: true });
      // a guard's bare error: guards run before any interceptor, so Python gets Nest's generic answer (docs/failure-semantics.md)
      const raw = await send('interop.pipeline.guarded', [7], { token: 'raw' });
      expect(raw.error).toMatchObject({ type: 'Error', args: ['Internal server error'] });
    });

    it("a ValidationPipe's failure -> BadRequestException with every violation", async () => {
      const r = await send('interop.pipeline.validated', [{ sku: 7, quantity: 0 }]);
      expect(r.state).toBe('FAILURE');
      // exc.args[0] is the response dict (interop_client.py reports it as its repr)
      expect(r.error).toMatchObject({ type: 'BadRequestException' });
      expect(r.error!.args).toEqual([
        "{'message': ['sku must be a string', 'quantity must not be less than 1'], 'error': 'Bad Request', 'statusCode': 400}",
      ]);
    });

    it('an interceptor that rewrites errors into an RpcException decides what Python sees (its data as args[0])', async () => {
      await expect(send('interop.pipeline.enveloped', [false])).resolves.toMatchObject({ value: { ok: 'fine' }, state: 'SUCCESS' });
      const r = await send('interop.pipeline.enveloped', [true]);
      expect(r.state).toBe('FAILURE');
      expect(r.error).toMatchObject({ type: 'Error', args: ["{'code': 'WRAPPED', 'message': 'ValueError: inner failure'}"] });
    });

    it('a class-level filter and a global filter still run: their RpcException(ValueError) -> builtins.ValueError', async () => {
      const quota = await send('interop.pipeline.quota');
      expect(quota.error).toMatchObject({ type: 'ValueError', module: 'builtins', args: ['quota: 10 calls per minute'] });
      const limit = await send('interop.pipeline.limit');
      expect(limit.error).toMatchObject({ type: 'ValueError', module: 'builtins', args: ['global limit: 3 parallel calls'] });
    });

    it('ctx.retry() under an interceptor that rewrites errors is still a retry: RETRY, RETRY, SUCCESS', async () => {
      const r = await send('interop.pipeline.retry_enveloped', [2]);
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ value: { ok: 2 }, state: 'SUCCESS' });
      expect(r.messages).toEqual(['RETRY', 'RETRY', 'SUCCESS']);
    });
  });

  describe('bad calls', () => {
    it('wrong arity (add with 3 args) -> builtins.TypeError', async () => {
      const r = await py({ case: 'send_task', task: 'interop.add', args: [1, 2, 3] });
      expect(r.state).toBe('FAILURE');
      expect(r.error).toMatchObject({ type: 'TypeError', module: 'builtins', builtin: true });
      expect(r.error!.str).toBe('add() takes 2 positional arguments but 3 were given');
    });

    it('unexpected keyword argument -> builtins.TypeError', async () => {
      const r = await py({ case: 'send_task', task: 'interop.add', kwargs: { x: 1, y: 2, z: 3 } });
      expect(r.state).toBe('FAILURE');
      expect(r.error).toMatchObject({ type: 'TypeError', module: 'builtins', builtin: true });
      expect(r.error!.str).toBe("add() got an unexpected keyword argument 'z'");
    });

    it('unknown task name -> celery.exceptions.NotRegistered, and the worker keeps working', async () => {
      const r = await py<{ unknown: Outcome; after: Outcome }>({ case: 'unknown', task: 'interop.does_not_exist' });
      expect(r.unknown.state).toBe('FAILURE');
      expect(r.unknown.error).toMatchObject({ type: 'NotRegistered', module: 'celery.exceptions', args: ['interop.does_not_exist'] });
      expect(r.after).toMatchObject({ value: 42, state: 'SUCCESS' });
      await worker.waitFor("Received unregistered task of type 'interop.does_not_exist'", 5_000);
    });
  });

  describe('eta, countdown, expires', () => {
    it('countdown=1: the result arrives, and not before ~1 s', async () => {
      const r = await py<Outcome & { elapsed: number }>({ case: 'countdown', countdown: 1 });
      expect(r).toMatchObject({ value: 2, state: 'SUCCESS' });
      expect(r.published!.eta).toEqual(expect.stringMatching(/\+00:00$/));
      expect(r.elapsed).toBeGreaterThanOrEqual(0.95);
      expect(r.elapsed).toBeLessThan(5);
    });

    it('eta = now + 1.5 s (aware datetime): the result arrives, and not before ~1.5 s', async () => {
      const r = await py<Outcome & { elapsed: number; eta: string }>({ case: 'eta', delay: 1.5 });
      expect(r).toMatchObject({ value: 4, state: 'SUCCESS' });
      expect(r.elapsed).toBeGreaterThanOrEqual(1.45);
      expect(r.elapsed).toBeLessThan(6);
    });

    /*
     * A past `expires`: Celery 5.2.6's send_task logs a warning and sets the AMQP `expiration`
     * property to 0 (kombu writes "0") while the `expires` header holds the past time.
     * RabbitMQ's rule for per-message TTL 0 is "expire on arrival unless it can be delivered to a
     * consumer right away". The Nest worker is an idle consumer with free prefetch, so RabbitMQ
     * hands the message over at once, the worker sees the expired header and replies REVOKED
     * TaskRevokedError('expired') (as a Python worker does): observed on every run, both for
     * `expires=-1` and for a datetime 10 s in the past. Only with no consumer able to take it
     * (worker down, prefetch full) does the broker drop the message, and then no reply ever comes
     * and the client's get() times out: the 'expires_probe' test below shows that drop on a queue
     * nobody consumes.
     */
    it('expires=-1 -> REVOKED TaskRevokedError("expired") (delivered to the idle worker despite TTL 0)', async () => {
      const r = await py<Outcome & { messages: string[] }>({ case: 'expires', expires: -1, timeout: 5 });
      expect(r.published).toMatchObject({ expiration: 0 });
      expect(r.state).toBe('REVOKED');
      expect(r.error).toMatchObject({ type: 'TaskRevokedError', module: 'celery.exceptions', args: ['expired'] });
      expect(r.messages).toEqual(['REVOKED']);
    });

    it('expires = a datetime 10 s in the past -> REVOKED "expired"', async () => {
      const r = await py<Outcome & { messages: string[] }>({ case: 'expires', expires_at_offset: -10, timeout: 5 });
      expect(r.published).toMatchObject({ expiration: 0 });
      expect(r.state).toBe('REVOKED');
      expect(r.error).toMatchObject({ type: 'TaskRevokedError', args: ['expired'] });
    });

    it('the broker itself drops a past-expires message when no consumer takes it at once (expiration "0")', async () => {
      interface Probe {
        past: { id: string; published: Published };
        future: { id: string; published: Published };
        queued: Array<{ id: string; expiration: string; expires: string }>;
      }
      const r = await py<Probe>({ case: 'expires_probe', queue: 'p2n.expires.probe' });
      expect(r.past.published.expiration).toBe(0);
      expect(r.future.published.expiration).toBe(60);
      // only the future one is still in the (unconsumed) queue, with expiration "60000"
      expect(r.queued).toEqual([{ id: r.future.id, expiration: '60000', expires: r.future.published.expires }]);
    });

    it('expires=60 (in the future) runs normally', async () => {
      const r = await py<Outcome & { messages: string[] }>({ case: 'expires', expires: 60 });
      expect(r).toMatchObject({ value: 7, state: 'SUCCESS' });
      expect(r.published).toMatchObject({ expiration: 60 });
      expect(r.published!.expires).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*\+00:00$/));
    });
  });

  describe('canvas', () => {
    it('chain add(1,2) | add(10) | mul(3) -> 39, with consistent intermediate results and parents', async () => {
      const r = await py<Outcome<number> & { steps: Array<{ id: string; parent_id: string | null }>; step_values: unknown[] }>({ case: 'chain' });
      expect(r).toMatchObject({ value: 39, state: 'SUCCESS' });
      expect(r.step_values).toEqual([3, 13, 39]);
      expect(r.steps).toHaveLength(3);
      expect(r.steps[0]!.parent_id).toBeNull();
      expect(r.steps[1]!.parent_id).toBe(r.steps[0]!.id);
      expect(r.steps[2]!.parent_id).toBe(r.steps[1]!.id);
      expect(r.steps[2]!.id).toBe(r.id);
    });

    it('chain(add.s(1,1), context.si()): root_id and parent_id are the first task; 3 steps: parent is the middle one', async () => {
      interface ChainContext {
        two: Outcome<TaskContext>;
        two_first_id: string;
        two_last_id: string;
        three: Outcome<TaskContext>;
        three_ids: [string, string, string];
        three_middle: Outcome<number>;
      }
      const r = await py<ChainContext>({ case: 'chain_context' });
      expect(r.two.state).toBe('SUCCESS');
      expect(r.two.value).toEqual({ id: r.two_last_id, root_id: r.two_first_id, parent_id: r.two_first_id, group: null, retries: 0 });
      const [first, middle, last] = r.three_ids;
      expect(r.three_middle.value).toBe(4);
      expect(r.three.value).toEqual({ id: last, root_id: first, parent_id: middle, group: null, retries: 0 });
    });

    it('a failing chain step fails the rest of the chain: add(1,2) | fail() | add(1) -> ValueError for the last step', async () => {
      const r = await py<Outcome & { middle: Outcome; first: Outcome }>({ case: 'chain_failure' });
      expect(r.first).toMatchObject({ value: 3, state: 'SUCCESS' });
      expect(r.middle).toMatchObject({ state: 'FAILURE', error: { type: 'ValueError', module: 'builtins' } });
      // the worker marks the remaining frozen step FAILURE with the same exception (Celery's mark_as_failure)
      expect(r.state).toBe('FAILURE');
      expect(r.error).toEqual(r.middle.error);
    });

    it('group of 5 add -> the list of results in order', async () => {
      const r = await py<{ id: string; children: string[]; value?: number[]; error?: PyError }>({ case: 'group' });
      expect(r.error).toBeUndefined();
      expect(r.children).toHaveLength(5);
      expect(r.value).toEqual([0, 2, 4, 6, 8]);
    });

    it('context inside a group: group == the group id, root_id == own id', async () => {
      const r = await py<{ id: string; children: string[]; value?: TaskContext[]; error?: PyError }>({ case: 'group_context' });
      expect(r.error).toBeUndefined();
      expect(r.value).toHaveLength(3);
      r.value!.forEach((ctx, i) => {
        expect(ctx).toEqual({ id: r.children[i], root_id: r.children[i], parent_id: null, group: r.id, retries: 0 });
      });
    });

    it('link: add.apply_async((2,2), link=add.s(10)) -> callback result 14, listed in children', async () => {
      const r = await py<{ parent: Outcome<number>; callback_id: string; children: string[]; callback: Outcome<number> }>({ case: 'link' });
      expect(r.parent).toMatchObject({ value: 4, state: 'SUCCESS' });
      // the worker honours the frozen callback id and reports it as a child of the parent
      expect(r.children).toEqual([r.callback_id]);
      expect(r.callback).toMatchObject({ id: r.callback_id, value: 14, state: 'SUCCESS' });
    });

    it('link_error: fail with link_error=echo.s() -> errback message with args [failed task id]', async () => {
      const r = await py<{ failed: Outcome; errbacks: RawMessage[]; extra: RawMessage[] }>({ case: 'link_error', queue: 'p2n.errbacks' });
      expect(r.failed.state).toBe('FAILURE');
      expect(r.failed.error).toMatchObject({ type: 'ValueError', args: ['errback please'] });
      expect(r.errbacks).toHaveLength(1);
      expect(r.extra).toEqual([]);
      const [msg] = r.errbacks;
      const failedId = r.failed.id;
      expect(msg!.routing_key).toBe('p2n.errbacks');
      // the Nest worker writes compact headers: retries 0 is left out (Celery reads it as 0)
      expect(msg!.headers).toMatchObject({ task: 'interop.echo', parent_id: failedId, root_id: failedId });
      expect(msg!.headers.retries).toBeUndefined();
      // Celery sends errbacks as a group with new ids
      expect(msg!.headers.id).toMatch(UUID);
      expect(msg!.headers.id).not.toBe(failedId);
      expect(msg!.headers.group).toMatch(UUID);
      expect(msg!.properties).toMatchObject({ content_type: 'application/json', correlation_id: msg!.headers.id });
      expect(msg!.body[0]).toEqual([failedId]);
      expect(msg!.body[1]).toEqual({});
      expect(msg!.body[2]).toEqual({});
    });
  });

  describe('protocol and result options', () => {
    it('time_limit=1 from the Python client: sleep(3) -> billiard TimeLimitExceeded(1) after ~1 s', async () => {
      const r = await py<Outcome & { elapsed: number }>({ case: 'time_limit', seconds: 3, time_limit: 1 });
      expect(r.state).toBe('FAILURE');
      expect(r.error).toMatchObject({ type: 'TimeLimitExceeded', module: 'billiard.exceptions', args: [1] });
      expect(r.elapsed).toBeGreaterThanOrEqual(0.95);
      expect(r.elapsed).toBeLessThan(2.9);
    });

    it('soft_time_limit=0.5 from the Python client: the handler sees ctx.signal aborted; uncaught, Python gets billiard SoftTimeLimitExceeded after ~0.5 s', async () => {
      // As in Celery: SoftTimeLimitExceeded is raised inside the task; a task that lets it through FAILS with it.
      const r = await py<Outcome & { elapsed: number }>({ case: 'time_limit', seconds: 3, soft_time_limit: 0.5 });
      expect(r.state).toBe('FAILURE');
      expect(r.error).toMatchObject({ type: 'SoftTimeLimitExceeded', module: 'billiard.exceptions', args: [] });
      expect(r.elapsed).toBeGreaterThanOrEqual(0.45);
      expect(r.elapsed).toBeLessThan(2.9);
    });

    it('soft_time_limit=0.5 from the Python client: a handler that catches the abort returns its own result (SUCCESS)', async () => {
      const r = await py<Outcome & { elapsed: number }>({
        case: 'send_task',
        task: 'interop.sleep_with_cleanup',
        args: [3],
        options: { soft_time_limit: 0.5, time_limit: 10 },
      });
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ state: 'SUCCESS', value: { completed: false, interrupted_by: 'SoftTimeLimitExceeded' } });
      expect(r.waited).toBeLessThan(2.9);
    });

    it('protocol v1 message (task_protocol=1) runs and returns the result', async () => {
      const r = await py<Outcome<number> & { echo: Outcome }>({ case: 'protocol_v1' });
      expect(r.published).toMatchObject({ protocol: 1, task: 'interop.add' });
      expect(r).toMatchObject({ value: 42, state: 'SUCCESS' });
      expect(r.echo).toMatchObject({ value: { args: ['v1'], kwargs: { k: 'v' } }, state: 'SUCCESS' });
    });

    it('custom headers with 64-bit ints (py-amqp writes them with tag L) do not break the worker', async () => {
      const headers = { 'x-big': 2 ** 40, 'x-neg-big': -(2 ** 40), 'x-small': 7, 'x-list': [1, 2 ** 33], 'x-text': 'é' };
      const r = await py({ case: 'send_task', task: 'interop.add', args: [5, 5], options: { headers } });
      expect(r).toMatchObject({ value: 10, state: 'SUCCESS' });
    });

    it('retry of a task sent with expires (lost by a Python 5.2.6 worker, spec §5.2) completes', async () => {
      const r = await py<Outcome & { messages: string[] }>({ case: 'send_task', task: 'interop.retry_until', args: [2], options: { expires: 60 } });
      expect(r).toMatchObject({ value: 2, state: 'SUCCESS' });
      expect(r.messages).toEqual(['RETRY', 'RETRY', 'SUCCESS']);
    });

    it('shadow name and priority from apply_async are accepted', async () => {
      const r = await py({ case: 'send_task', task: 'interop.mul', args: [3, 3], options: { shadow: 'alias-name', priority: 5 } });
      expect(r).toMatchObject({ value: 9, state: 'SUCCESS' });
    });

    it('ignore_result=True: no SUCCESS reply, but the task ran (its link callback got 42)', async () => {
      interface Ignored {
        id: string;
        client_ignored: boolean;
        returned_handle: Outcome;
        callback: Outcome<{ args: unknown[]; kwargs: unknown }>;
        fresh_handle: Outcome;
        messages: string[];
      }
      const r = await py<Ignored>({ case: 'ignore_result', timeout: 1 });
      expect(r.returned_handle.published).toMatchObject({ ignore_result: true });
      expect(r.client_ignored).toBe(true);
      // ran: the callback received add(20, 22)'s return value
      expect(r.callback).toMatchObject({ value: { args: [42], kwargs: {} }, state: 'SUCCESS' });
      // no reply at all for the task itself: a plain AsyncResult times out, state stays PENDING
      expect(r.fresh_handle.error).toMatchObject({ type: 'TimeoutError', module: 'celery.exceptions' });
      expect(r.fresh_handle.state).toBe('PENDING');
      expect(r.messages).toEqual([]);
    });
  });
});
