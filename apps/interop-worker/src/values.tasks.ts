import { Controller, ValidationPipe } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { IsInt, IsString, Min } from 'class-validator';
import { CeleryTask, TaskArg, TaskArgs, TaskKwargs } from 'nestjs-celery';

/** A line a caller sends to `interop.values.validated`. */
export class LineDto {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

/** A class instance holding a Map and a Date, as a handler might return one. */
class Shipment {
  readonly kind = 'shipment';
  constructor(
    readonly id: string,
    readonly parcels: Map<string, number>,
    readonly at: Date,
  ) {}

  /** A method: not data, never sent. */
  describe(): string {
    return `${this.id}: ${this.parcels.size} parcels`;
  }
}

/** One result of each kind the value rules name, by kind. */
const RESULTS: Record<string, () => unknown> = {
  map: () => new Map<unknown, unknown>([['a', 1], [2, 'two'], [true, null]]),
  date: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 123)),
  instance: () => new Shipment('s-1', new Map([['p-1', 2]]), new Date(Date.UTC(2026, 0, 2))),
  undefined: () => undefined,
  nested_undefined: () => ({ kept: 1, dropped: undefined, list: [undefined, 2] }),
  set: () => ({ tags: new Set(['a', 'b']) }),
  buffer: () => ({ raw: Buffer.from('raw') }),
  bigint: () => ({ total: 2n ** 64n }),
  circular: () => {
    const node: Record<string, unknown> = { id: 1 };
    node.parent = node;
    return node;
  },
  function: () => ({ callback: () => 1 }),
};

/** What a handler received: each value's JavaScript kind and the value itself. */
function describe(value: unknown): { kind: string; value: unknown } {
  const kind =
    value === null ? 'null' : Array.isArray(value) ? 'array' : value instanceof Date ? 'Date' : Buffer.isBuffer(value) ? 'Buffer' : typeof value;
  return { kind, value };
}

/**
 * The value and error rules of docs/guide-errors-and-values.md, for callers in both languages:
 * results of each kind, a ValidationPipe-validated argument, an RpcException carrying data,
 * and a task reporting how Python's values arrived.
 */
@Controller()
export class ValuesTasks {
  @CeleryTask('interop.values.result', { params: ['kind'] })
  result(@TaskArg(0) kind: string): unknown {
    const make = RESULTS[kind];
    if (!make) throw new RpcException({ code: 'UNKNOWN_KIND', kind, known: Object.keys(RESULTS) });
    return make();
  }

  @CeleryTask('interop.values.validated', { params: ['line'] })
  validated(@TaskArg(0, new ValidationPipe({ validateCustomDecorators: true })) line: LineDto): string {
    return `${line.quantity} x ${line.sku}`;
  }

  @CeleryTask('interop.values.rpc_object', { params: ['sku'] })
  rpcObject(@TaskArg(0) sku: string): never {
    throw new RpcException({ code: 'OUT_OF_STOCK', sku, available: 0 });
  }

  @CeleryTask('interop.values.describe', { params: ['*args', '**kwargs'] })
  describe(@TaskArgs() args: unknown[], @TaskKwargs() kwargs: Record<string, unknown>) {
    return {
      args: args.map(describe),
      kwargs: Object.fromEntries(Object.entries(kwargs).map(([key, value]) => [key, describe(value)])),
    };
  }
}
