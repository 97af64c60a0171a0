// Numeric option parsers for commander (integers and numbers within a range), with messages that name the
// range as a user would write it ("at least 1", not "from 1 to 1.79e+308").
import { InvalidArgumentError } from 'commander';
import { rangeText } from '../util/option-spec.js';

export { rangeText };

export function int(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^-?[0-9]+$/.test(v.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${rangeText(min, max)}`);
    return n;
  };
}

export function num(min: number, max = Number.MAX_VALUE): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number ${rangeText(min, max)}`);
    return n;
  };
}
