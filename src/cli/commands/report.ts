// `faultline report`: command-line definition (options, help); the implementation is imported lazily.
import type { Command } from 'commander';

export function registerReport(_program: Command): void {
  // defined by the report issue
}
