// noop: passes everything unchanged (useful to test the toxic path itself).
import { Stage } from './stage.js';

export class NoopStage extends Stage {
  push(chunk: Buffer): void {
    this.next.push(chunk);
  }
}
