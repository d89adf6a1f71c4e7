import { describe, expect, it } from '@jest/globals';
import { pyAmqpHeaders, toPyAmqpTable } from './py-amqp-table.js';

describe('pyAmqpHeaders', () => {
  it('hands over the table itself when amqplib writes every value as py-amqp reads it', () => {
    const compact = { task: 'orders.create', id: 'c8f3', root_id: 'c8f3', ignore_result: true, parent_id: null };
    expect(pyAmqpHeaders(compact)).toBe(compact);
  });

  it.each([
    ['an integer', { retries: 1 }],
    ['a float', { x: 0.5 }],
    ['a bigint', { x: 2n ** 40n }],
    ['an array', { timelimit: [null, null] }],
    ['a nested table', { meta: { a: 1 } }],
    ['a Date', { when: new Date(0) }],
    ['undefined', { eta: undefined }],
  ])('types a table with %s exactly as toPyAmqpTable does', (_what, table: Record<string, unknown>) => {
    expect(pyAmqpHeaders(table)).not.toBe(table);
    expect(pyAmqpHeaders(table)).toEqual(toPyAmqpTable(table));
  });

  it('a table with inherited keys becomes the typed copy of its own keys, as with toPyAmqpTable (amqplib would write inherited ones untyped)', () => {
    const table = Object.create({ retries: 3 }) as Record<string, unknown>;
    table.task = 't';
    expect(pyAmqpHeaders(table)).toEqual({ task: 't' });
  });
});
