import { createHash, createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signHeaders, TIMESTAMP_HEADER, verifySignature } from '../src/gateway-credential.ts';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const fields = { requestId: randomUUID(), userId: 'user-1', roles: [], deadlineMs: '5000', body: '{"query":"{ x }"}' };

describe('gateway credential', () => {
  it('accepts a fresh signature and refuses a stale one', () => {
    const now = Date.now();
    expect(verifySignature(SECRET, signHeaders(SECRET, fields, now), fields.body, now)).toBe(true);
    expect(verifySignature(SECRET, signHeaders(SECRET, fields, now - 61_000), fields.body, now)).toBe(false);
  });

  it('refuses a validly signed request whose timestamp is not a number (the freshness check cannot be skipped)', () => {
    for (const timestamp of ['NaN', 'soon', '1e13', '', ' 1', '-5']) {
      const headers = { ...signHeaders(SECRET, fields, Date.now()) };
      // Signed with the right key over the odd timestamp: the check must not depend on the signer being sane.
      const payload = [
        timestamp,
        fields.requestId,
        fields.userId,
        '',
        fields.deadlineMs,
        createHash('sha256').update(fields.body).digest('hex'),
      ].join('\n');
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = createHmac('sha256', SECRET).update(payload).digest('base64url');
      expect(verifySignature(SECRET, headers, fields.body), timestamp).toBe(false);
    }
    // NaN through the signer itself: String(NaN) is what a buggy caller would send.
    expect(verifySignature(SECRET, signHeaders(SECRET, fields, Number.NaN), fields.body)).toBe(false);
  });
});
