/**
 * Task options Celery workers honour (issue 18, point 3), on a real RabbitMQ: `trackStarted`,
 * `acksOnFailureOrTimeout`, `ignoreResult` / `storeErrorsEvenIfIgnored`, `timeLimit` /
 * `softTimeLimit` defaults, `typing`, and `rejectOnWorkerLost` with a worker process killed by
 * SIGKILL mid-task.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  CeleryClient,
  CeleryContext,
  CeleryRemoteError,
  CeleryTask,
  CeleryTimeoutError,
  ServerCelery,
  SoftTimeLimitExceededError,
  TaskArg,
  type CeleryTaskPayload,
} from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { takeDeadLetters } from './support/dead-letters.js';
import { runPython } from './support/python.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';
import { waitFor } from './support/wait-for.js';

const QUEUE = 'ops.opts';
const LOST_QUEUE = 'ops.opts.lost';
const DLX = 'ops.opts.dead-letter';
const DEAD_LETTERS = `${DLX}.queue`;
const OPTIONS_WORKER = fileURLToPath(new URL('./faults/fixtures/options-worker.main.ts', import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Controller()
class OptionTasks {
  @CeleryTask('opts.tracked', { trackStarted: true })
  tracked(): string {
    return 'tracked';
  }

  @CeleryTask('opts.untracked')
  untracked(): string {
    return 'untracked';
  }

  @CeleryTask('opts.tracked.ignored', { trackStarted: true, ignoreResult: true })
  trackedIgnored(): string {
    return 'ignored';
  }

  @CeleryTask('opts.fail.ack')
  failAck(): never {
    throw new Error('declined');
  }

  @CeleryTask('opts.fail.reject', { acksOnFailureOrTimeout: false })
  failReject(): never {
    throw new Error('declined');
  }

  @CeleryTask('opts.timeout.reject', { acksOnFailureOrTimeout: false, timeLimit: 0.2 })
  async timeoutReject(): Promise<string> {
    await sleep(1000);
    return 'late';
  }

  @CeleryTask('opts.ignored.fail', { ignoreResult: true })
  ignoredFail(): never {
    throw new Error('nobody hears this');
  }

  @CeleryTask('opts.ignored.fail.stored', { ignoreResult: true, storeErrorsEvenIfIgnored: true })
  ignoredFailStored(): never {
    throw new Error('heard anyway');
  }

  @CeleryTask('opts.soft', { softTimeLimit: 0.2 })
  async soft(@Ctx() ctx: CeleryContext): Promise<string> {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    return ctx.signal.reason instanceof SoftTimeLimitExceededError ? 'stopped at the soft limit' : 'aborted otherwise';
  }

  @CeleryTask('opts.hard', { timeLimit: 0.2 })
  async hard(@TaskArg(0) ms: number): Promise<string> {
    await sleep(ms);
    return 'finished';
  }

  @CeleryTask('opts.typed', { params: ['x', 'y'] })
  typed(@Payload() payload: CeleryTaskPayload): CeleryTaskPayload {
    return payload;
  }

  @CeleryTask('opts.untyped', { params: ['x', 'y'], typing: false })
  untyped(@Payload() payload: CeleryTaskPayload): CeleryTaskPayload {
    return payload;
  }
}

@Module({ controllers: [OptionTasks] })
class OptionsWorkerModule {}

/**
 * The states a Python caller receives (`result.get(on_message=...)` sees every message, also those
 * that arrive before it is called: a Nest `get({ onMessage })` only sees those after it).
 */
async function pythonStates(task: string): Promise<{ statuses: string[]; final: { state: string; value?: unknown; error?: [string, string[]] } }> {
  const out = await runPython<{ ok: boolean; result: { seen: Array<{ status: string }>; final: { state: string } }; error?: string }>('ops_client.py', {
    case: 'states',
    task,
    queue: QUEUE,
  });
  if (!out.ok) throw new Error(`ops_client.py: ${out.error}`);
  return { statuses: out.result.seen.map((s) => s.status), final: out.result.final };
}

