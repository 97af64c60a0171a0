// One proxied connection: the accepted client socket, its upstream socket, and a Direction each way.
// Whether a toxic applies is drawn when the connection opens and again whenever the proxy says so (draw());
// a toxic that stays applied keeps its stage and state. close() sends FIN both ways, reset() sends RST.
import { connect, type Socket } from 'node:net';
import type { HostPort } from './address.js';
import { netHost } from './address.js';
import { Direction } from './direction.js';
import type { ToxicModel } from './model.js';

/** After a graceful close, sockets still open this long are destroyed. */
const CLOSE_GRACE_MS = 2000;

export class Link {
  readonly upstream: Socket;
  private readonly up: Direction;
  private readonly down: Direction;
  private readonly decisions = new Map<ToxicModel, boolean>();
  private closing = false;
  private gone = false;
  private openSockets = 2;

  constructor(
    readonly client: Socket,
    target: HostPort,
    private readonly toxics: () => readonly ToxicModel[],
    private readonly onGone: (link: Link) => void,
    private readonly random: () => number = Math.random,
  ) {
    client.setNoDelay(true);
    this.upstream = connect({ host: netHost(target.host), port: target.port, allowHalfOpen: true, noDelay: true });
    const ctl = { close: () => this.close(), reset: () => this.reset() };
    this.up = new Direction(client, this.upstream, ctl);
    this.down = new Direction(this.upstream, client, ctl);
    for (const s of [client, this.upstream]) {
      s.on('error', () => this.destroy());
      s.on('close', () => {
        if (--this.openSockets === 0) this.finish();
        else if (!this.closing) this.close();
      });
    }
    this.refresh();
  }

  /** Re-derives both chains from the proxy's toxics (call after any toxic change). */
  refresh(): void {
    if (this.closing) return;
    const list = this.toxics();
    this.up.setToxics(list.filter((t) => t.direction === 'upstream' && this.applies(t)));
    if (this.closing) return;
    this.down.setToxics(list.filter((t) => t.direction === 'downstream' && this.applies(t)));
  }

  /** Draws again whether `toxic` applies to this connection (takes effect at the next refresh()). */
  draw(toxic: ToxicModel): void {
    this.decisions.set(toxic, this.random() < toxic.toxicity);
  }

  /** The toxic is gone. */
  forget(toxic: ToxicModel): void {
    this.decisions.delete(toxic);
  }

  /** The toxic's attributes changed. */
  updated(toxic: ToxicModel): void {
    (toxic.direction === 'upstream' ? this.up : this.down).updated(toxic);
  }

  /** Graceful close: no more data is moved; both sockets get FIN after what was already written. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.up.stop();
    this.down.stop();
    for (const s of [this.client, this.upstream]) {
      s.resume(); // read and discard, so closing does not turn into RST
      if (s.writableFinished || s.destroyed) s.destroy();
      else {
        s.once('finish', () => s.destroy());
        s.end();
      }
      setTimeout(() => s.destroy(), CLOSE_GRACE_MS).unref();
    }
  }

  /** Abortive close: RST on both sockets. */
  reset(): void {
    this.closing = true;
    this.up.stop();
    this.down.stop();
    for (const s of [this.client, this.upstream]) {
      try {
        if (!s.destroyed) s.resetAndDestroy();
      } catch {
        s.destroy();
      }
    }
  }

  private destroy(): void {
    this.closing = true;
    this.up.stop();
    this.down.stop();
    this.client.destroy();
    this.upstream.destroy();
  }

  private applies(t: ToxicModel): boolean {
    if (!this.decisions.has(t)) this.draw(t);
    return this.decisions.get(t) === true;
  }

  private finish(): void {
    if (this.gone) return;
    this.gone = true;
    this.up.stop();
    this.down.stop();
    this.onGone(this);
  }
}
