// `faultline cluster`: command-line definition (options, help); the implementation is imported lazily.
import type { Command } from 'commander';

export function registerCluster(_program: Command): void {
  // defined by the cluster issue
}
