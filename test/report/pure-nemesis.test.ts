// Unit tests for the nemesis shading rule: which f starts / ends a fault, pairing into bands, instants.
import { describe, expect, it } from 'vitest';
import type { NemesisEvent } from '../../src/history/types.js';
import { describeNemesisValue, nemesisIntervals, nemesisRole } from '../../src/report/nemesis.js';

let idx = 0;
function ev(time: number, type: NemesisEvent['type'], f: string, value?: NemesisEvent['value']): NemesisEvent {
  return { index: idx++, time, type, f, ...(value !== undefined ? { value } : {}) };
}
/** A nemesis op as Jepsen writes it: invoke then info a little later. */
const op = (t: number, f: string, value?: NemesisEvent['value']): NemesisEvent[] => [ev(t, 'invoke', f, value), ev(t + 5, 'info', f, value)];

describe('nemesisRole', () => {
  it('classifies starts, ends and instants', () => {
    expect(nemesisRole('start-partition')).toEqual({ kind: 'start', family: 'partition' });
    expect(nemesisRole('stop-partition')).toEqual({ kind: 'end', family: 'partition' });
    expect(nemesisRole('kill')).toEqual({ kind: 'start', family: 'kill' });
    expect(nemesisRole('start')).toEqual({ kind: 'end', family: 'kill' });
    expect(nemesisRole('pause')).toEqual({ kind: 'start', family: 'pause' });
    expect(nemesisRole('resume')).toEqual({ kind: 'end', family: 'pause' });
    expect(nemesisRole('heal')).toEqual({ kind: 'end', family: null });
    expect(nemesisRole('partition-majorities-ring')).toEqual({ kind: 'start', family: 'partition' });
    expect(nemesisRole('start-latency')).toEqual({ kind: 'start', family: 'latency' });
    expect(nemesisRole('heal-latency')).toEqual({ kind: 'end', family: 'latency' });
    expect(nemesisRole('failover')).toEqual({ kind: 'instant' });
    expect(nemesisRole('promote')).toEqual({ kind: 'instant' });
  });
});

describe('nemesisIntervals', () => {
  it('pairs a kill with the next start, from the kill invoke to the start completion', () => {
    const { intervals, instants } = nemesisIntervals([...op(100, 'kill', ['n2']), ...op(500, 'start', ['n2'])], 1000);
    expect(instants).toEqual([]);
    expect(intervals).toEqual([{ family: 'kill', f: 'kill', label: 'kill n2', detail: 'kill ["n2"]', start: 100, end: 505, open: false, endF: 'start' }]);
  });

  it('a bare heal closes every open fault; faults of different families overlap', () => {
    const events = [...op(100, 'start-partition', { n1: ['n2'] }), ...op(200, 'pause', ['n3']), ...op(300, 'resume'), ...op(600, 'heal')];
    const { intervals } = nemesisIntervals(events, 1000);
    expect(intervals.map((i) => [i.family, i.start, i.end, i.open])).toEqual([
      ['partition', 100, 605, false],
      ['pause', 200, 305, false],
    ]);
  });

  it('a fault still open at the end runs to the end and is marked open', () => {
    const { intervals } = nemesisIntervals(op(100, 'start-partition'), 900);
    expect(intervals[0]).toMatchObject({ start: 100, end: 900, open: true });
  });

  it('a second start of an open family does not open a second band', () => {
    const { intervals } = nemesisIntervals([...op(100, 'kill', ['n1']), ...op(200, 'kill', ['n2']), ...op(300, 'start')], 900);
    expect(intervals).toHaveLength(1);
  });

  it('failovers and heals with nothing open are instants', () => {
    const { intervals, instants } = nemesisIntervals([...op(100, 'failover', 'n2'), ...op(300, 'heal')], 900);
    expect(intervals).toEqual([]);
    expect(instants.map((i) => [i.f, i.time, i.label])).toEqual([
      ['failover', 100, 'failover n2'],
      ['heal', 300, 'heal'],
    ]);
  });

  it('lone completions without invoke still count', () => {
    const { intervals } = nemesisIntervals([ev(10, 'info', 'start-partition'), ev(50, 'info', 'stop-partition')], 100);
    expect(intervals[0]).toMatchObject({ start: 10, end: 50, open: false });
  });
});

describe('describeNemesisValue', () => {
  it('renders short values and cuts long ones', () => {
    expect(describeNemesisValue(['n1', 'n2'])).toBe('n1 n2');
    expect(describeNemesisValue(null)).toBe('');
    expect(describeNemesisValue({ n1: ['n2', 'n3'] })).toBe('n1=n2,n3');
    expect(describeNemesisValue('x'.repeat(100), 10)).toHaveLength(10);
  });
});

describe('object values and long ops', () => {
  it('objects read as k=v of their scalar fields', () => {
    expect(describeNemesisValue({ site: 'a', lost: ['n1', 'n3'], repointed: [], roles: { n1: 'x' } }, 80)).toBe('site=a lost=n1,n3');
  });

  it('a failover that takes a while is shaded for its own duration', () => {
    const { intervals, instants } = nemesisIntervals([ev(1e9, 'invoke', 'failover'), ev(3.5e9, 'info', 'failover', { newPrimary: 'n2' })], 9e9);
    expect(instants).toEqual([]);
    expect(intervals).toEqual([{ family: 'failover', f: 'failover', label: 'primary lost; n2 promoted', detail: 'failover {"newPrimary":"n2"}', start: 1e9, end: 3.5e9, open: false, endF: 'failover done' }]);
  });
});
