// `faultline check`: command-line definition (options, help); the implementation is imported lazily.
import type { Command } from 'commander';

export function registerCheck(_program: Command): void {
  // defined by the check issue
}
