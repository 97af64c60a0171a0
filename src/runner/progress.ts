// Live progress on the terminal: elapsed / total, ops/s, ok / fail / info, the fault in force.
// A cli-progress bar on a TTY; on pipes and CI, one plain line every few seconds.
import cliProgress from 'cli-progress';

export interface ProgressCounts {
  ok: number;
  fail: number;
  info: number;
}

export interface Progress {
  update(elapsedS: number, counts: ProgressCounts, fault: string | null): void;
  log(line: string): void;
  stop(): void;
}

export function makeProgress(totalS: number, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled) return { update() {}, log() {}, stop() {} };
  let lastOps = 0;
  let lastT = 0;
  let rate = 0;
  const rateOf = (elapsedS: number, c: ProgressCounts): number => {
    const ops = c.ok + c.fail + c.info;
    if (elapsedS - lastT >= 1) {
      rate = (ops - lastOps) / (elapsedS - lastT);
      lastOps = ops;
      lastT = elapsedS;
    }
    return rate;
  };
  if (!stream.isTTY) {
    let lastLine = -Infinity;
    return {
      update(elapsedS, c, fault) {
        const r = rateOf(elapsedS, c);
        if (elapsedS - lastLine < 5) return;
        lastLine = elapsedS;
        stream.write(
          `  ${elapsedS.toFixed(0)}/${totalS}s  ${r.toFixed(0)} ops/s  ok ${c.ok}  fail ${c.fail}  info ${c.info}  fault: ${fault ?? '-'}\n`,
        );
      },
      log(line) {
        stream.write(`  ${line}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '  {bar} {value}/{total}s | {rate} ops/s | ok {ok} fail {fail} info {info} | fault: {fault}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalS, 0, { rate: 0, ok: 0, fail: 0, info: 0, fault: '-' });
  return {
    update(elapsedS, c, fault) {
      const r = rateOf(elapsedS, c);
      bar.update(Math.min(totalS, Math.floor(elapsedS)), { rate: r.toFixed(0), ok: c.ok, fail: c.fail, info: c.info, fault: fault ?? '-' });
    },
    log(line) {
      stream.write(`\r\x1b[K  ${line}\n`);
      bar.render();
    },
    stop() {
      bar.stop();
    },
  };
}
