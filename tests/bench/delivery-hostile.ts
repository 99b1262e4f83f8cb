/**
 * `npm run bench:delivery -- --hostile` (issue 16, "A benchmark under attack"): the normal decide load,
 * 8 and 64 connections, on this build's server quiet and under attack, and on a baseline build (the
 * parent commit by default) quiet, in one run on one machine. Quiet runs alternate between the two
 * servers (this, baseline, baseline, this) and each server's two are pooled, so drift cancels.
 *
 * Both servers run as deployed behind one proxy: the default rate limit on, client addresses from
 * X-Forwarded-For, each normal user at an address of its own. The attacker (delivery-attacker.ts) runs
 * in its own process. Prints percentiles, throughput, the attacker's answers, and PASS or MISS for each
 * target; a MISS does not fail the process (the figures are noisy on a shared machine).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBaseline, type BaselineBuild } from './baseline-build';
import { onCleanup } from './cleanup';
import {
  ATTACKER_ADDRESSES,
  ATTACKER_CONNECTIONS,
  DEEP_LEVELS,
  percentile,
  ROTATING_GROUPS,
  seedAddress,
  statusMix,
  TRAIT_KEYS_PER_IDENTIFY,
  traitCapIdentify,
  userAddress,
  deepIdentify,
  worstCaseBatch,
  type AttackCursor,
  type AttackerConfig,
  type AttackKind,
  type AttackReport,
  type RotatingGroup,
} from './delivery-attack';
import { call, cliSupport, decideLoad, KEY, MESSAGES, oneProxyFlags, publishMessages, RULE_EVENT, seedProfiles, startDeliveryServer, type DeliveryServer } from './delivery-server';
import { MAX_BATCH_RECORDS } from '../../src/delivery/schemas';
import { MAX_TRAIT_KEYS, MAX_TRAITS_BYTES } from '../../src/delivery/store';

export interface HostileOptions {
  /** This build's CLI (out/main/cli.js). */
  cli: string;
  users: number;
  seconds: number;
  /** The revision "today's" figures come from (HEAD~1 by default); null: no baseline. */
  baseline: string | null;
  /** What the attacker sends, round robin (all of ATTACK_KINDS by default). */
  kinds: AttackKind[];
}

const CONNECTIONS = [8, 64] as const;
/** Quiet figures within this share of the baseline's count as "at or above" it: a margin for run-to-run noise (a loaded machine has more). */
const NOISE_TOLERANCE = 0.1;
/** The attack runs this long before the measurement starts, so the normal clients meet it in full swing. */
const ATTACK_HEAD_START_MS = 1_000;
/** An unanswered request that waited longer than this when a run ended is reported: its latency is only a lower bound. */
const STALLED_MS = 100;
/** Lines of each server's log shown: the attacker's refused requests log one each. */
const SERVER_LOG_LINES = 5;
/**
 * Returning users: real users call decide on every page load, so most decides are for a user decided
 * before (profile cached, assignments made). These users (u0 upward) are each decided once before their
 * runs; the main runs draw from every seeded user, so nearly all of their decides are a user's first.
 */
const RETURNING_USERS = 1_000;

/** The normal clients' answers in one or more runs. */
interface Sample {
  /** Latencies of 2xx answers, and the time unanswered requests had waited when the run ended (ms). */
  latencies: number[];
  ok: number;
  /** Requests unanswered after STALLED_MS when the run ended: their latencies are lower bounds, and so may the percentiles be. */
  stalled: number;
  /** Non-2xx answers and errors: there should be none. */
  failed: number;
  seconds: number;
  /** CPU seconds the server used during the run(s); null where the OS does not say. */
  cpuSeconds: number | null;
}

interface Figures {
  p50: number;
  p99: number;
  p999: number;
  perSecond: number;
  /** The server's CPU microseconds per answered request; null where unknown. */
  cpuPerRequestUs: number | null;
}

