import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ORDER_EVENT_SCHEMAS } from '@ecom/order/events/order-events';
import { checkEvents } from '../src/event-check.ts';
import { defaultEventsDir, loadEventCheckInput } from '../src/event-registry.ts';
import { toJsonSchema, type JsonSchema } from '../src/event-schemas.ts';

const input = loadEventCheckInput();
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const paidV1 = ORDER_EVENT_SCHEMAS['order.paid'][1];

describe('event schema check', () => {
  it('holds the committed registry to what the producers write and the consumers read', () => {
    const report = checkEvents(input);
    expect(report.failures).toEqual([]);
    expect(report.changed).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('fails removing a field of order.paid that a consumer reads, naming the consumer', () => {
    const working = clone(input.working);
    const paid = working['order.paid.v1']!;
    delete (paid.properties!['lines']!.items as JsonSchema).properties!['quantity'];
    const report = checkEvents({ ...input, working });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([expect.stringMatching(/order\.paid v1: field "lines\[\]\.quantity" is removed, but product reads it/)]);
  });

  it('fails retyping a field a consumer reads and making it optional', () => {
    const retyped = toJsonSchema(paidV1.extend({ orderId: z.number().int() }));
    const optional = toJsonSchema(paidV1.extend({ orderId: z.string().optional() }));
    expect(checkEvents({ ...input, working: { ...input.working, 'order.paid.v1': retyped } }).failures).toEqual([
      expect.stringMatching(/field "orderId" changes type string → integer, but product reads it/),
      expect.stringMatching(/field "orderId" changes type string → integer, but marketing reads it/),
    ]);
    expect(checkEvents({ ...input, working: { ...input.working, 'order.paid.v1': optional } }).failures).toEqual([
      expect.stringMatching(/field "orderId" is optional, but product reads it/),
      expect.stringMatching(/field "orderId" is optional, but marketing reads it/),
    ]);
  });

  it('lets a field read only when present be optional, and fails removing or retyping it, naming the consumer', () => {
    const paid = input.working['order.paid.v1']!;
    expect(paid.required).not.toContain('couponCode');
    expect(checkEvents(input).ok).toBe(true);
    const removed = toJsonSchema(paidV1.omit({ couponCode: true }));
    expect(checkEvents({ ...input, working: { ...input.working, 'order.paid.v1': removed } }).failures).toEqual([
      expect.stringMatching(/order\.paid v1: field "couponCode" is removed, but marketing reads it/),
    ]);
    const retyped = toJsonSchema(paidV1.extend({ couponCode: z.number().int().optional() }));
    expect(checkEvents({ ...input, working: { ...input.working, 'order.paid.v1': retyped } }).failures).toEqual([
      expect.stringMatching(/field "couponCode" changes type .* → integer, but marketing reads it/),
    ]);
  });

  it('fails a version bump that drops the version a consumer reads, and passes one that keeps it', () => {
    const v2 = toJsonSchema(paidV1.omit({ paymentId: true }));
    const { 'order.paid.v1': v1, ...others } = input.working;
    const dropped = checkEvents({ ...input, working: { ...others, 'order.paid.v2': v2 } });
    expect(dropped.ok).toBe(false);
    expect(dropped.failures[0]).toMatch(/product reads order\.paid v1, which no producer writes any more/);
    const kept = checkEvents({ ...input, working: { ...others, 'order.paid.v1': v1!, 'order.paid.v2': v2 } });
    expect(kept.ok).toBe(true);
    expect(kept.changed).toEqual(['order.paid.v2']);
  });

  it('passes adding a field, and only warns about removing one nobody reads', () => {
    const added = toJsonSchema(paidV1.extend({ channel: z.string() }));
    expect(checkEvents({ ...input, working: { ...input.working, 'order.paid.v1': added } })).toMatchObject({ ok: true, changed: ['order.paid.v1'] });
    const removed = toJsonSchema(paidV1.omit({ currency: true }));
    const report = checkEvents({ ...input, working: { ...input.working, 'order.paid.v1': removed } });
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([expect.stringContaining('field "currency" removed')]);
  });

  it('reads the registry files: one JSON Schema per event type and version', () => {
    const file = JSON.parse(readFileSync(join(defaultEventsDir, 'order.paid.v1.json'), 'utf8')) as JsonSchema;
    expect(file.properties).toHaveProperty('lines');
    // A registry whose order.paid.v1 lacks a field product reads is refused as well (the baseline is the file).
    const dir = mkdtempSync(join(tmpdir(), 'ecom-events-registry-'));
    try {
      cpSync(defaultEventsDir, dir, { recursive: true });
      const edited = clone(file);
      edited.properties!['orderId'] = { type: 'integer' };
      writeFileSync(join(dir, 'order.paid.v1.json'), JSON.stringify(edited));
      const report = checkEvents(loadEventCheckInput(dir));
      expect(report.failures).toEqual([
        expect.stringMatching(/"orderId" changes type integer → string, but product reads it/),
        expect.stringMatching(/"orderId" changes type integer → string, but marketing reads it/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes `npm run schema:check` pass on the committed state', () => {
    const result = spawnSync('npx', ['tsx', 'src/check-cli.ts'], { cwd: join(defaultEventsDir, '..'), encoding: 'utf8' });
    expect(result.stdout).toContain('events: ok');
  });
});
