// LocalRemote: exec (status, output, stdin, timeout and abort stop the whole process group), spawn (signals,
// exit status, the watchdog stops the process when its owner is SIGKILLed), upload/download, another OS user.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RemoteError } from '../../src/remote/errors.js';
import { LocalRemote } from '../../src/remote/local.js';
import { shQuote } from '../../src/remote/shell.js';
import { isAlive } from '../../src/util/processes.js';
import { allGone, valueOf } from '../support/wait.js';

const remote = new LocalRemote({ name: 'here' });
const dir = mkdtempSync(join(tmpdir(), 'fl-remote-'));
afterAll(async () => {
  await remote.close();
  rmSync(dir, { recursive: true, force: true });
});

const waitFor = <T>(fn: () => T | null | undefined | false): Promise<T> => valueOf(fn, { everyMs: 20 });

describe('LocalRemote exec', () => {
  it('returns status, stdout and stderr, and feeds stdin', async () => {
    const r = await remote.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    expect((await remote.exec(['cat'], { stdin: 'hello\0world' })).stdout).toBe('hello\0world');
    expect((await remote.exec(['pwd'], { cwd: dir })).stdout.trim()).toBe(dir);
    expect((await remote.exec({ sh: 'echo "$A-$B"' }, { env: { A: "it's", B: '$HOME' } })).stdout).toBe("it's-$HOME\n");
  });

  it('quotes any argument so the program receives it unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\0')), { maxLength: 4 }), async (args) => {
        const r = await remote.exec(['node', '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args]);
        expect(JSON.parse(r.stdout)).toEqual(args);
      }),
      { numRuns: 25 },
    );
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });

  it('check: a non-zero exit is a RemoteError naming the host and the step', async () => {
    const err = await remote.exec(['sh', '-c', 'echo broken >&2; exit 4'], { check: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).message).toMatch(/^host here \(local\): exec: sh -c .* exited 4: broken$/);
    expect((err as RemoteError).exitCode).toBe(69);
  });

  it('a timeout SIGKILLs the whole process group (background children too)', async () => {
    const pidFile = join(dir, 'bg.pid');
    const r = await remote.exec({ sh: `sleep 1000 & echo $! > ${pidFile}; wait` }, { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('KILL');
    const bg = Number(readFileSync(pidFile, 'utf8'));
    expect(await allGone([bg])).toBe(true);
  });

  it('an abort stops the command', async () => {
    const ac = new AbortController();
    const p = remote.exec(['sleep', '1000'], { signal: ac.signal, onStderr: () => undefined });
    setTimeout(() => ac.abort(), 50);
    const r = await p;
    expect(r.aborted).toBe(true);
    expect(r.code).not.toBe(0);
  });

  it('streams output as it arrives', async () => {
    const seen: string[] = [];
    await remote.exec({ sh: 'echo one; echo two >&2' }, { onStdout: (b) => seen.push(`o:${b}`), onStderr: (b) => seen.push(`e:${b}`) });
    expect(seen.sort()).toEqual(['e:two\n', 'o:one\n']);
  });
});

describe('LocalRemote spawn', () => {
  it('signals the process and reports how it exited', async () => {
    const p = await remote.spawn(['sleep', '1000']);
    expect(isAlive(p.pid)).toBe(true);
    expect(p.running).toBe(true);
    expect(await p.signal('TERM')).toBe(true);
    expect(await p.exited).toEqual({ code: 143, signal: 'TERM', lost: false });
    expect(p.running).toBe(false);
    expect(await p.signal('TERM')).toBe(false);
  });

  it('STOP/CONT reach the whole tree', async () => {
    const p = await remote.spawn({ sh: 'sleep 1000 & sleep 1000 & wait' });
    const children = await waitFor(() => {
      const r = readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim();
      return r.split(/\s+/).length === 2 ? r.split(/\s+/).map(Number) : null;
    });
    const state = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
    await p.signal('STOP', 'tree');
    for (const c of [p.pid, ...children]) await waitFor(() => state(c) === 'T');
    await p.signal('CONT', 'tree');
    for (const c of [p.pid, ...children]) await waitFor(() => state(c) !== 'T');
    await p.signal('KILL', 'tree');
    await p.exited;
    expect(await allGone(children)).toBe(true);
  });

  it('a command that cannot start exits 127 with its message', async () => {
    const p = await remote.spawn(['/nonexistent/postgres']);
    const st = await p.exited;
    expect(st.code).toBe(127);
  });

  it('the watchdog stops the process tree when its owner is SIGKILLed', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/remote-owner.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    owner.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const pid = await waitFor(() => (/^[0-9]+\n/.test(out) ? Number(out.trim()) : null));
    expect(isAlive(pid)).toBe(true);
    owner.kill('SIGKILL');
    expect(await allGone([pid])).toBe(true);
  });
});

describe('LocalRemote files', () => {
  it('uploads bytes and files atomically with a mode, and downloads them', async () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 13]);
    await remote.upload(data, join(dir, 'a.bin'), { mode: 0o640 });
    expect(readFileSync(join(dir, 'a.bin'))).toEqual(data);
    expect(statSync(join(dir, 'a.bin')).mode & 0o777).toBe(0o640);
    writeFileSync(join(dir, 'src.txt'), 'from a file');
    await remote.upload(join(dir, 'src.txt'), join(dir, 'b.txt'));
    expect(statSync(join(dir, 'b.txt')).mode & 0o777).toBe(0o600);
    await remote.download(join(dir, 'a.bin'), join(dir, 'c.bin'));
    expect(readFileSync(join(dir, 'c.bin'))).toEqual(data);
    expect(statSync(join(dir, 'c.bin')).mode & 0o777).toBe(0o600);
  });

  it('a failed transfer is a RemoteError and leaves no partial file', async () => {
    await expect(remote.upload(Buffer.from('x'), join(dir, 'missing/dir/f'))).rejects.toThrow(/host here \(local\): upload: /);
    await expect(remote.upload(join(dir, 'no-such-file'), join(dir, 'g'))).rejects.toThrow(/upload: cannot read/);
    await expect(remote.download(join(dir, 'no-such-file'), join(dir, 'h'))).rejects.toThrow(/download: cat -- .* exited 1/);
    expect(() => statSync(join(dir, 'h'))).toThrow();
  });

  it.skipIf(process.getuid?.() !== 0)('runs as another OS user (root: setpriv)', async () => {
    const { serverUser } = await import('../../src/cluster/osuser.js');
    const u = serverUser();
    expect((await remote.exec(['id', '-un'], { user: u.name })).stdout.trim()).toBe(u.name);
    expect((await remote.exec(['pwd'], { user: u.name })).stdout.trim()).toBe('/');
    const r = await remote.exec(['true'], { user: 'no-such-user-fl' });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/no OS user no-such-user-fl/);
  });
});
