import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsNumber, IsString, ValidateNested } from 'class-validator';
import { decodeEventPayload, encodeEventPayload, eventViolations } from './event-payload.codec.js';

class Line {
  @IsString() itemId!: string;
  @IsInt() quantity!: number;
  @IsNumber() unitPrice!: number;
}

class Submitted {
  @IsString() orderId!: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
  @IsDate() @Type(() => Date) submittedAt!: Date;
}

const wire = {
  orderId: 'o-1',
  lines: [{ itemId: 'a', quantity: 2, unitPrice: 1.5 }],
  submittedAt: '2026-01-02T03:04:05.678Z',
};

describe('event payload codec', () => {
  it('encodes nested instances to plain JSON: numbers stay numbers, dates become ISO strings', () => {
    const event = Object.assign(new Submitted(), {
      orderId: 'o-1',
      lines: [Object.assign(new Line(), { itemId: 'a', quantity: 2, unitPrice: 1.5 })],
      submittedAt: new Date('2026-01-02T03:04:05.678Z'),
    });
    expect(JSON.parse(JSON.stringify(encodeEventPayload(event)))).toEqual(wire);
  });

  it('decodes a payload into a validated instance with nested classes and dates', () => {
    const decoded = decodeEventPayload(Submitted, wire);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.event).toBeInstanceOf(Submitted);
    expect(decoded.event.lines[0]).toBeInstanceOf(Line);
    expect(decoded.event.lines[0]!.quantity).toBe(2);
    expect(decoded.event.submittedAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
  });

  it('reports every violation with its path, converting nothing implicitly', () => {
    const decoded = decodeEventPayload(Submitted, { ...wire, lines: [{ itemId: 'a', quantity: '2', unitPrice: 1 }], submittedAt: 'soon' });
    expect(decoded).toEqual({
      ok: false,
      violations: [expect.stringMatching(/^lines\.0\.quantity: /), expect.stringMatching(/^submittedAt: /)],
    });
  });

  it('refuses payloads that are not objects', () => {
    expect(decodeEventPayload(Submitted, [1])).toEqual({ ok: false, violations: ['payload must be a JSON object, got an array'] });
    expect(decodeEventPayload(Submitted, undefined)).toEqual({ ok: false, violations: ['payload must be a JSON object, got undefined'] });
  });

  it('validates instances directly', () => {
    expect(eventViolations(Object.assign(new Line(), { itemId: 'a', quantity: 1, unitPrice: 2 }))).toEqual([]);
    expect(eventViolations(Object.assign(new Line(), { itemId: 3, quantity: 1, unitPrice: 2 }))).toEqual([expect.stringMatching(/^itemId: /)]);
  });
});
