// `faultline proxy`: command-line definition (options, help); the implementation is imported lazily.
import type { Command } from 'commander';

export function registerProxy(_program: Command): void {
  // defined by the proxy issue
}
