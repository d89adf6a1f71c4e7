/**
 * The value and error rules (docs/guide-errors-and-values.md) both ways against real Python
 * Celery over RabbitMQ, 5.2.6 and 5.5.2 (the `e2e-celery55` project): what a Python caller
 * receives from the Nest interop worker (apps/interop-worker/src/values.tasks.ts, called by
 * test/python/p2n_values.py), what a Nest handler receives from a Python caller, and what a
 * Python worker (test/python/pyworker_app.py) receives from the Nest client. A Python worker's
 * own EncodeError is the reference shape. Celery 5.5's kombu writes and reads JSON type markers
 * (`{"__type__": "datetime", ...}`) where 5.2 writes strings: both are asserted.
 */
import { CeleryClient, CeleryInvalidCallError, CeleryRemoteError, PythonValue } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { isCelery55 } from './support/celery-version.js';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { runPython, startPythonWorker } from './support/python.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

const NEST_QUEUE = 'values.interop';
const PY_QUEUE = 'values.pyinterop';

/** An exception as p2n_values.py reports it: `args` are the Python `exc.args`, as data. */
interface PyError {
  type: string;
  module: string;
  args: unknown[];
  str: string;
  is_encode_error: boolean;
}

interface PyOutcome<T = unknown> {
  value?: T;
  error?: PyError;
  state: string;
  /** seconds `get()` waited */
  waited: number;
}

/** An outcome without its timing, for exact comparisons. */
function untimed<T>({ waited: _waited, ...rest }: PyOutcome<T>): Omit<PyOutcome<T>, 'waited'> {
  return rest;
}

/** Python helpers start a process each: generous, as the machine may be busy. */
const CASE_TIMEOUT = 60_000;

async function py<T>(params: { case: string } & Record<string, unknown>, queue = NEST_QUEUE): Promise<T> {
  const out = await runPython<{ ok: boolean; result: T }>('p2n_values.py', { queue, ...params }, 60_000);
  return out.result;
}

let nestWorker: ManagedProcess;
let pyWorker: ManagedProcess;
let client: CeleryClient;

beforeAll(async () => {
  await deleteQueues(BROKER_URL, NEST_QUEUE, PY_QUEUE);
  [nestWorker, pyWorker] = await Promise.all([
    startInteropWorker({ INTEROP_QUEUE: NEST_QUEUE }),
    startPythonWorker('pyworker_app', [PY_QUEUE]),
  ]);
  client = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: PY_QUEUE });
  await client.connect();
}, 120_000);

afterAll(async () => {
  await client?.close();
  await Promise.all([nestWorker?.stop(), pyWorker?.stop()]);
  await deleteQueues(BROKER_URL, NEST_QUEUE, PY_QUEUE).catch(() => undefined);
});

afterEach(() => {
  // every case must leave the Nest worker running
  expect(nestWorker.child.exitCode).toBeNull();
});

/** A Python `datetime` as p2n_values.py prints it (its repr): what a Celery 5.5 caller receives for a `Date`. */
function pyDatetime(...fields: number[]): string {
  return `datetime.datetime(${fields.join(', ')}, tzinfo=datetime.timezone.utc)`;
}

