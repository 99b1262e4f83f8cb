/**
 * Self time by function in V8 CPU profiles (`node --cpu-prof`, one .cpuprofile per thread), to see where an
 * import spends its time. Usage: cpu-profile-summary.ts <file.cpuprofile>... [--top N]
 * Prints per profile: its sampled time, then the top functions by self time (ms and share), as
 * `name (file:line)`; V8's own entries keep their names ("(garbage collector)", "(program)").
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt === -1 ? 20 : Number(args[topAt + 1]);
const files = args.filter((arg, k) => arg !== '--top' && (topAt === -1 || k !== topAt + 1));

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nameOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : ` (${basename(url)}:${lineNumber + 1})`;
    nameOf.set(node.id, `${functionName || '(anonymous)'}${where}`);
  }
  const selfUs = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, k) => {
    const delta = profile.timeDeltas[k] ?? 0;
    total += delta;
    const name = nameOf.get(id) ?? '?';
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
  });
  const idle = selfUs.get('(idle)') ?? 0;
  process.stdout.write(`\n${basename(file)}: ${(total / 1000).toFixed(0)} ms sampled, ${((total - idle) / 1000).toFixed(0)} ms busy\n`);
  for (const [name, us] of [...selfUs].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${(us / 1000).toFixed(0).padStart(7)} ms ${((us / (total - idle)) * 100).toFixed(1).padStart(5)} %  ${name}\n`);
  }
}
