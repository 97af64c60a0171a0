// Reads a JSON file a user hands in: unreadable is exit 66 (NO_INPUT), malformed JSON is exit 65 with file:line.
import { readFileSync } from 'node:fs';
import { EXIT, InputError, UserError } from './exit.js';

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read: ${(err as Error).message}`, EXIT.NO_INPUT);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(file, errorLine(text, (err as Error).message), `expected JSON: ${(err as Error).message}`);
  }
}

/** The line JSON.parse stopped at: from "position N", or the last line when the input ended early. */
function errorLine(text: string, message: string): number {
  const m = /position (\d+)/.exec(message);
  if (m) return text.slice(0, Number(m[1])).split('\n').length;
  if (/end of JSON input/i.test(message)) return text.trimEnd().split('\n').length;
  return 1;
}