describe('a Python caller of a Nest worker', () => {
  it('receives Map as dict, Date as ISO string (5.2) or datetime (5.5), a class instance as its data, undefined as None', async () => {
    const kinds = ['map', 'date', 'instance', 'undefined', 'nested_undefined'];
    const r = await py<Record<string, PyOutcome>>({ case: 'results', kinds });
    expect(untimed(r.map!)).toEqual({ value: { a: 1, '2': 'two', true: null }, state: 'SUCCESS' });
    // the Nest worker answers a Celery 5.5 caller (told by its headers) with kombu's type markers
    const date = isCelery55() ? pyDatetime(2026, 1, 2, 3, 4, 5, 123000) : '2026-01-02T03:04:05.123Z';
    const at = isCelery55() ? pyDatetime(2026, 1, 2, 0, 0) : '2026-01-02T00:00:00.000Z';
    expect(untimed(r.date!)).toEqual({ value: date, state: 'SUCCESS' });
    expect(untimed(r.instance!)).toEqual({ value: { kind: 'shipment', id: 's-1', parcels: { 'p-1': 2 }, at }, state: 'SUCCESS' });
    expect(untimed(r.undefined!)).toEqual({ value: null, state: 'SUCCESS' });
    expect(untimed(r.nested_undefined!)).toEqual({ value: { kept: 1, list: [null, 2] }, state: 'SUCCESS' });
  }, CASE_TIMEOUT);

  it('gets kombu.exceptions.EncodeError at once for a Set, Buffer (5.2), BigInt, cycle or function, as from a Python worker', async () => {
    // kombu 5.5 reads bytes: a Buffer is a result for a 5.5 caller (next test)
    const kinds = isCelery55() ? ['set', 'bigint', 'circular', 'function'] : ['set', 'buffer', 'bigint', 'circular', 'function'];
    const r = await py<Record<string, PyOutcome>>({ case: 'results', kinds });
    const reference = await py<PyOutcome>({ case: 'python_encode_error' }, PY_QUEUE);
    expect(reference.error).toMatchObject({ type: 'EncodeError', module: 'kombu.exceptions', is_encode_error: true });
    expect(reference.error!.args).toEqual(["TypeError('Object of type set is not JSON serializable')"]);
    const expected: Record<string, string> = {
      set: "TypeError('Object of type Set is not JSON serializable (at result.tags)')",
      buffer: "TypeError('Object of type Buffer is not JSON serializable (at result.raw)')",
      bigint: "TypeError('Object of type BigInt is not JSON serializable (at result.total)')",
      circular: "ValueError('Circular reference detected (at result.parent)')",
      function: "TypeError('Object of type function is not JSON serializable (at result.callback)')",
    };
    for (const kind of kinds) {
      // answered at once: a silent wait would end in the 10 s get() timeout
      expect(r[kind]!.waited).toBeLessThan(5);
      expect({ kind, ...untimed(r[kind]!) }).toEqual({
        kind,
        state: 'FAILURE',
        error: { type: 'EncodeError', module: 'kombu.exceptions', is_encode_error: true, args: [expected[kind]], str: expected[kind] },
      });
    }
  }, CASE_TIMEOUT);

  if (isCelery55()) {
    it('receives a Buffer as bytes (Celery 5.5)', async () => {
      const r = await py<Record<string, PyOutcome>>({ case: 'results', kinds: ['buffer'] });
      expect(untimed(r.buffer!)).toEqual({ value: { raw: "b'raw'" }, state: 'SUCCESS' });
    }, CASE_TIMEOUT);
  }

  it("receives a ValidationPipe's violations and an RpcException's object as exc.args data", async () => {
    const r = await py<Record<string, PyOutcome>>({ case: 'errors' });
    expect(untimed(r.valid!)).toEqual({ value: '2 x a-1', state: 'SUCCESS' });
    expect(r.invalid!.state).toBe('FAILURE');
    expect(r.invalid!.error).toMatchObject({
      type: 'BadRequestException',
      args: [{ statusCode: 400, error: 'Bad Request', message: ['sku must be a string', 'quantity must not be less than 1'] }],
    });
    expect(r.rpc_object!.error).toMatchObject({ type: 'Error', args: [{ code: 'OUT_OF_STOCK', sku: 'a-1', available: 0 }] });
  }, CASE_TIMEOUT);
});

describe('a Nest handler called from Python', () => {
  it("receives kombu's JSON of Python values: datetimes and dates as ISO strings (5.2) or a Date and a date string (5.5's type markers), tuples as arrays, Decimal, UUID and time as strings, bytes as Buffer (5.5), int keys as strings", async () => {
    const v55 = isCelery55();
    const r = await py<PyOutcome<{ args: { kind: string; value: unknown }[]; kwargs: Record<string, { kind: string; value: unknown }> }>>({ case: 'describe', with_bytes: v55 });
    expect(r.state).toBe('SUCCESS');
    // a 5.5 datetime is a Date (naive = UTC), which the worker's result takes back to 5.5 as a datetime
    expect(r.value!.args).toEqual([
      v55 ? { kind: 'Date', value: pyDatetime(2026, 1, 2, 3, 4, 5, 123000) } : { kind: 'string', value: '2026-01-02T03:04:05.123000Z' },
      v55 ? { kind: 'Date', value: pyDatetime(2026, 1, 2, 3, 4, 5) } : { kind: 'string', value: '2026-01-02T03:04:05' },
      { kind: 'string', value: v55 ? '2026-01-02' : '2026-01-02T00:00:00' },
      { kind: 'array', value: [1, 'two'] },
      { kind: 'string', value: '12.50' },
      { kind: 'string', value: '12345678-1234-5678-1234-567812345678' },
      { kind: 'object', value: { '1': 'one', '2.5': 'two and a half' } },
      { kind: 'null', value: null },
      { kind: 'string', value: '03:04:05.123000' },
      ...(v55 ? [{ kind: 'Buffer', value: "b'raw'" }] : []),
    ]);
    const when = v55 ? { kind: 'Date', value: pyDatetime(2026, 1, 2, 0, 0) } : { kind: 'string', value: '2026-01-02T00:00:00Z' };
    expect(r.value!.kwargs).toEqual({ when, none: { kind: 'null', value: null } });
  }, CASE_TIMEOUT);

  it(`is never called with a set${isCelery55() ? '' : ', bytes'} or an arbitrary object: the Python client raises kombu's EncodeError first`, async () => {
    const names = isCelery55() ? ['set', 'object'] : ['set', 'bytes', 'object'];
    const r = await py<Record<string, { sent: boolean; error?: { type: string; module: string } }>>({ case: 'refused', names });
    for (const name of names) {
      expect({ name, ...r[name] }).toMatchObject({ name, sent: false, error: { type: 'EncodeError', module: 'kombu.exceptions' } });
    }
  }, CASE_TIMEOUT);
});

