import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

/**
 * The Python `args` a Nest exception keeps on the wire, so its caller gets the data and not
 * only a message: an `HttpException` sends the body Nest's HTTP layer would answer with (its
 * response object, e.g. a `ValidationPipe`'s `{ statusCode, message: [violations], error }`, or
 * `{ statusCode, message }` for a string response); an `RpcException` sends what it was built
 * with (an object stays an object). `undefined` for any other error (its message is sent).
 */
export function nestExceptionArgs(error: unknown): unknown[] | undefined {
  if (error instanceof HttpException) {
    const response = error.getResponse();
    return [typeof response === 'object' && response !== null ? response : { statusCode: error.getStatus(), message: response }];
  }
  if (error instanceof RpcException) return [error.getError()];
  return undefined;
}
