// known_hosts checking as OpenSSH reads the file: plain, [host]:port, hashed, wildcards, negation, @revoked.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkHostKey, knownHostsLine, patternsMatch } from '../../src/remote/known-hosts.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const out = Buffer.alloc(8 + t.length + b.length);
  out.writeUInt32BE(t.length, 0);
  t.copy(out, 4);
  out.writeUInt32BE(b.length, 4 + t.length);
  b.copy(out, 8 + t.length);
  return out;
}

const A = blob('ssh-ed25519', 'key-a');
const B = blob('ssh-ed25519', 'key-b');
const R = blob('ssh-rsa', 'key-r');
const line = (pattern: string, k: Buffer, type = 'ssh-ed25519') => `${pattern} ${type} ${k.toString('base64')}`;

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  it('matches plain names, and [host]:port for ports other than 22', () => {
    const text = [line('db1,10.0.0.1', A), line('[db2]:2222', B)].join('\n');
    expect(checkHostKey(text, '10.0.0.1', 22, A)).toEqual({ status: 'match', line: 1 });
    expect(checkHostKey(text, 'db2', 2222, B)).toEqual({ status: 'match', line: 2 });
    expect(checkHostKey(text, 'db2', 22, B).status).toBe('unknown');
  });

  it('reports a changed key of the same type as a mismatch with its line', () => {
    const text = `# comment\n\n${line('db1', A)}\n`;
    expect(checkHostKey(text, 'db1', 22, B)).toEqual({ status: 'mismatch', line: 3, type: 'ssh-ed25519' });
    expect(checkHostKey(text, 'db1', 22, R)).toEqual({ status: 'unknown', otherTypes: ['ssh-ed25519'] });
  });

  it('matches hashed names', () => {
    const text = [line(hashed('10.0.0.9'), A), line(hashed('[10.0.0.9]:2200'), B)].join('\n');
    expect(checkHostKey(text, '10.0.0.9', 22, A).status).toBe('match');
    expect(checkHostKey(text, '10.0.0.9', 2200, B).status).toBe('match');
    expect(checkHostKey(text, '10.0.0.8', 22, A).status).toBe('unknown');
  });

  it('handles wildcards, negation and @revoked', () => {
    expect(patternsMatch('*.example,!bad.example', 'db.example')).toBe(true);
    expect(patternsMatch('*.example,!bad.example', 'bad.example')).toBe(false);
    expect(patternsMatch('10.0.0.?', '10.0.0.7')).toBe(true);
    const text = [`@revoked ${line('*', A)}`, line('db1', A)].join('\n');
    expect(checkHostKey(text, 'db1', 22, A)).toEqual({ status: 'revoked', line: 1 });
  });

  it('writes lines it reads back', () => {
    expect(checkHostKey(knownHostsLine('h', 2022, A), 'h', 2022, A).status).toBe('match');
  });
});
