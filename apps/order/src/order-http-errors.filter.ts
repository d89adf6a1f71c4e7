import {
  BadGatewayException,
  Catch,
  ConflictException,
  NotFoundException,
  ServiceUnavailableException,
  type ArgumentsHost,
  type ExceptionFilter,
  type HttpException,
} from '@nestjs/common';
import { CeleryRemoteError } from 'nestjs-celery';
import { OrderConflictError, OrderDependencyUnavailableError, OrderNotFoundError } from './orders/index.js';

type Mapped = OrderNotFoundError | OrderConflictError | OrderDependencyUnavailableError | CeleryRemoteError;

/** The HTTP answer for one of the order service's errors. */
export function toHttpException(error: Mapped): HttpException {
  if (error instanceof OrderNotFoundError) return new NotFoundException(error.message);
  if (error instanceof OrderConflictError) return new ConflictException(error.message);
  if (error instanceof OrderDependencyUnavailableError) return new ServiceUnavailableException(error.message);
  return new BadGatewayException(`a backing service failed: ${error.excType}: ${error.excMessage}`);
}

/**
 * Maps the order service's errors to HTTP answers in Nest's error shape (`{ statusCode, message,
 * error }`): not found 404, conflict 409, dependency down 503, a failed remote task 502. The
 * broker never shows through: no task ids, queues or stack traces.
 */
@Catch(OrderNotFoundError, OrderConflictError, OrderDependencyUnavailableError, CeleryRemoteError)
export class OrderHttpErrorsFilter implements ExceptionFilter<Mapped> {
  /** Answers with the mapped HTTP status and Nest's error body. */
  catch(error: Mapped, host: ArgumentsHost): void {
    const exception = toHttpException(error);
    host
      .switchToHttp()
      .getResponse<{ status(code: number): { json(body: unknown): void } }>()
      .status(exception.getStatus())
      .json(exception.getResponse());
  }
}
