import type { Options } from 'amqplib';

/**
 * The options object and header table a channel hands amqplib, reused for every message of the
 * same keys: amqplib's `publish` copies the headers with `Object.create(headers)` on every call,
 * which makes V8 turn a fresh table into a prototype (a re-shape and a slow walk of its keys) for
 * ~10 µs per Celery message, while a table it has seen before is already one. Safe because
 * amqplib encodes the message inside `publish()`: the objects are refilled only after that.
 *
 * Only for tables amqplib writes as they are (see `pyAmqpHeaders`) and only until someone else
 * adds to them: OpenTelemetry's amqplib instrumentation injects `traceparent` into the headers it
 * is given, so after such a publish the objects are left to it and fresh ones are made.
 */
export class ReusedPublishOptions {
  private optionKeys: string[] = [];
  private headerKeys: string[] = [];
  private options: Record<string, unknown> = {};
  private headers: Record<string, unknown> = {};

  /** The reused options, filled with the entries of `source` (whose headers are a plain own-key table). */
  fill(source: Options.Publish): Options.Publish {
    const headers = source.headers as Record<string, unknown>;
    if (!sameKeys(source, this.optionKeys)) {
      this.optionKeys = Object.keys(source);
      this.options = {};
    }
    if (!sameKeys(headers, this.headerKeys)) {
      this.headerKeys = Object.keys(headers);
      this.headers = {};
    }
    const options = this.options;
    const table = this.headers;
    for (const key in source) options[key] = (source as Record<string, unknown>)[key];
    for (const key in headers) table[key] = headers[key];
    options.headers = table;
    return options as Options.Publish;
  }

  /** After the publish: objects someone added keys to are not filled again. */
  release(): void {
    if (Object.keys(this.headers).length !== this.headerKeys.length || Object.keys(this.options).length !== this.optionKeys.length) {
      this.optionKeys = [];
      this.headerKeys = [];
      this.options = {};
      this.headers = {};
    }
  }
}

/** True when `object`'s enumerable keys are exactly `keys`, in order. */
function sameKeys(object: object, keys: string[]): boolean {
  let i = 0;
  for (const key in object) {
    if (keys[i++] !== key) return false;
  }
  return i === keys.length;
}
