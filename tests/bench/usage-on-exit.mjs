// Preloaded (node --import) into a process the import benchmark measures from outside, such as the
// built CLI: prints the process's CPU time (every thread) and peak RSS on stderr as it exits.
process.on('exit', () => {
  const usage = process.resourceUsage();
  const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
  process.stderr.write(`\nGUIDEPOST_USAGE ${JSON.stringify({ cpuMs, peakRssMb: Math.round(usage.maxRSS / 1024) })}\n`);
});