function figures(sample: Sample): Figures {
  const sorted = Float64Array.from(sample.latencies).sort();
  const cpuPerRequestUs = sample.cpuSeconds === null || sample.ok === 0 ? null : (sample.cpuSeconds / sample.ok) * 1e6;
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9), perSecond: sample.ok / sample.seconds, cpuPerRequestUs };
}

function pooled(a: Sample, b: Sample): Sample {
  return {
    latencies: a.latencies.concat(b.latencies),
    ok: a.ok + b.ok,
    stalled: a.stalled + b.stalled,
    failed: a.failed + b.failed,
    seconds: a.seconds + b.seconds,
    cpuSeconds: a.cpuSeconds === null || b.cpuSeconds === null ? null : a.cpuSeconds + b.cpuSeconds,
  };
}

const write = (text: string): boolean => process.stdout.write(`${text}\n`);
const progress = (text: string): boolean => process.stderr.write(`… ${text}\n`);
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');
/** The width of the run column of the figures table. */
const RUN_WIDTH = 40;
const ms = (n: number): string => (Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));

async function measure(server: DeliveryServer, users: number, connections: number, seconds: number): Promise<Sample> {
  const sample: Sample = { latencies: [], ok: 0, stalled: 0, failed: 0, seconds: 0, cpuSeconds: null };
  const cpuBefore = server.cpuSeconds();
  const started = performance.now();
  const result = await decideLoad({
    base: server.base,
    users,
    connections,
    seconds,
    forwardedFor: userAddress,
    onResponse: (status, latencyMs) => {
      if (status >= 200 && status < 300) {
        sample.ok += 1;
        sample.latencies.push(latencyMs);
      } else sample.failed += 1;
    },
    // Every connection has a request in flight when the run stops; the ones that waited long are the stalled server's slowest.
    onUnanswered: (waitedMs) => {
      if (waitedMs > STALLED_MS) sample.stalled += 1;
      sample.latencies.push(waitedMs);
    },
    // Longer than the run: a stalled request stays in flight to its end (counted by onUnanswered), never timed out and resent.
    timeoutSeconds: seconds + 10,
  });
  sample.seconds = (performance.now() - started) / 1000;
  const cpuAfter = server.cpuSeconds();
  sample.cpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  sample.failed += result.errors;
  return sample;
}

/** One decide for each of the first `users` users (8 at a time), so that they are returning users in the runs after. */
async function decideEach(server: DeliveryServer, users: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < users) {
        const user = next++;
        await call(server.base, 'POST', '/v1/decide', { userId: `u${user}`, url: `https://app.example.com/${user % 10}/board` }, false, userAddress(user));
      }
    }),
  );
}

