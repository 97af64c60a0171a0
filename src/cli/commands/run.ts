// `faultline run`: command-line definition (options, help); the implementation is imported lazily.
import type { Command } from 'commander';

export function registerRun(_program: Command): void {
  // defined by the run issue
}
