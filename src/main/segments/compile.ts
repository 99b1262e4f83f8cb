/**
 * The SQL evaluator: compiles a rule (segments already inlined) into one SQLite query that yields
 * the user_pk of every member as of an instant. Every condition becomes a boolean test on a users
 * row; event counts come from the covering (name_id, user_pk, ts) index, either as a set built by one
 * grouped scan of the name's range (when many users are checked) or as a seek per user (when a
 * selective condition has already narrowed the candidates). Counts that the per-(name, user) summary
 * (event-summary.ts) answers exactly, it answers: whether a user did X ever, or in the last N days
 * when no X lies after asOf, and how often ever when no X lies after asOf. A property filter that the
 * per-(name, key) value table (property-values.ts) answers exactly is a range of it, so the events'
 * rows are read for their JSON only by the filters it does not answer.
 * Semantics are those of src/shared/segments/evaluate.ts; a property-based test holds the two together.
 */
import type { Condition, CountOp, EventCondition, PropertyFilter, Rule, Scalar, SurveyCondition, ValueFilter } from '../../shared/segments/rule';
import { DAY_MS, dateInstant, NPS_EVENT } from '../../shared/segments/values';
import type { Db } from '../db/connection';
import { indexedValues, jsonPath, pairKey } from './property-values';

export interface CompiledRule {
  /** Selects user_pk of the members. */
  sql: string;
  /** Named parameters (@p1, @p2…): named, so fragments can be assembled in any order. */
  params: Record<string, unknown>;
}

/** Estimated seeks (candidate events × event conditions to check) up to which probing beats scanning. */
const PROBE_BUDGET = 20_000;

export interface CompileOptions {
  /** event_user_summary is up to date (refreshEventSummary said so), so conditions it can answer read it. */
  eventSummary: boolean;
  /** The (event, property) pairs (pairKey) that event_property_values holds up to date (refreshPropertyValues). */
  propertyValues?: ReadonlySet<string>;
}

function countEvents(conditions: readonly Condition[]): number {
  return conditions.reduce((n, c) => n + (c.type === 'event' ? 1 : c.type === 'group' ? countEvents(c.conditions) : 0), 0);
}

const SQL_OPS: Record<CountOp, string> = { '>=': '>=', '>': '>', '=': '=', '!=': '<>', '<=': '<=', '<': '<' };

/** Whether a count condition asks only "at least one event?": its truth is the same for every count from 1 up. */
function onlyPresenceMatters(op: CountOp, count: number): boolean {
  return op === '>=' || op === '<' ? count <= 1 : count === 0;
}

/** Where one condition's per-user count comes from. */
interface CountSource {
  /** FROM … WHERE: the rows of every user with at least one matching event. */
  from: string;
  /** The column holding the user. */
  user: string;
  /** The count for one user: an aggregate over their rows (grouped) or a column of their one row. */
  count: string;
  grouped: boolean;
}

function zeroSatisfies(op: CountOp, count: number): boolean {
  switch (op) {
    case '>=':
      return 0 >= count;
    case '>':
      return false;
    case '=':
      return count === 0;
    case '!=':
      return count !== 0;
    case '<=':
      return true;
    case '<':
      return count > 0;
    default:
      return false;
  }
}

class Compiler {
  readonly params: Record<string, unknown> = {};
  private paramCount = 0;
  needsNps = false;
  private readonly nameIds = new Map<string, number>();
  private readonly newestEvents = new Map<number, number | null>();
  private readonly selectName;
  private readonly estimateStatement;
  private readonly newestEventStatement;

  constructor(
    db: Db,
    private readonly asOf: number,
    /** True when every user's last record is at or before asOf, so users.last_seen is last seen as of asOf. */
    private readonly lastSeenIsCurrent: boolean,
    private readonly options: CompileOptions,
  ) {
    this.selectName = db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ? AND name_id <> 0').pluck();
    this.estimateStatement = db
      .prepare<[number, number, number], number>('SELECT coalesce(sum(events), 0) FROM event_daily WHERE name_id = ? AND day BETWEEN ? AND ?')
      .pluck();
    this.newestEventStatement = db.prepare<[number], number | null>('SELECT max(last_ts) FROM event_user_summary WHERE name_id = ?').pluck();
  }

