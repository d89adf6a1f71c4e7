import { createRequire } from 'node:module';
import type * as Amqplib from 'amqplib';

const require = createRequire(import.meta.url);

/**
 * amqplib, as it is: loaded through Node's CommonJS `require` (it is a CommonJS package), so
 * instrumentation that hooks `require` (OpenTelemetry's `@opentelemetry/instrumentation-amqplib`)
 * sees this library's connections like any other's.
 */
export const amqplib = require('amqplib') as typeof Amqplib;
