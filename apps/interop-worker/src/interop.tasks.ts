import { Controller, Logger } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { CeleryContext, CeleryTask, TaskArg, TaskArgs, TaskKwargs } from 'nestjs-celery';
import { ValueError } from './value.error.js';

/**
 * The interop contract: these tasks behave like a Python Celery worker defining the same
 * functions (`def add(x, y)`, `def echo(*args, **kwargs)`, ...), so tests can call either side.
 */
/** The line `interop.tally` logs on each run, so a test can count the runs from the worker's log. */
export const TALLY_RAN = (id: string) => `interop.tally ran ${id}`;

@Controller()
export class InteropTasks {
  private readonly logger = new Logger('InteropTasks');

  @CeleryTask('interop.add', { params: ['x', 'y'] })
  add(@TaskArg(0) x: number, @TaskArg(1) y: number): number {
    return x + y;
  }

  @CeleryTask('interop.mul', { params: ['x', 'y'] })
  mul(@TaskArg(0) x: number, @TaskArg(1) y: number): number {
    return x * y;
  }

  @CeleryTask('interop.xsum', { params: ['values'] })
  xsum(@TaskArg(0) values: number[]): number {
    return values.reduce((total, value) => total + value, 0);
  }

  @CeleryTask('interop.echo', { params: ['*args', '**kwargs'] })
  echo(@TaskArgs() args: unknown[], @TaskKwargs() kwargs: Record<string, unknown>) {
    return { args, kwargs };
  }

  @CeleryTask('interop.fail', { params: ['message'] })
  fail(@TaskArg(0) message: string): never {
    throw new ValueError(message);
  }

  /** Like Python's `time.sleep` in a Celery task: a soft time limit (or terminate) interrupts it with the signal's reason. */
  @CeleryTask('interop.sleep', { params: ['seconds'] })
  async sleep(@TaskArg(0) seconds: number, @Ctx() ctx: CeleryContext): Promise<number> {
    await abortableSleep(seconds, ctx.signal);
    return seconds;
  }

  /** Catches the soft time limit and returns what it managed, as a Celery task catching `SoftTimeLimitExceeded` would. */
  @CeleryTask('interop.sleep_with_cleanup', { params: ['seconds'] })
  async sleepWithCleanup(@TaskArg(0) seconds: number, @Ctx() ctx: CeleryContext): Promise<{ completed: boolean; interrupted_by: string | null }> {
    try {
      await abortableSleep(seconds, ctx.signal);
      return { completed: true, interrupted_by: null };
    } catch (reason) {
      return { completed: false, interrupted_by: (reason as Error).name };
    }
  }

  @CeleryTask('interop.context', { params: [] })
  context(@Ctx() ctx: CeleryContext) {
    return { id: ctx.id, root_id: ctx.rootId, parent_id: ctx.parentId, group: ctx.group, retries: ctx.retries };
  }

  @CeleryTask('interop.retry_until', { params: ['failures'] })
  retryUntil(@TaskArg(0) failures: number, @Ctx() ctx: CeleryContext): number {
    if (ctx.retries < failures) throw ctx.retry({ countdown: 0.2, maxRetries: failures });
    return ctx.retries;
  }

  /** `x + y`, logging each run; retries (countdown 0.1 s) until it has run `retries` times more. */
  @CeleryTask('interop.tally', { params: ['x', 'y', 'retries'] })
  tally(@TaskArg(0) x: number, @TaskArg(1) y: number, @TaskArg(2) retries: number | undefined, @Ctx() ctx: CeleryContext): number {
    this.logger.log(TALLY_RAN(ctx.id));
    if (ctx.retries < (retries ?? 0)) throw ctx.retry({ countdown: 0.1, maxRetries: retries });
    return x + y;
  }
}

/** Resolves after `seconds`, or rejects with the signal's reason once it aborts. */
function abortableSleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, seconds * 1000);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
