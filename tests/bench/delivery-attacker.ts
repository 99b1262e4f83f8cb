/**
 * The attacker of `npm run bench:delivery -- --hostile`, in a process of its own so that building its
 * bodies never delays the normal clients' measurements. Forked with its config as the one argument;
 * it says `ready` once its victim has a profile, attacks on ATTACKER_CONNECTIONS connections until
 * told `stop`, then sends its AttackReport and exits.
 *
 * Round robin over the configured kinds (all of ATTACK_KINDS by default): worst-case batches for one user, a decide for that user (so its
 * profile is cached and every stored record updates it), identifies at the trait cap, 6,000-deep
 * bodies, and worst-case batches from rotating addresses.
 */
import { Agent, request } from 'node:http';
import {
  ATTACK_KINDS,
  ATTACKER_ADDRESSES,
  ATTACKER_CONNECTIONS,
  deepIdentify,
  emptyTally,
  nextNewest,
  rotatingAddress,
  TRAIT_KEYS_PER_IDENTIFY,
  TRAIT_VICTIM,
  traitCapIdentify,
  VICTIM,
  worstCaseBatch,
  type AttackerConfig,
  type AttackKind,
  type AttackReport,
  type RotatingGroup,
  type Tally,
} from './delivery-attack';

interface Planned {
  kind: AttackKind;
  path: string;
  body: string;
  address: string;
  group?: RotatingGroup;
}

const config = JSON.parse(process.argv[2] ?? '{}') as AttackerConfig;
const agent = new Agent({ keepAlive: true, maxSockets: ATTACKER_CONNECTIONS });

function post(path: string, body: string, address: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${config.base}${path}`,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Guidepost-Key': config.key, 'X-Forwarded-For': address },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let sequence = 0;
let newest = config.cursor.newestTs;
let nextTraitKey = config.cursor.nextTraitKey;
let rotation = 0;
const deepBody = deepIdentify('attack-deep');

function nextBatch(): string {
  const body = worstCaseBatch(VICTIM, config.event, newest);
  newest = nextNewest(newest);
  return body;
}

function plan(): Planned {
  const kind = config.kinds[sequence++ % config.kinds.length] as AttackKind;
  switch (kind) {
    case 'batch':
      return { kind, path: '/v1/track', body: nextBatch(), address: ATTACKER_ADDRESSES.batch };
    case 'decide':
      return { kind, path: '/v1/decide', body: JSON.stringify({ userId: VICTIM, url: 'https://app.example.com/1/board' }), address: ATTACKER_ADDRESSES.decide };
    case 'identify': {
      const body = traitCapIdentify(TRAIT_VICTIM, nextTraitKey);
      nextTraitKey += TRAIT_KEYS_PER_IDENTIFY;
      return { kind, path: '/v1/identify', body, address: ATTACKER_ADDRESSES.identify };
    }
    case 'deep':
      return { kind, path: '/v1/identify', body: deepBody, address: ATTACKER_ADDRESSES.deep };
    case 'rotating': {
      const { address, group } = rotatingAddress(rotation++);
      return { kind, path: '/v1/track', body: nextBatch(), address, group };
    }
  }
}

const report: AttackReport = {
  seconds: 0,
  cursor: config.cursor,
  kinds: Object.fromEntries(ATTACK_KINDS.map((kind) => [kind, emptyTally()])) as Record<AttackKind, Tally>,
  rotating: { ipv4: emptyTally(), one64: emptyTally(), new64: emptyTally() },
};

function count(tally: Tally, planned: Planned, status: string, stored: number): void {
  tally.sent += 1;
  tally.bodyBytes += Buffer.byteLength(planned.body);
  tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
  tally.stored += stored;
}

let stopping = false;

async function connection(): Promise<void> {
  while (!stopping) {
    const planned = plan();
    let status = 'error';
    let stored = 0;
    try {
      const answer = await post(planned.path, planned.body, planned.address);
      status = String(answer.status);
      if (answer.status === 200 && planned.path !== '/v1/decide') stored = (JSON.parse(answer.text) as { accepted?: number }).accepted ?? 0;
    } catch {
      // Counted as "error": the server closed or reset the connection.
    }
    count(report.kinds[planned.kind], planned, status, stored);
    if (planned.group) count(report.rotating[planned.group], planned, status, stored);
  }
}

// The victim gets a plan, so decide evaluates the event conditions over its history instead of stopping at the trait.
const setup = await post('/v1/identify', JSON.stringify({ userId: VICTIM, traits: { plan: 'growth' } }), ATTACKER_ADDRESSES.decide);
if (setup.status !== 200) throw new Error(`attacker setup: identify answered ${setup.status} ${setup.text}`);
const started = performance.now();
const connections = Array.from({ length: ATTACKER_CONNECTIONS }, () => connection());
process.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  stopping = true;
  void Promise.all(connections).then(() => {
    report.seconds = (performance.now() - started) / 1000;
    report.cursor = { newestTs: newest, nextTraitKey };
    agent.destroy();
    process.send?.(report, () => process.disconnect());
  });
});
// The benchmark went away: stop at once.
process.on('disconnect', () => process.exit(0));
process.send?.('ready');
