// `faultline repair`: command-line definition (options, help); the implementation is imported lazily.
import type { Command } from 'commander';

export function registerRepair(_program: Command): void {
  // defined by the repair issue
}