/** The next IPC message from the attacker; rejects if it exits first. */
function nextMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`the attacker exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
}

/** Runs the attacker against `server` while `during` runs; returns both results. */
async function underAttack<T>(
  server: DeliveryServer,
  kinds: AttackKind[],
  cursor: AttackCursor,
  during: () => Promise<T>,
): Promise<{ result: T; attack: AttackReport }> {
  const config: AttackerConfig = { base: server.base, key: KEY, event: RULE_EVENT, kinds, cursor };
  // The attacker inherits this process's --import of the TypeScript loader (execArgv).
  const attacker = fork(fileURLToPath(new URL('./delivery-attacker.ts', import.meta.url)), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const forget = onCleanup(() => attacker.kill());
  try {
    if ((await nextMessage(attacker)) !== 'ready') throw new Error('the attacker did not start');
    await new Promise((resolve) => setTimeout(resolve, ATTACK_HEAD_START_MS));
    const result = await during();
    const reported = nextMessage(attacker);
    attacker.send('stop');
    return { result, attack: (await reported) as AttackReport };
  } finally {
    attacker.kill();
    forget();
  }
}

function describeSetup(options: HostileOptions, mine: DeliveryServer, mineFlags: string[], baseline: { build: BaselineBuild; server: DeliveryServer; flags: string[] } | null): void {
  const batchBytes = Buffer.byteLength(worstCaseBatch('attack-victim', RULE_EVENT, Date.now()));
  const identifyBytes = Buffer.byteLength(traitCapIdentify('attack-traits', 0));
  const deepBytes = Buffer.byteLength(deepIdentify('attack-deep'));
  const limit = (server: DeliveryServer): string => (server.started.rateLimit === 0 ? 'rate limit off' : `rate limit ${String(server.started.rateLimit)} requests/min`);
  write(`Delivery server under attack: ${MESSAGES} messages, ${thousands(options.users)} users, ${options.seconds} s per run`);
  write('(the machine may be shared: compare figures within this run only, and rerun before trusting a MISS)\n');
  write(`this build:  ${relative(process.cwd(), options.cli)}, ${limit(mine)}, ${mineFlags.join(' ')}`);
  if (baseline) write(`baseline:    ${baseline.build.commit} "${baseline.build.subject.slice(0, 80)}", ${limit(baseline.server)}, ${baseline.flags.join(' ')}`);
  write(`normal clients: POST /v1/decide for a random user on a random page; each user from an address of its own (X-Forwarded-For, 198.18.0.0/15)`);
  write(`  first-time: a random user of all ${thousands(options.users)}, nearly always one not decided before (the attack runs use these too)`);
  write(`  returning:  a random user of the first ${thousands(RETURNING_USERS)}, each decided once before the runs (profile cached, assignments made)`);
  const what: Record<AttackKind, string> = {
    batch: `${thousands(MAX_BATCH_RECORDS)} events for one user (${thousands(batchBytes / 1024)} KB), timestamps descending, each batch older than the last; from ${ATTACKER_ADDRESSES.batch}`,
    decide: `for that user, so its profile stays cached and each stored event updates it; from ${ATTACKER_ADDRESSES.decide}`,
    identify: `${TRAIT_KEYS_PER_IDENTIFY} new trait keys (${thousands(identifyBytes)} B) for one user: full at ${MAX_TRAIT_KEYS} keys / ${thousands(MAX_TRAITS_BYTES)} B after two, 413 after; from ${ATTACKER_ADDRESSES.identify}`,
    deep: `an identify ${thousands(DEEP_LEVELS)} levels deep (${thousands(deepBytes)} B); from ${ATTACKER_ADDRESSES.deep}`,
    rotating: `a batch as above, from rotating addresses: ${Object.values(ROTATING_GROUPS).join('; ')}`,
  };
  write(`attacker: ${ATTACKER_CONNECTIONS} connections, as fast as they go, round robin:`);
  for (const kind of options.kinds) write(`  ${kind.padEnd(9)} ${what[kind]}`);
  write('');
}

function printAttack(connections: number, kinds: AttackKind[], report: AttackReport): void {
  const sent = kinds.reduce((sum, kind) => sum + report.kinds[kind].sent, 0);
  write(`attacker while ${connections} connections ran: ${(sent / report.seconds).toFixed(1)} requests/s (${thousands(sent)} in ${report.seconds.toFixed(1)} s)`);
  for (const kind of kinds) {
    const tally = report.kinds[kind];
    const stored = kind === 'batch' || kind === 'rotating' || kind === 'identify' ? `, ${thousands(tally.stored)} records stored` : '';
    write(`  ${kind.padEnd(9)} ${thousands(tally.sent).padStart(6)} sent, ${thousands(tally.bodyBytes / 1024)} KB${stored}: ${statusMix(tally)}`);
  }
  if (!kinds.includes('rotating')) return;
  for (const group of Object.keys(ROTATING_GROUPS) as RotatingGroup[]) {
    const tally = report.rotating[group];
    write(`    ${ROTATING_GROUPS[group].padEnd(38)} ${thousands(tally.sent).padStart(6)} sent, ${thousands(tally.stored)} records stored: ${statusMix(tally)}`);
  }
}

export async function runHostile(options: HostileOptions): Promise<void> {
  const { cli, users, seconds } = options;
  const mineFlags = oneProxyFlags(cliSupport(cli));
  if (!mineFlags) throw new Error(`${cli} takes no --proxy-hops: the hostile benchmark needs this build to read client addresses from X-Forwarded-For.`);

  let baseline: { build: BaselineBuild; server: DeliveryServer; flags: string[] } | null = null;
  let mine: DeliveryServer | null = null;
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=<dir>" profiles both servers (each file named by its pid).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  try {
    if (options.baseline !== null) {
      progress(`building the baseline (${options.baseline}) in a temporary git worktree`);
      const build = buildBaseline(process.cwd(), options.baseline);
      // A baseline that cannot read X-Forwarded-For would put every client in one bucket: its limit goes off instead.
      const flags = oneProxyFlags(cliSupport(build.cli)) ?? ['--rate-limit', '0'];
      baseline = { build, flags, server: await startDeliveryServer(build.cli, flags, { logLines: SERVER_LOG_LINES, nodeArgs }) };
    }
    mine = await startDeliveryServer(cli, mineFlags, { logLines: SERVER_LOG_LINES, nodeArgs });
    describeSetup(options, mine, mineFlags, baseline);

    const servers: { name: string; server: DeliveryServer }[] = [{ name: 'this build', server: mine }];
    if (baseline) servers.push({ name: `baseline ${baseline.build.commit}`, server: baseline.server });
    const seeded: string[] = [];
    for (const { name, server } of servers) {
      progress(`seeding ${name}`);
      await publishMessages(server.base);
      const seed = await seedProfiles(server.base, users, seedAddress);
      seeded.push(`${name} ${thousands(seed.records / seed.seconds)} events/s`);
      await measure(server, users, 8, Math.max(2, Math.ceil(seconds / 2))); // warm-up: profiles into the cache
    }
    write(`seeding (track batches of 500, 4 senders, one run each): ${seeded.join(', ')}\n`);

    /** Quiet runs over a user pool, alternating (this build, baseline, baseline, this build); each build's two pooled. */
    const alternating = async (pool: number, connections: number): Promise<{ mine: Sample; baseline: Sample | null }> => {
      const first = await measure(mine as DeliveryServer, pool, connections, seconds);
      const baseA = baseline ? await measure(baseline.server, pool, connections, seconds) : null;
      const baseB = baseline ? await measure(baseline.server, pool, connections, seconds) : null;
      const second = await measure(mine as DeliveryServer, pool, connections, seconds);
      return { mine: pooled(first, second), baseline: baseA && baseB ? pooled(baseA, baseB) : null };
    };
    const quiet = new Map<number, { mine: Sample; baseline: Sample | null }>();
    for (const connections of CONNECTIONS) {
      progress(`quiet runs, first-time users, ${connections} connections`);
      quiet.set(connections, await alternating(users, connections));
    }
    const returningPool = Math.min(RETURNING_USERS, users);
    for (const { name, server } of servers) {
      progress(`${name}: one decide for each of ${thousands(returningPool)} returning users`);
      await decideEach(server, returningPool);
    }
    const returning = new Map<number, { mine: Sample; baseline: Sample | null }>();
    for (const connections of CONNECTIONS) {
      progress(`quiet runs, returning users, ${connections} connections`);
      returning.set(connections, await alternating(returningPool, connections));
    }
    const attacked = new Map<number, { sample: Sample; attack: AttackReport }>();
    // The victim's batches start a minute back and go back in time from there, across both attacks.
    let cursor: AttackCursor = { newestTs: Date.now() - 60_000, nextTraitKey: 0 };
    for (const connections of CONNECTIONS) {
      progress(`under attack, ${connections} connections`);
      const server = mine;
      const { result, attack } = await underAttack(server, options.kinds, cursor, () => measure(server, users, connections, seconds));
      attacked.set(connections, { sample: result, attack });
      cursor = attack.cursor;
    }

    write('decide, normal clients: latency in ms (2xx answers), throughput in 2xx answers/s, the server\'s CPU time per answer in µs');
    write(`${'connections'.padStart(11)}  ${'run'.padEnd(RUN_WIDTH)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'p99.9'.padStart(7)} ${'requests/s'.padStart(11)} ${'CPU µs/req'.padStart(11)}`);
    const row = (connections: number, run: string, f: Figures, sample: Sample): void => {
      const notes = [
        ...(sample.stalled > 0 ? [`${thousands(sample.stalled)} unanswered after ${STALLED_MS} ms at the end, counted at their wait so far: lower bounds`] : []),
        ...(sample.failed > 0 ? [`${thousands(sample.failed)} non-2xx or errors!`] : []),
      ];
      const warning = notes.length > 0 ? `  (${notes.join('; ')})` : '';
      const cpu = f.cpuPerRequestUs === null ? '-' : thousands(f.cpuPerRequestUs);
      write(`${String(connections).padStart(11)}  ${run.padEnd(RUN_WIDTH)} ${ms(f.p50).padStart(7)} ${ms(f.p99).padStart(7)} ${ms(f.p999).padStart(7)} ${thousands(f.perSecond).padStart(11)} ${cpu.padStart(11)}${warning}`);
    };
    const targets: { pass: boolean; text: string }[] = [];
    for (const connections of CONNECTIONS) {
      const runs = quiet.get(connections);
      const hit = attacked.get(connections);
      if (!runs || !hit) continue;
      const calm = figures(runs.mine);
      const stormy = figures(hit.sample);
      if (runs.baseline && baseline) row(connections, `baseline ${baseline.build.commit}, quiet, first-time`, figures(runs.baseline), runs.baseline);
      row(connections, 'this build, quiet, first-time', calm, runs.mine);
      row(connections, 'this build, under attack, first-time', stormy, hit.sample);
      const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
      write(
        `${''.padStart(11)}  ${'under attack / quiet'.padEnd(RUN_WIDTH)} ${ratio(stormy.p50, calm.p50).padStart(7)} ${ratio(stormy.p99, calm.p99).padStart(7)} ${ratio(stormy.p999, calm.p999).padStart(7)} ${ratio(stormy.perSecond, calm.perSecond).padStart(11)}`,
      );
      const back = returning.get(connections);
      if (back?.baseline && baseline) row(connections, `baseline ${baseline.build.commit}, quiet, returning`, figures(back.baseline), back.baseline);
      if (back) row(connections, 'this build, quiet, returning', figures(back.mine), back.mine);
      targets.push({ pass: stormy.p99 <= 2 * calm.p99, text: `${connections} connections: p99 under attack ${ms(stormy.p99)} ms within 2× the quiet ${ms(calm.p99)} ms` });
      targets.push({ pass: stormy.p999 < 100, text: `${connections} connections: p99.9 under attack ${ms(stormy.p999)} ms under 100 ms` });
      if (runs.baseline && baseline) {
        const before = figures(runs.baseline);
        targets.push({
          pass: calm.perSecond >= before.perSecond * (1 - NOISE_TOLERANCE),
          text: `${connections} connections: quiet throughput ${thousands(calm.perSecond)}/s at or above the baseline's ${thousands(before.perSecond)}/s (within ${NOISE_TOLERANCE * 100} %)`,
        });
        targets.push({
          pass: calm.p99 <= before.p99 * (1 + NOISE_TOLERANCE),
          text: `${connections} connections: quiet p99 ${ms(calm.p99)} ms at or below the baseline's ${ms(before.p99)} ms (within ${NOISE_TOLERANCE * 100} %)`,
        });
      }
    }
    write(baseline ? 'Quiet runs alternated (this build, baseline, baseline, this build); each build\'s two are pooled.' : 'Quiet runs: two of this build, pooled; no baseline (--no-baseline).');
    write('The quiet targets below are judged on the first-time runs; the returning runs are shown beside them.\n');
    for (const connections of CONNECTIONS) {
      const hit = attacked.get(connections);
      if (hit) printAttack(connections, options.kinds, hit.attack);
    }
    write('\nTargets (a MISS does not fail the benchmark):');
    for (const target of targets) write(`  ${target.pass ? 'PASS' : 'MISS'}  ${target.text}`);
  } finally {
    await mine?.stop();
    await baseline?.server.stop();
    baseline?.build.remove();
  }
}
