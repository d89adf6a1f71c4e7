/** What the tasks of test/python/pyworker_app.py return, as the Nest client reads it. */

/** `pyinterop.headers`: the request attributes and AMQP properties the Python task saw. */
export interface HeadersInfo {
  custom: Record<string, unknown>;
  extra_keys: string[];
  request_headers: unknown;
  delivery_info: { exchange: string; routing_key: string; priority: number | null; redelivered: boolean };
  timelimit: [number | null, number | null] | null;
  eta: string | null;
  expires: string | null;
  shadow: string | null;
  origin: string | null;
  lang: string | null;
  priority_property: number | null;
  reply_to: string | null;
  correlation_id: string | null;
  ignore_result: boolean;
  argsrepr: string | null;
}

/** `pyinterop.context`: the task's place in its workflow. */
export interface ContextInfo {
  id: string;
  root_id: string | null;
  parent_id: string | null;
  group: string | null;
  retries: number;
}