describe('task options on a Nest worker', () => {
  let worker: INestMicroservice;
  let client: CeleryClient;

  const call = async (task: string, args: unknown[] = [], options: Record<string, unknown> = {}) => {
    const result = await client.sendTask(task, args, {}, { queue: QUEUE, ...options });
    return { value: await result.get({ timeout: 5000, propagate: false }) };
  };

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, QUEUE, DEAD_LETTERS, LOST_QUEUE);
    const moduleRef = await Test.createTestingModule({ imports: [OptionsWorkerModule] }).compile();
    const server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [QUEUE], defaultQueue: QUEUE, deadLetter: { exchange: DLX } });
    worker = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    await worker.listen();
    client = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: QUEUE });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await worker?.close();
    await deleteQueues(BROKER_URL, QUEUE, DEAD_LETTERS, LOST_QUEUE);
    await deleteExchanges(BROKER_URL, QUEUE, DLX, LOST_QUEUE);
  }, 30_000);

  it('trackStarted per task sends STARTED before SUCCESS; not for other tasks, nor with ignoreResult', async () => {
    expect(await pythonStates('opts.tracked')).toEqual({ statuses: ['STARTED', 'SUCCESS'], final: { state: 'SUCCESS', value: 'tracked' } });
    expect(await pythonStates('opts.untracked')).toEqual({ statuses: ['SUCCESS'], final: { state: 'SUCCESS', value: 'untracked' } });
    const ignored = await client.sendTask('opts.tracked.ignored', [], {}, { queue: QUEUE });
    const statuses: string[] = [];
    await expect(ignored.get({ timeout: 1000, onMessage: (m) => statuses.push(m.status) })).rejects.toBeInstanceOf(CeleryTimeoutError);
    expect(statuses).toEqual([]);
  });

  it('acksOnFailureOrTimeout: false reports FAILURE, then dead-letters the message (failure and time limit); the default acks it', async () => {
    const ack = await call('opts.fail.ack');
    const reject = await call('opts.fail.reject');
    const timeout = await call('opts.timeout.reject');
    expect([ack.value, reject.value, timeout.value].map((error) => error instanceof CeleryRemoteError)).toEqual([true, true, true]);
    expect(timeout.value).toMatchObject({ excType: 'TimeLimitExceeded' });
    let letters: Awaited<ReturnType<typeof takeDeadLetters>> = [];
    await waitFor(async () => (letters = [...letters, ...(await takeDeadLetters(BROKER_URL, DEAD_LETTERS))]).length >= 2, { what: 'two dead letters' });
    expect(letters.map((l) => [l.headers['x-celery-rejected-reason'], String(l.headers['x-celery-rejected-detail'])]).sort()).toEqual([
      ['task-failed', 'Error: declined'],
      ['task-failed', 'TimeLimitExceeded: TimeLimitExceeded(0.2)'],
    ]);
  });

  it('ignoreResult sends no FAILURE unless storeErrorsEvenIfIgnored', async () => {
    const silent = await client.sendTask('opts.ignored.fail', [], {}, { queue: QUEUE });
    await expect(silent.get({ timeout: 1000 })).rejects.toBeInstanceOf(CeleryTimeoutError);
    expect(await pythonStates('opts.ignored.fail.stored')).toEqual({ statuses: ['FAILURE'], final: { state: 'FAILURE', error: ['Error', ['heard anyway']] } });
  });

  it('softTimeLimit and timeLimit are per-task defaults; the message header wins', async () => {
    expect((await call('opts.soft')).value).toBe('stopped at the soft limit');
    expect((await call('opts.hard', [2000])).value).toMatchObject({ excType: 'TimeLimitExceeded', excArgs: [0.2] });
    expect((await call('opts.hard', [400], { timeLimit: 3 })).value).toBe('finished');
  });

  it('typing: a call that does not fit params fails with TypeError, or reaches the handler as sent with typing: false', async () => {
    expect((await call('opts.typed', [1, 2, 3])).value).toMatchObject({ excType: 'TypeError', excArgs: ['typed() takes 2 positional arguments but 3 were given'] });
    expect((await call('opts.untyped', [1, 2, 3])).value).toEqual({ args: [1, 2, 3], kwargs: {} });
    expect((await call('opts.untyped', [1])).value).toEqual({ args: [1], kwargs: {} });
    const bound = await client.sendTask('opts.untyped', [], { y: 2, x: 1 }, { queue: QUEUE });
    expect(await bound.get({ timeout: 5000 })).toEqual({ args: [1, 2], kwargs: {} });
  });

  describe('rejectOnWorkerLost, with the worker process killed (SIGKILL) mid-task', () => {
    let dir: string;
    const processes: ManagedProcess[] = [];
    const startWorker = async () => {
      const child = startProcess('options worker', process.execPath, ['--import', '@swc-node/register/esm-register', OPTIONS_WORKER], {
        NO_COLOR: '1',
        CELERY_BROKER_URL: BROKER_URL,
        OPTIONS_QUEUE: LOST_QUEUE,
        OPTIONS_EXEC_LOG: join(dir, 'runs.log'),
      });
      processes.push(child);
      await child.waitFor('options worker ready', 90_000);
      return child;
    };
    const runs = () => (existsSync(join(dir, 'runs.log')) ? readFileSync(join(dir, 'runs.log'), 'utf8') : '').split('\n').filter(Boolean).map((line) => line.split(' '));

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'task-options-'));
    });

    afterAll(async () => {
      for (const child of processes) child.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('the default runs the task again on the next worker; rejectOnWorkerLost: false fails it with WorkerLostError instead', async () => {
      const first = await startWorker();
      const redo = await client.sendTask('opts.lost.redo', [3000], {}, { queue: LOST_QUEUE });
      const once = await client.sendTask('opts.lost.once', [3000], {}, { queue: LOST_QUEUE });
      await waitFor(() => runs().length === 2, { what: 'both tasks running', timeout: 15_000 });
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const second = await startWorker();
      expect(await redo.get({ timeout: 15_000 })).toBe('done');
      const lost = await once.get({ timeout: 15_000, propagate: false });
      expect(lost).toBeInstanceOf(CeleryRemoteError);
      expect(lost).toMatchObject({ excType: 'WorkerLostError', excModule: 'billiard.exceptions' });
      const byTask = (task: string) => runs().filter(([name]) => name === task).map(([, , pid]) => Number(pid));
      expect(byTask('opts.lost.redo')).toEqual([first.child.pid, second.child.pid]);
      expect(byTask('opts.lost.once')).toEqual([first.child.pid]);
      expect(second.log).toContain(`opts.lost.once[${once.id}] was redelivered after its worker was lost`);
    }, 90_000);
  });
});
