// Preloaded (`node --require`) by the benchmarks into a measured process: prints its peak RSS (KiB) at exit.
process.on('exit', () => process.stderr.write(`\nfaultline-bench-rss ${process.resourceUsage().maxRSS}\n`));
