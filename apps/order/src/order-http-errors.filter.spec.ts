import { CeleryRemoteError } from 'nestjs-celery';
import { toHttpException } from './order-http-errors.filter.js';
import { OrderConflictError, OrderDependencyUnavailableError, OrderNotFoundError } from './orders/index.js';

describe('toHttpException', () => {
  it('maps the order errors to 404 / 409 / 503 with their message', () => {
    expect(toHttpException(new OrderNotFoundError('order x not found')).getResponse()).toEqual({ statusCode: 404, message: 'order x not found', error: 'Not Found' });
    expect(toHttpException(new OrderConflictError('no')).getStatus()).toBe(409);
    expect(toHttpException(new OrderDependencyUnavailableError('down')).getStatus()).toBe(503);
  });

  it('a failed remote task is 502 naming the error, without task ids or tracebacks', () => {
    const remote = new CeleryRemoteError('tid', { exc_type: 'ValueError', exc_message: ['bad'], exc_module: 'builtins' }, 'Traceback: secret');
    const response = toHttpException(remote).getResponse() as { message: string };
    expect(toHttpException(remote).getStatus()).toBe(502);
    expect(response.message).toContain('ValueError');
    expect(JSON.stringify(response)).not.toMatch(/tid|secret/);
  });
});
