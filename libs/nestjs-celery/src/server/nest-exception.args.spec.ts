import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BadRequestException, Controller, HttpException, HttpStatus, ValidationPipe } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { IsInt, IsString, Min } from 'class-validator';
import type { CeleryClient } from '../client/celery-client.js';
import { CeleryTask, TaskArg } from '../index.js';
import type { CeleryRemoteError } from '../protocol/celery-remote.error.js';
import { toExceptionInfo } from '../protocol/exception-info.js';
import { callTask, createTestClient, startTestWorker, type TestWorker } from '../testing/index.js';
import { nestExceptionArgs } from './nest-exception.args.js';

class CreateLineDto {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

@Controller()
class DetailTasks {
  @CeleryTask('detail.validated')
  validated(@TaskArg(0, new ValidationPipe({ validateCustomDecorators: true })) line: CreateLineDto): string {
    return `${line.quantity} x ${line.sku}`;
  }

  @CeleryTask('detail.rpc-object')
  rpcObject(): never {
    throw new RpcException({ code: 'OUT_OF_STOCK', sku: 'a-1', available: 0 });
  }

  @CeleryTask('detail.rpc-string')
  rpcString(): never {
    throw new RpcException('plain reason');
  }

  @CeleryTask('detail.rpc-error')
  rpcError(): never {
    throw new RpcException(new RangeError('wrapped'));
  }

  @CeleryTask('detail.http-text')
  httpText(): never {
    throw new HttpException('teapot', HttpStatus.I_AM_A_TEAPOT);
  }
}

async function failure(client: CeleryClient, task: string, args: unknown[] = []): Promise<CeleryRemoteError> {
  return callTask(client, task, args).then(
    () => {
      throw new Error(`expected ${task} to fail`);
    },
    (error: unknown) => error as CeleryRemoteError,
  );
}

describe('nestExceptionArgs', () => {
  it("an HttpException sends its response object; a string response as Nest's HTTP body { statusCode, message }", () => {
    expect(nestExceptionArgs(new BadRequestException(['a is bad']))).toEqual([{ statusCode: 400, message: ['a is bad'], error: 'Bad Request' }]);
    expect(nestExceptionArgs(new HttpException('teapot', 418))).toEqual([{ statusCode: 418, message: 'teapot' }]);
  });

  it('an RpcException sends what it was built with; other errors give undefined (their message is sent)', () => {
    expect(nestExceptionArgs(new RpcException({ code: 1 }))).toEqual([{ code: 1 }]);
    expect(nestExceptionArgs(new RpcException('why'))).toEqual(['why']);
    expect(nestExceptionArgs(new Error('x'))).toBeUndefined();
  });

  it('an argument that cannot be written becomes its text, as Celery\'s ensure_serializable does', () => {
    const info = toExceptionInfo(new RpcException({ total: 10n }), nestExceptionArgs(new RpcException({ total: 10n })));
    expect(info.exc_message).toEqual(['{ total: 10n }']);
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });
});

describe('task failures keep the data of Nest exceptions', () => {
  let worker: TestWorker;
  let client: CeleryClient;

  beforeAll(async () => {
    worker = await startTestWorker({ controllers: [DetailTasks] });
    client = await createTestClient(worker.broker);
  });

  afterAll(async () => {
    await client.close();
    await worker.close();
  });

  it("a ValidationPipe failure reaches the caller with every violation as data", async () => {
    await expect(callTask(client, 'detail.validated', [{ sku: 'a-1', quantity: 2 }])).resolves.toBe('2 x a-1');
    const error = await failure(client, 'detail.validated', [{ sku: 7, quantity: 0 }]);
    expect(error.excType).toBe('BadRequestException');
    expect(error.excModule).toBe('nodejs');
    expect(error.excArgs).toEqual([
      { statusCode: 400, error: 'Bad Request', message: ['sku must be a string', 'quantity must not be less than 1'] },
    ]);
    expect(error.excMessage).toBe('sku must be a string; quantity must not be less than 1');
  });

  it('an RpcException with an object keeps the object as structured data', async () => {
    const error = await failure(client, 'detail.rpc-object');
    expect(error.excArgs).toEqual([{ code: 'OUT_OF_STOCK', sku: 'a-1', available: 0 }]);
  });

  it('an RpcException with a string keeps the string; with an Error, that error', async () => {
    await expect(failure(client, 'detail.rpc-string')).resolves.toMatchObject({ excArgs: ['plain reason'], excMessage: 'plain reason' });
    await expect(failure(client, 'detail.rpc-error')).resolves.toMatchObject({ excType: 'RangeError', excModule: 'nodejs', excArgs: ['wrapped'] });
  });

  it('an HttpException with a string response keeps its status', async () => {
    const error = await failure(client, 'detail.http-text');
    expect(error).toMatchObject({ excType: 'HttpException', excArgs: [{ statusCode: 418, message: 'teapot' }], excMessage: 'teapot' });
  });
});
