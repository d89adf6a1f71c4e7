/** The service's `ServerCelery`, for the health check. */
export const SERVICE_WORKER = Symbol('SERVICE_WORKER');
