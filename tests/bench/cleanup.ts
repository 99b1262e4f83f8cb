/**
 * What a benchmark leaves behind (server processes, temp databases, a baseline's git worktree) is
 * removed when it finishes, fails or is interrupted: each piece registers a synchronous task here, and
 * Ctrl+C or SIGTERM runs them all before the process exits.
 */
const tasks: (() => void)[] = [];
let listening = false;

/** Registers a task; the returned function unregisters it (the piece was removed the ordinary way). */
export function onCleanup(task: () => void): () => void {
  if (!listening) cleanUpOnSignals();
  tasks.push(task);
  return () => {
    const index = tasks.indexOf(task);
    if (index >= 0) tasks.splice(index, 1);
  };
}

/** Runs every registered task, the latest first; one that fails is reported and the rest still run. */
export function cleanUpAll(): void {
  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    try {
      task();
    } catch (err) {
      process.stderr.write(`cleanup: ${(err as Error).message}\n`);
    }
  }
}

function cleanUpOnSignals(): void {
  listening = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up\n`);
      cleanUpAll();
      process.exit(code);
    });
  }
}
