// `faultline check` with V8's inlining off while a check is start-up bound (src/cli/inlining.ts): which inputs
// start that way, and the verdicts are the same as with V8's default (FAULTLINE_INLINING=on).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inliningIsOff, inliningOff, inliningOn, START_UP_BOUND_BYTES, startsWithoutInlining } from '../../src/cli/inlining.js';
import { ensureBuilt, faultline } from '../support/built-cli.js';
import { randomPlan, simulate } from '../support/simulate.js';

const KNOSSOS = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'knossos', 'cas-register');
const dir = mkdtempSync(join(tmpdir(), 'faultline-inlining-'));

beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('which checks start without inlining', () => {
  it('small inputs from files, unless FAULTLINE_INLINING=on', () => {
    expect(startsWithoutInlining(0, {})).toBe(true);
    expect(startsWithoutInlining(START_UP_BOUND_BYTES, {})).toBe(true);
    expect(startsWithoutInlining(START_UP_BOUND_BYTES + 1, {})).toBe(false);
    expect(startsWithoutInlining(null, {}), 'a pipe: its size is not known').toBe(false);
    expect(startsWithoutInlining(1, { FAULTLINE_INLINING: 'on' })).toBe(false);
  });

  it('off and on are idempotent, and on is where it ends', () => {
    try {
      inliningOff();
      inliningOff();
      expect(inliningIsOff()).toBe(true);
      inliningOn();
      expect(inliningIsOff()).toBe(false);
      inliningOn();
      expect(inliningIsOff()).toBe(false);
    } finally {
      inliningOn();
    }
  });
});

function both(args: string[]): { plain: ReturnType<typeof faultline>; inlined: ReturnType<typeof faultline> } {
  const plain = faultline(['check', '--json', ...args]);
  const before = process.env.FAULTLINE_INLINING;
  process.env.FAULTLINE_INLINING = 'on';
  try {
    return { plain, inlined: faultline(['check', '--json', ...args]) };
  } finally {
    if (before === undefined) delete process.env.FAULTLINE_INLINING;
    else process.env.FAULTLINE_INLINING = before;
  }
}

describe('faultline check: the same verdicts either way', () => {
  if (!existsSync(KNOSSOS)) it.skip(`on the Knossos corpus: skipped, ${KNOSSOS} is absent (the shared golden data lives beside the repository)`, () => {});
  else it('on the Knossos corpus (start-up bound throughout)', () => {
    const { plain, inlined } = both(['--model', 'cas-register', KNOSSOS]);
    expect(plain.status).toBe(1);
    expect(plain.stdout.split('\n').length).toBeGreaterThan(100);
    expect(plain).toEqual(inlined);
  });

  it('on a history whose search runs long (inlining back on partway)', () => {
    const p = join(dir, 'wide.jsonl');
    const events = simulate(randomPlan(11, { model: 'cas-register', processes: 12, keys: 0, ops: 300, infoRate: 0.05, failRate: 0.05, meanDuration: 12 }));
    writeFileSync(p, events.map((e) => JSON.stringify(e)).join('\n'));
    const { plain, inlined } = both(['--model', 'cas-register', p]);
    expect(plain.status).toBe(0);
    expect(plain).toEqual(inlined);
  });
});
