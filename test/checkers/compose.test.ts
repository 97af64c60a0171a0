// compose(): runs every checker, merges verdicts (false > "unknown" > true), turns exceptions into "unknown".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compose, mergeValidity } from '../../checkers/compose.js';
import type { CheckResult, Checker, Validity } from '../../checkers/types.js';
import { HistoryBuilder } from '../support/build-history.js';

const h = new HistoryBuilder().op(0, 'read', null, null).paired();
const returning = (r: CheckResult & Record<string, unknown>): Checker => () => r;

describe('compose', () => {
  it('keeps each result under its name and merges the verdicts', () => {
    const c = compose({ a: returning({ valid: true, n: 1 }), b: returning({ valid: 'unknown', reason: 'time limit' }) });
    expect(c(h, {})).toEqual({ valid: 'unknown', a: { valid: true, n: 1 }, b: { valid: 'unknown', reason: 'time limit' }, reason: 'b: time limit' });
  });

  it('false beats unknown beats true, whatever the order', () => {
    const validities: Validity[] = [true, false, 'unknown'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...validities), { maxLength: 6 }), (vs) => {
        const expected = vs.includes(false) ? false : vs.includes('unknown') ? 'unknown' : true;
        expect(mergeValidity(vs)).toBe(expected);
        const checkers = Object.fromEntries(vs.map((v, i) => [`c${i}`, returning({ valid: v })]));
        expect(compose(checkers)(h, {}).valid).toBe(expected);
      }),
    );
  });

  it('turns a throwing checker into unknown with the error, and still runs the others', () => {
    let ran = false;
    const c = compose({
      boom: () => {
        throw new Error('kaput');
      },
      after: () => {
        ran = true;
        return { valid: true };
      },
    });
    const r = c(h, {});
    expect(r).toMatchObject({ valid: 'unknown', boom: { valid: 'unknown', error: 'kaput' }, reason: 'boom: kaput' });
    expect(ran).toBe(true);
  });

  it('an invalid checker wins over one that threw, and passes the context on', () => {
    const seen: unknown[] = [];
    const c = compose({
      boom: () => {
        throw new Error('x');
      },
      bad: (_h, ctx) => {
        seen.push(ctx.timeLimitMs);
        return { valid: false, reason: 'lost 3' };
      },
    });
    expect(c(h, { timeLimitMs: 5 })).toMatchObject({ valid: false, reason: 'bad: lost 3' });
    expect(seen).toEqual([5]);
  });

  it('a result without a verdict becomes unknown', () => {
    const c = compose({ odd: (() => ({ nope: 1 })) as unknown as Checker });
    expect(c(h, {}).valid).toBe('unknown');
  });
});
