/** Transport id of `ServerCelery`: `@MessagePattern(name, CELERY_TRANSPORT)` binds only to it. */
export const CELERY_TRANSPORT: unique symbol = Symbol('CELERY_TRANSPORT');