describe('a Python worker called by the Nest client', () => {
  it('receives a Map as dict, a Date as str, a class instance as dict, undefined as None', async () => {
    class Parcel {
      constructor(
        readonly id: string,
        readonly weights: Map<string, number>,
      ) {}
    }
    const r = await client.sendTask<{ args: { type: string; value: unknown }[]; kwargs: Record<string, { type: string; value: unknown }> }>(
      'pyinterop.describe',
      [new Map([['a', 1]]), new Date(Date.UTC(2026, 0, 2)), new Parcel('p-1', new Map([['kg', 2.5]])), undefined],
      { at: new Date(0), gone: undefined },
    );
    const value = await r.get({ timeout: 10_000 });
    expect(value.args).toEqual([
      { type: 'dict', value: { a: 1 } },
      { type: 'str', value: '2026-01-02T00:00:00.000Z' },
      { type: 'dict', value: { id: 'p-1', weights: { kg: 2.5 } } },
      { type: 'NoneType', value: null },
    ]);
    expect(value.kwargs).toEqual({ at: { type: 'str', value: '1970-01-01T00:00:00.000Z' } });
  }, CASE_TIMEOUT);

  it("with jsonTypeMarkers set for its version, receives Date, Buffer and PythonValue as Python's datetime, bytes, Decimal, UUID, date, time (5.5) or as kombu 5.2's strings (5.2)", async () => {
    // one client per peer version: markers for Celery 5.5, kombu 5.2's JSON (the default) for 5.2
    const typed = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: PY_QUEUE, jsonTypeMarkers: isCelery55() });
    await typed.connect();
    try {
      const uuid = '12345678-1234-5678-1234-567812345678';
      const args = [new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 123)), PythonValue.decimal('12.50'), PythonValue.uuid(uuid), PythonValue.date('2026-01-02'), PythonValue.time('03:04:05')];
      const kwargs = isCelery55() ? { raw: Buffer.from('raw'), binary: Buffer.from([0xff, 0]) } : {};
      const r = await typed.sendTask<{ args: { type: string; value: unknown }[]; kwargs: Record<string, { type: string; value: unknown }> }>('pyinterop.describe', args, kwargs);
      const value = await r.get({ timeout: 10_000 });
      if (isCelery55()) {
        // and the Python worker's result comes back with markers: a Date, Buffers, strings
        expect(value.args).toEqual([
          { type: 'datetime', value: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 123)) },
          { type: 'Decimal', value: '12.50' },
          { type: 'UUID', value: uuid },
          { type: 'date', value: '2026-01-02' },
          { type: 'time', value: '03:04:05' },
        ]);
        expect(value.kwargs).toEqual({ raw: { type: 'bytes', value: Buffer.from('raw') }, binary: { type: 'bytes', value: Buffer.from([0xff, 0]) } });
      } else {
        expect(value.args).toEqual([
          { type: 'str', value: '2026-01-02T03:04:05.123Z' },
          { type: 'str', value: '12.50' },
          { type: 'str', value: uuid },
          { type: 'str', value: '2026-01-02T00:00:00' },
          { type: 'str', value: '03:04:05' },
        ]);
        expect(value.kwargs).toEqual({});
      }
    } finally {
      await typed.close();
    }
  }, CASE_TIMEOUT);

  it('is never sent a Set, Buffer or BigInt: the client refuses with the EncodeError as cause, like a Python client', async () => {
    for (const arg of [new Set([1]), Buffer.from('x'), 1n]) {
      const error = await client.sendTask('pyinterop.describe', [arg]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CeleryInvalidCallError);
      expect(((error as Error).cause as { excType: string; excModule: string })).toMatchObject({ excType: 'EncodeError', excModule: 'kombu.exceptions' });
    }
  });

  it("reports a Python worker's EncodeError in the same shape the Nest worker sends", async () => {
    const fromPython = (await (await client.sendTask('pyinterop.unencodable')).get({ timeout: 10_000 }).catch((e: unknown) => e)) as CeleryRemoteError;
    const fromNest = (await (await client.sendTask('interop.values.result', ['set'], {}, { queue: NEST_QUEUE })).get({ timeout: 10_000 }).catch((e: unknown) => e)) as CeleryRemoteError;
    for (const error of [fromPython, fromNest]) {
      expect(error).toBeInstanceOf(CeleryRemoteError);
      expect(error).toMatchObject({ excType: 'EncodeError', excModule: 'kombu.exceptions' });
      expect(error.excArgs).toHaveLength(1);
      expect(error.excArgs[0]).toMatch(/^TypeError\('Object of type set is not JSON serializable/i);
    }
  }, CASE_TIMEOUT);
});