  p(value: unknown): string {
    const name = `p${++this.paramCount}`;
    this.params[name] = value;
    return `@${name}`;
  }

  nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.selectName.get(name) ?? -1;
      this.nameIds.set(name, id);
    }
    return id;
  }

  /** A boolean SQL expression (never NULL) for a value filter on a JSON column's key. */
  valueTest(column: string, key: string, filter: ValueFilter): string {
    // One named parameter for the path, referenced as often as needed: a rule's parameters stay few.
    const path = this.p(jsonPath(key));
    const T = (): string => `json_type(${column}, ${path})`;
    const V = (): string => `json_extract(${column}, ${path})`;
    // The value test comes first: it fails fast for most rows, so the type check runs only on matches.
    // (json_extract alone would let JSON true equal 1, and an object's JSON text equal a string.)
    // A string that cannot be an array's or object's JSON text (those start with [ or {) can only equal
    // an extracted JSON string: SQLite never compares text equal to a number, and JSON true/false/null
    // extract as 1/0/NULL. The type check then adds nothing but a second parse of the row's JSON.
    const onlyStrings = (texts: readonly string[]): boolean => texts.every((t) => !t.startsWith('[') && !t.startsWith('{'));
    const eq = (expected: Scalar): string => {
      if (typeof expected === 'boolean') return `(${T()} = '${expected ? 'true' : 'false'}')`;
      if (typeof expected === 'number') return `(${V()} = ${this.p(expected)} AND ${T()} IN ('integer', 'real'))`;
      if (onlyStrings([expected])) return `coalesce(${V()} = ${this.p(expected)}, 0)`;
      return `(${V()} = ${this.p(expected)} AND ${T()} = 'text')`;
    };
    // A list is bound as JSON arrays, one per JSON type, so a thousand values stay three parameters
    // and a flat IN rather than a thousand ORs (which would overflow SQLite's expression depth).
    const anyOf = (list: Scalar[]): string => {
      const texts = list.filter((v): v is string => typeof v === 'string');
      const numbers = list.filter((v): v is number => typeof v === 'number');
      const parts: string[] = [];
      if (texts.length > 0) {
        const within = `${V()} IN (SELECT value FROM json_each(${this.p(JSON.stringify(texts))}))`;
        parts.push(onlyStrings(texts) ? `coalesce(${within}, 0)` : `(${within} AND ${T()} = 'text')`);
      }
      if (numbers.length > 0) {
        parts.push(`(${V()} IN (SELECT value FROM json_each(${this.p(JSON.stringify(numbers))})) AND ${T()} IN ('integer', 'real'))`);
      }
      if (list.includes(true)) parts.push(`(${T()} = 'true')`);
      if (list.includes(false)) parts.push(`(${T()} = 'false')`);
      return parts.length === 0 ? '0' : parts.join(' OR ');
    };
    const order = (sqlOp: string): string => {
      const expected = filter.value;
      if (typeof expected === 'number') return `(${T()} IN ('integer', 'real') AND ${V()} ${sqlOp} ${this.p(expected)})`;
      const instant = dateInstant(expected);
      if (instant === null) return '0';
      return `(${T()} = 'text' AND gp_instant(${V()}) ${sqlOp} ${this.p(instant)})`;
    };
    const value = filter.value;
    const scalar = (): Scalar => value as Scalar;
    const list = (): Scalar[] => (Array.isArray(value) ? value : []);
    let expr: string;
    switch (filter.op) {
      case 'exists':
        expr = `(${T()} IS NOT NULL AND ${T()} <> 'null')`;
        break;
      case 'not_exists':
        expr = `NOT coalesce(${T()} IS NOT NULL AND ${T()} <> 'null', 0)`;
        break;
      case 'eq':
        expr = eq(scalar());
        break;
      case 'neq':
        expr = `NOT coalesce(${eq(scalar())}, 0)`;
        break;
      case 'in':
        expr = `(${anyOf(list())})`;
        break;
      case 'not_in':
        expr = `NOT coalesce(${anyOf(list())}, 0)`;
        break;
      case 'contains':
        // Through the JSON text (->), not the extracted value: a lone surrogate survives only there.
        expr = `gp_contains(${column} -> ${path}, ${this.p(JSON.stringify(String(value)))})`;
        break;
      case 'gt':
        expr = order('>');
        break;
      case 'gte':
        expr = order('>=');
        break;
      case 'lt':
        expr = order('<');
        break;
      case 'lte':
        expr = order('<=');
        break;
      default:
        expr = '0';
    }
    return `coalesce(${expr}, 0)`;
  }

  /** The event name's index range, as a FROM … WHERE over events aliased `e`, for one condition. */
  private eventRange(c: EventCondition): string {
    let from = `FROM events e WHERE e.name_id = ${this.p(this.nameId(c.event))} AND e.ts <= ${this.p(this.asOf)}`;
    if (c.within) from += ` AND e.ts > ${this.p(this.asOf - c.within.days * DAY_MS)}`;
    for (const filter of c.where ?? []) from += ` AND ${this.valueTest('e.properties', filter.property, filter as PropertyFilter)}`;
    return from;
  }

  /** The condition's first filter that event_property_values answers (its pair is up to date), if any. */
  private indexedFilter(c: EventCondition): PropertyFilter | undefined {
    const pairs = this.options.propertyValues;
    return pairs && c.where?.find((f) => indexedValues(f) !== null && pairs.has(pairKey(c.event, f.property)));
  }

  /**
   * The condition's events as a range of event_property_values (aliased v) by its first indexed filter;
   * any other filter reads the event's row by its primary key.
   */
  private valueRange(c: EventCondition, indexed: PropertyFilter): string {
    const values = indexedValues(indexed) ?? [];
    // One value is an equality; a list, one JSON array of them (each keeps its type in json_each).
    const value = values.length === 1 ? `= ${this.p(values[0])}` : `IN (SELECT value FROM json_each(${this.p(JSON.stringify(values))}))`;
    let from =
      `FROM event_property_values v WHERE v.name_id = ${this.p(this.nameId(c.event))} AND v.key = ${this.p(indexed.property)}` +
      ` AND v.value ${value} AND v.ts <= ${this.p(this.asOf)}`;
    if (c.within) from += ` AND v.ts > ${this.p(this.asOf - c.within.days * DAY_MS)}`;
    const rest = (c.where ?? []).filter((f) => f !== indexed);
    if (rest.length > 0) {
      const tests = rest.map((f) => this.valueTest('e.properties', f.property, f)).join(' AND ');
      from += ` AND EXISTS (SELECT 1 FROM events e WHERE e.event_pk = v.event_pk AND ${tests})`;
    }
    return from;
  }

  /** The name's latest event by the summary (null: none). */
  private newestEvent(nameId: number): number | null {
    if (!this.newestEvents.has(nameId)) this.newestEvents.set(nameId, this.newestEventStatement.get(nameId) ?? null);
    return this.newestEvents.get(nameId) ?? null;
  }

  /**
   * The summary row of a user (aliased s) when it answers the condition exactly, else the name's events.
   * "Some event at or before asOf" is first_ts <= asOf whatever came later; "some in the last N days" is
   * last_ts > asOf − N days and "how many ever" is the row's count, but only when no event of the name
   * lies after asOf (then last_ts and the count include none of those).
   */
  private countSource(c: EventCondition): CountSource {
    const nameId = this.nameId(c.event);
    if (this.options.eventSummary && !c.where?.length) {
      const presence = onlyPresenceMatters(c.op, c.count);
      const noneAfterAsOf = (this.newestEvent(nameId) ?? -Infinity) <= this.asOf;
      let present: string | null = null;
      if (!c.within && (presence || noneAfterAsOf)) present = `s.first_ts <= ${this.p(this.asOf)}`;
      else if (c.within && presence && noneAfterAsOf) present = `s.last_ts > ${this.p(this.asOf - c.within.days * DAY_MS)}`;
      if (present !== null) {
        const from = `FROM event_user_summary s WHERE s.name_id = ${this.p(nameId)} AND ${present}`;
        return { from, user: 's.user_pk', count: presence ? '1' : 's.events', grouped: false };
      }
    }
    const indexed = this.indexedFilter(c);
    if (indexed) return { from: this.valueRange(c, indexed), user: 'v.user_pk', count: 'count(*)', grouped: true };
    return { from: this.eventRange(c), user: 'e.user_pk', count: 'count(*)', grouped: true };
  }

  /**
   * Users with at least one matching event whose count passes the test (given the count's SQL), from
   * one grouped scan of the name's index range or one range of the summary. Only for tests that a
   * count of zero fails.
   */
  private countedSet(c: EventCondition, test: (count: string) => string): string {
    const source = this.countSource(c);
    return source.grouped
      ? `SELECT ${source.user} ${source.from} GROUP BY ${source.user} HAVING ${test(source.count)}`
      : `SELECT ${source.user} ${source.from} AND ${test(source.count)}`;
  }

  /** Whether the condition reads the users row itself (traits, first or last seen), not only its user_pk. */
  private readsUserRow(c: Condition): boolean {
    switch (c.type) {
      case 'group':
        return c.conditions.some((x) => this.readsUserRow(x));
      case 'trait':
      case 'first_seen':
        return true;
      case 'last_seen':
        return this.lastSeenIsCurrent;
      default:
        return false;
    }
  }

  /**
   * A boolean SQL expression (never NULL) saying whether the condition holds for the users row `u`.
   * In "probe" mode the rows are few (a selective condition produced them), so event conditions are
   * answered by a seek per user into the (name_id, user_pk, ts) index; in "scan" mode every user of the
   * universe passes by, so event conditions become membership in a set built once from a grouped scan.
   */
  predicate(c: Condition, mode: 'probe' | 'scan'): string {
    const inner = this.positivePredicate(c, mode);
    return c.negate ? `NOT (${inner})` : inner;
  }

  private positivePredicate(c: Condition, mode: 'probe' | 'scan'): string {
    switch (c.type) {
      case 'group': {
        if (c.conditions.length === 0) return c.match === 'all' ? '1' : '0';
        return `(${c.conditions.map((x) => this.predicate(x, mode)).join(c.match === 'all' ? ' AND ' : ' OR ')})`;
      }
      case 'event': {
        const op = SQL_OPS[c.op];
        if (mode === 'probe') {
          const source = this.countSource(c);
          const mine = `${source.from} AND ${source.user} = u.user_pk`;
          if (c.op === '>=' && c.count === 1) return `EXISTS (SELECT 1 ${mine})`;
          if ((c.op === '=' && c.count === 0) || (c.op === '<' && c.count === 1)) return `NOT EXISTS (SELECT 1 ${mine})`;
          if (!source.grouped) return `(coalesce((SELECT ${source.count} ${mine}), 0) ${op} ${this.p(c.count)})`;
          // Counting stops at count + 1 events: any count above it compares with the rule's count as
          // count + 1 does, and a user who qualifies early costs no more seeks (nor JSON) than that.
          return `((SELECT count(*) FROM (SELECT 1 ${mine} LIMIT ${this.p(c.count + 1)})) ${op} ${this.p(c.count)})`;
        }
        if (!zeroSatisfies(c.op, c.count)) return `u.user_pk IN (${this.countedSet(c, (n) => `${n} ${op} ${this.p(c.count)}`)})`;
        // A count of zero satisfies it: everyone but the users whose (non-zero) count fails.
        return `u.user_pk NOT IN (${this.countedSet(c, (n) => `NOT (${n} ${op} ${this.p(c.count)})`)})`;
      }
      case 'first_seen':
      case 'last_seen': {
        const edge = this.p(this.asOf - c.days * DAY_MS);
        if (c.type === 'last_seen' && !this.lastSeenIsCurrent) {
          // Some records lie after asOf, so last seen as of asOf is the latest record at or before it.
          const test = c.op === 'within' ? `max(e.ts) > ${edge}` : `max(e.ts) < ${edge}`;
          if (mode === 'scan') {
            return `u.user_pk IN (SELECT e.user_pk FROM events e WHERE e.ts <= ${this.p(this.asOf)} GROUP BY e.user_pk HAVING ${test})`;
          }
          // "name_id IN (every name)" lets the index answer one user's latest record, name by name.
          const latest = `(SELECT max(e.ts) FROM events e WHERE e.name_id IN (SELECT name_id FROM event_names) AND e.user_pk = u.user_pk AND e.ts <= ${this.p(this.asOf)})`;
          return c.op === 'within' ? `coalesce(${latest} > ${edge}, 0)` : `coalesce(${latest} < ${edge}, 0)`;
        }
        const t = `u.${c.type}`;
        return c.op === 'within' ? `coalesce(${t} > ${edge} AND ${t} <= ${this.p(this.asOf)}, 0)` : `coalesce(${t} < ${edge}, 0)`;
      }
      case 'trait':
        return this.valueTest('u.traits', c.trait, c);
      case 'account': {
        // Membership and account traits are current whatever asOf. A user with no account is in
        // neither form, so matches nothing. Scanning, the test runs once per account (the set);
        // probing, once per membership of the user (a seek by account_members' primary key).
        const test = this.valueTest('a.traits', c.trait, c);
        if (mode === 'scan') {
          // CROSS JOIN keeps accounts outside: each account's traits are tested once, then its members read
          // by the (account_pk, user_pk) index, rather than an account looked up and tested per membership.
          return `u.user_pk IN (SELECT m.user_pk FROM accounts a CROSS JOIN account_members m ON m.account_pk = a.account_pk WHERE ${test})`;
        }
        return `EXISTS (SELECT 1 FROM account_members m JOIN accounts a ON a.account_pk = m.account_pk WHERE m.user_pk = u.user_pk AND ${test})`;
      }
      case 'nps': {
        this.needsNps = true;
        const [lo, hi] = c.category === 'promoter' ? [9, 10] : c.category === 'passive' ? [7, 8] : [0, 6];
        return `u.user_pk IN (SELECT user_pk FROM nps_latest WHERE score BETWEEN ${lo} AND ${hi})`;
      }
      case 'survey':
        return `u.user_pk IN (${this.surveySet(c)})`;
      case 'segment':
        throw new Error(`segment “${c.segment}” must be inlined before compiling`);
      default:
        return '0';
    }
  }

  /**
   * The users whose latest answer to the condition's question (at or before asOf, in its window; ties:
   * the greater record id, as the JS evaluator's code-point order) meets its score range or choice.
   */
  private surveySet(c: SurveyCondition): string {
    const from = c.withinDays === undefined ? '' : ` AND ts > ${this.p(this.asOf - c.withinDays * DAY_MS)}`;
    const text = (path: string, value: string): string => `json_type(properties, '${path}') = 'text' AND json_extract(properties, '${path}') = ${this.p(value)}`;
    let test: string;
    if (c.score) {
      const bounds = [
        ...(c.score.min === undefined ? [] : [`json_extract(properties, '$.score') >= ${this.p(c.score.min)}`]),
        ...(c.score.max === undefined ? [] : [`json_extract(properties, '$.score') <= ${this.p(c.score.max)}`]),
      ];
      test = [`json_type(properties, '$.score') IN ('integer', 'real')`, ...bounds].join(' AND ');
    } else {
      const choice = this.p(c.choice ?? '');
      test = `((json_type(properties, '$.choice') = 'text' AND json_extract(properties, '$.choice') = ${choice})
        OR (json_type(properties, '$.choices') = 'array' AND EXISTS (SELECT 1 FROM json_each(properties, '$.choices') j WHERE j.type = 'text' AND j.value = ${choice})))`;
    }
    return `SELECT user_pk FROM (
        SELECT user_pk, properties, row_number() OVER (PARTITION BY user_pk ORDER BY ts DESC, event_id DESC) AS rn FROM events
         WHERE name_id = ${this.p(this.nameId(NPS_EVENT))} AND ts <= ${this.p(this.asOf)}${from}
           AND ${text('$.message_id', c.message)} AND ${text('$.question_id', c.question)})
       WHERE rn = 1 AND ${test}`;
  }

  /** Events of a name in a window, from the daily rollup: a cheap estimate of how selective a condition is. */
  estimate(c: EventCondition): number {
    const fromDay = c.within ? Math.floor((this.asOf - c.within.days * DAY_MS) / DAY_MS) : -1e9;
    return (
      this.estimateStatement.get(this.nameId(c.event), fromDay, Math.floor(this.asOf / DAY_MS)) ?? 0
    );
  }

  /**
   * The members' query body: SELECT u.user_pk FROM … WHERE …, over users aliased `u`. An "all" rule
   * with a positive event condition starts from that condition's users (one grouped index scan, or a
   * range of the summary) and checks the rest per candidate when they are few, or against sets when
   * the rest never reads a users row; anything else scans the universe once.
   */
  members(rule: Rule): string {
    if (rule.match === 'all') {
      const generators = rule.conditions.filter(
        (c): c is EventCondition => c.type === 'event' && !c.negate && !zeroSatisfies(c.op, c.count),
      );
      const best = generators.length > 0 ? generators.reduce((a, b) => (this.estimate(b) < this.estimate(a) ? b : a)) : null;
      if (best) {
        const rest = rule.conditions.filter((c) => c !== best);
        // Probing costs a seek per candidate and per event condition; past a point one set per
        // condition is cheaper.
        const probe = this.estimate(best) * Math.max(1, countEvents(rest)) <= PROBE_BUDGET;
        const readsUserRow = rest.some((c) => this.readsUserRow(c));
        if (probe || !readsUserRow) {
          // With property filters that read the events' rows for their JSON, and a count that filtering
          // can only lower (>=, >), the users whose unfiltered count passes are the candidates, from the
          // index alone (or the summary); the filtered count is then checked per candidate.
          const narrowed = probe && Boolean(best.where?.length) && (best.op === '>=' || best.op === '>') && !this.indexedFilter(best);
          const generator: EventCondition = narrowed ? { ...best, where: undefined } : best;
          const set = this.countedSet(generator, (n) => `${n} ${SQL_OPS[generator.op]} ${this.p(generator.count)}`);
          const checks = (narrowed ? [best, ...rest] : rest).map((c) => this.predicate(c, probe ? 'probe' : 'scan'));
          // No universe test: a candidate has an event at or before asOf, so first_seen <= asOf.
          const from = readsUserRow ? `(${set}) g JOIN users u ON u.user_pk = g.user_pk` : `(${set}) u`;
          return `SELECT u.user_pk FROM ${from}${checks.length > 0 ? ` WHERE ${checks.join(' AND ')}` : ''}`;
        }
      }
    }
    const universe = `u.first_seen <= ${this.p(this.asOf)}`;
    const body = this.predicate({ type: 'group', match: rule.match, conditions: rule.conditions }, 'scan');
    return `SELECT u.user_pk FROM users u WHERE ${universe} AND ${body}`;
  }
}

