// Progress output: on a terminal, log lines go above the bar and the bar is erased before anything follows;
// on a pipe, one plain line every few seconds; the rate is acknowledged ops only, and absent (not 0) at first.
import { describe, expect, it } from 'vitest';
import { countsText, makeProgress, OkRate, plainLine } from '../../src/runner/progress.js';

/** A stream that records what is written; `tty` makes cli-progress draw a bar on it. */
function fakeStream(tty: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const s = {
    isTTY: tty,
    columns: 100,
    write(c: string | Uint8Array) {
      chunks.push(String(c));
      return true;
    },
    cursorTo() {
      return true;
    },
    moveCursor(dx: number, dy: number) {
      chunks.push(`\x1b[move ${dx},${dy}]`);
      return true;
    },
    clearLine() {
      chunks.push('\x1b[clearLine]');
      return true;
    },
    clearScreenDown() {
      chunks.push('\x1b[clearDown]');
      return true;
    },
    on() {
      return s;
    },
    removeListener() {
      return s;
    },
    text: () => chunks.join(''),
  };
  return s as unknown as NodeJS.WriteStream & { text: () => string };
}

describe('OkRate', () => {
  it('is null until a second has passed, then counts acknowledged ops per second over a window', () => {
    const r = new OkRate();
    expect(r.sample(0.25, 10)).toBeNull();
    expect(r.sample(0.75, 60)).toBeNull();
    expect(r.sample(1.25, 110)).toBeCloseTo(100);
    for (let t = 1.5, ok = 135; t <= 10; t += 0.25, ok += 25) r.sample(t, ok);
    // 100 ok/s steady: the window forgets the start
    expect(r.sample(10.25, 135 + 35 * 25)).toBeCloseTo(100);
  });
});

describe('progress text', () => {
  it('shows ok/s, then ok, fail and info separately', () => {
    expect(countsText(null, { ok: 3, fail: 2, info: 1 })).toBe('… ok/s · ok 3 · fail 2 · info 1');
    expect(plainLine(12.7, 20, 171.4, { ok: 1610, fail: 31, info: 2 }, 'failover')).toBe('  12/20s  171 ok/s · ok 1610 · fail 31 · info 2  fault: failover');
  });
});

describe('makeProgress', () => {
  it('on a pipe: no line before the first 5 s, then one plain line per 5 s; log lines as they come', () => {
    const s = fakeStream(false);
    const p = makeProgress(20, true, s);
    p.log('starting');
    for (let t = 0.25; t <= 11; t += 0.25) p.update(t, { ok: Math.round(t * 100), fail: 0, info: 0 }, null);
    p.stop();
    const lines = s.text().trimEnd().split('\n');
    expect(lines[0]).toBe('  starting');
    expect(lines.slice(1).map((l) => l.split('  ')[1])).toEqual(['5/20s', '10/20s']);
    expect(s.text()).not.toMatch(/^ {2}0\/20s/m);
  });

  it('on a terminal: the bar starts with the first update, log lines land above it, stop erases it and leaves one plain line', () => {
    const s = fakeStream(true);
    const p = makeProgress(20, true, s);
    p.log('before the bar');
    expect(s.text()).toBe('  before the bar\n');
    p.update(0.25, { ok: 5, fail: 0, info: 0 }, null);
    p.log('nemesis: site a lost; n2 promoted');
    p.update(2, { ok: 300, fail: 4, info: 1 }, 'failover');
    p.stop();
    const out = s.text();
    expect(out).toContain('nemesis: site a lost; n2 promoted\n');
    // the log line is written on a cleared line, before the bar is drawn again
    expect(out).toMatch(/\x1b\[2K {2}nemesis: site a lost; n2 promoted\n\x1b\[1G {2}█/);
    // stop: erase from the bar's line down (ESC[0J), then only the final plain line follows
    const erased = out.lastIndexOf('\x1b[0J');
    expect(erased).toBeGreaterThan(out.lastIndexOf('█'));
    expect(out.slice(erased + 4)).toBe('  2/20s  169 ok/s · ok 300 · fail 4 · info 1  fault: failover\n');
  });

  it('is silent when disabled', () => {
    const s = fakeStream(true);
    const p = makeProgress(20, false, s);
    p.log('x');
    p.update(3, { ok: 1, fail: 0, info: 0 }, null);
    p.stop();
    expect(s.text()).toBe('');
  });
});
