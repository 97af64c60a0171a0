// Builds the stage for a toxic type.
import type { ToxicModel } from '../model.js';
import { BandwidthStage } from './bandwidth.js';
import { LatencyStage } from './latency.js';
import { LimitDataStage } from './limit-data.js';
import { NoopStage } from './noop.js';
import { ResetPeerStage } from './reset-peer.js';
import { SlicerStage } from './slicer.js';
import { SlowCloseStage } from './slow-close.js';
import type { Stage, StageContext } from './stage.js';
import { TimeoutStage } from './timeout.js';

export function createStage(toxic: ToxicModel, ctx: StageContext): Stage {
  switch (toxic.type) {
    case 'latency':
      return new LatencyStage(toxic, ctx);
    case 'bandwidth':
      return new BandwidthStage(toxic, ctx);
    case 'slow_close':
      return new SlowCloseStage(toxic, ctx);
    case 'timeout':
      return new TimeoutStage(toxic, ctx);
    case 'reset_peer':
      return new ResetPeerStage(toxic, ctx);
    case 'slicer':
      return new SlicerStage(toxic, ctx);
    case 'limit_data':
      return new LimitDataStage(toxic, ctx);
    case 'noop':
      return new NoopStage(toxic, ctx);
  }
}
