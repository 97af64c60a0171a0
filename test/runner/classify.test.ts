// Outcome classification follows the measured error table: fail only when certainly no effect.
import { describe, expect, it } from 'vitest';
import { classifyError, isSyncRepCancelNotice } from '../../src/runner/classify.js';

const err = (message: string, code?: string): Error => Object.assign(new Error(message), code ? { code } : {});

describe('classifyError', () => {
  const write = { write: true, sent: true };
  it('reads always fail: they have no effect', () => {
    expect(classifyError(err('Connection terminated unexpectedly'), { write: false, sent: true }).type).toBe('fail');
  });
  it('errors before the request was sent fail', () => {
    expect(classifyError(err('connect ECONNREFUSED 127.0.0.1:5', 'ECONNREFUSED'), { write: true, sent: false }).type).toBe('fail');
  });
  it.each([
    ['23505', 'duplicate key value violates unique constraint'],
    ['40001', 'could not serialize access'],
    ['25006', 'cannot execute INSERT in a read-only transaction'],
    ['57014', 'canceling statement due to statement timeout'],
    ['57P03', 'the database system is starting up'],
  ])('server ERROR %s on a write fails', (code, msg) => {
    expect(classifyError(err(msg, code), write)).toEqual({ type: 'fail', error: `${code} ${msg}` });
  });
  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['ECONNRESET', 'read ECONNRESET'],
    [undefined, 'Connection terminated unexpectedly'],
    [undefined, 'Query read timeout'],
  ])('connection-level error %s on a sent write is info', (code, msg) => {
    expect(classifyError(err(msg, code), write).type).toBe('info');
  });
  it('a workload error marked definite fails', () => {
    expect(classifyError(Object.assign(new Error('cas mismatch'), { definite: true }), write).type).toBe('fail');
  });
  it('recognises the sync-rep cancel warning', () => {
    expect(
      isSyncRepCancelNotice({ code: '01000', severity: 'WARNING', message: 'canceling wait for synchronous replication due to user request' }),
    ).toBe(true);
    expect(isSyncRepCancelNotice({ code: '01000', message: 'something else' })).toBe(false);
  });
});
