import type { LoggerService, LogLevel } from '@nestjs/common';

/** The services whose log lines make up the demo's flow. */
const SERVICES = ['order', 'billing', 'logistic'] as const;

const tag = (name: string): string => `[${name}]`.padEnd(11);

/** The context Nest passes as the last string parameter, if any. */
function contextOf(params: unknown[]): string | undefined {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : undefined;
}

/**
 * The demo's logger (one per process: Nest's static `Logger` is process-wide): prints the sample
 * services' own lines (`new Logger('billing')` …) as the flow, one line per step prefixed
 * `[order]` / `[billing]` / `[logistic]`, and every warning or error of any context (tagged
 * `fallbackTag`: `nest` when the services share a process, else the process's service); start-up
 * chatter (module loading, routes, connections) stays quiet. The sample's `main.ts` files use it
 * when `SAMPLE_LOG=flow` (as `npm run demo` on RabbitMQ sets it).
 */
export class DemoFlowLogger implements LoggerService {
  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
    private readonly fallbackTag = 'nest',
  ) {}

  /** Nest's logger for a sample service's process: the flow logger with `SAMPLE_LOG=flow`, else Nest's console logger. */
  static forService(service: string, env = process.env): LoggerService | LogLevel[] {
    return env.SAMPLE_LOG === 'flow' ? new DemoFlowLogger(undefined, service) : ['log', 'warn', 'error'];
  }

  /** Prefixes a line with a tag in the flow's column layout. */
  static line(name: string, text: string): string {
    return `${tag(name)}${text}`;
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    if (context !== undefined && (SERVICES as readonly string[]).includes(context)) this.write(DemoFlowLogger.line(context, String(message)));
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.problem('WARN', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.problem('ERROR', message, params);
  }

  debug(): void {}

  verbose(): void {}

  private problem(level: string, message: unknown, params: unknown[]): void {
    const context = contextOf(params);
    if (context !== undefined && (SERVICES as readonly string[]).includes(context)) {
      this.write(DemoFlowLogger.line(context, `${level} ${String(message)}`));
      return;
    }
    const stack = params.find((p): p is string => typeof p === 'string' && p.includes('\n    at '));
    this.write(DemoFlowLogger.line(this.fallbackTag, `${level} ${context ? `${context}: ` : ''}${message instanceof Error ? message.message : String(message)}`));
    if (stack) this.write(stack);
  }
}
