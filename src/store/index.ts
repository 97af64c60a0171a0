// The run store: a run directory's files, their types, and how they are written and read back. Shared by the
// runner (writes), `faultline check RUN_DIR` (judges what is stored), the report and `faultline serve` (read).
export * from './files.js';
export * from './read.js';
export * from './write.js';