/** Compiles a rule (segments inlined) to a query for its members as of asOf. */
export function compileRule(db: Db, rule: Rule, asOf: number, options: CompileOptions = { eventSummary: false }): CompiledRule {
  const newestLastSeen = db.prepare<[], number | null>('SELECT max(last_seen) FROM users').pluck().get() ?? null;
  const compiler = new Compiler(db, asOf, newestLastSeen === null || newestLastSeen <= asOf, options);
  const body = compiler.members(rule);
  let ctes = '';
  if (compiler.needsNps) {
    // The latest NPS answer at or before asOf (ties: the greater record id), with a valid score.
    ctes = `WITH nps_answers(user_pk, score, ts, event_id) AS (
         SELECT user_pk, json_extract(properties, '$.score'), ts, event_id FROM events
          WHERE name_id = ${compiler.p(compiler.nameId(NPS_EVENT))} AND ts <= ${compiler.p(asOf)}
            AND json_type(properties, '$.survey') = 'text' AND json_extract(properties, '$.survey') = 'nps'
            AND json_type(properties, '$.score') IN ('integer', 'real')
            AND json_extract(properties, '$.score') BETWEEN 0 AND 10
            AND json_extract(properties, '$.score') = CAST(json_extract(properties, '$.score') AS INTEGER)),
       nps_latest(user_pk, score) AS (
         SELECT user_pk, score FROM (
           SELECT user_pk, score, row_number() OVER (PARTITION BY user_pk ORDER BY ts DESC, event_id DESC) AS rn FROM nps_answers)
          WHERE rn = 1) `;
  }
  return { sql: `${ctes}${body}`, params: compiler.params };
}
