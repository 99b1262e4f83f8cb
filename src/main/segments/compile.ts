/**
 * The SQL evaluator: compiles a rule (segments already inlined) into one SQLite query that yields
 * the user_pk of every member as of an instant. Each condition becomes the set of users for whom it
 * holds; groups combine sets with INTERSECT and UNION, negation is the universe EXCEPT the set.
 * Counts per user come from the covering (name_id, user_pk, ts) index, grouped, never per user.
 * Semantics are those of src/shared/segments/evaluate.ts; a property-based test holds the two together.
 */
import type { Condition, CountOp, PropertyFilter, Rule, Scalar, ValueFilter } from '../../shared/segments/rule';
import { DAY_MS, dateInstant, NPS_EVENT } from '../../shared/segments/values';
import type { Db } from '../db/connection';

export interface CompiledRule {
  /** Selects user_pk of the members. */
  sql: string;
  /** Named parameters (@p1, @p2…): named, so fragments can be assembled in any order. */
  params: Record<string, unknown>;
}

const SQL_OPS: Record<CountOp, string> = { '>=': '>=', '>': '>', '=': '=', '!=': '<>', '<=': '<=', '<': '<' };

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
  needsLastSeenAsOf = false;
  needsNps = false;
  private readonly nameIds = new Map<string, number>();
  private readonly selectName;

  constructor(
    db: Db,
    private readonly asOf: number,
    /** True when every user's last record is at or before asOf, so users.last_seen is last seen as of asOf. */
    private readonly lastSeenIsCurrent: boolean,
  ) {
    this.selectName = db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ? AND name_id <> 0').pluck();
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
    const path = `$."${key}"`;
    const T = (): string => `json_type(${column}, ${this.p(path)})`;
    const V = (): string => `json_extract(${column}, ${this.p(path)})`;
    // The value test comes first: it fails fast for most rows, so the type check runs only on matches.
    // (json_extract alone would let JSON true equal 1, and an object's JSON text equal a string.)
    const eq = (expected: Scalar): string => {
      if (typeof expected === 'boolean') return `(${T()} = '${expected ? 'true' : 'false'}')`;
      if (typeof expected === 'number') return `(${V()} = ${this.p(expected)} AND ${T()} IN ('integer', 'real'))`;
      return `(${V()} = ${this.p(expected)} AND ${T()} = 'text')`;
    };
    const anyOf = (list: Scalar[]): string => (list.length === 0 ? '0' : list.map(eq).join(' OR '));
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
        expr = `(${T()} = 'text' AND instr(gp_lower(${V()}), ${this.p(String(value).toLowerCase())}) > 0)`;
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

  /** A SELECT yielding the user_pk of the users for whom the condition holds (the universe bounds it later). */
  setOf(c: Condition): string {
    const inner = this.positiveSet(c);
    return c.negate ? this.universeExcept(inner) : inner;
  }

  /** The universe minus a set: a scan of the small first_seen index, probing the set once built. */
  universeExcept(set: string): string {
    return `SELECT user_pk FROM users WHERE first_seen <= ${this.p(this.asOf)} AND user_pk NOT IN (${set})`;
  }

  universe(): string {
    return `SELECT user_pk FROM users WHERE first_seen <= ${this.p(this.asOf)}`;
  }

  group(match: 'all' | 'any', conditions: Condition[]): string {
    if (conditions.length === 0) return match === 'all' ? this.universe() : 'SELECT user_pk FROM users WHERE 0';
    const joiner = match === 'all' ? ' INTERSECT ' : ' UNION ';
    return conditions.map((c) => `SELECT user_pk FROM (${this.setOf(c)})`).join(joiner);
  }

  private positiveSet(c: Condition): string {
    switch (c.type) {
      case 'group':
        return this.group(c.match, c.conditions);
      case 'event': {
        let from = `FROM events WHERE name_id = ${this.p(this.nameId(c.event))} AND ts <= ${this.p(this.asOf)}`;
        if (c.within) from += ` AND ts > ${this.p(this.asOf - c.within.days * DAY_MS)}`;
        for (const filter of c.where ?? []) from += ` AND ${this.valueTest('properties', filter.property, filter as PropertyFilter)}`;
        const op = SQL_OPS[c.op];
        if (!zeroSatisfies(c.op, c.count)) {
          return `SELECT user_pk ${from} GROUP BY user_pk HAVING count(*) ${op} ${this.p(c.count)}`;
        }
        // Users without a single matching event satisfy it too: everyone but those whose count fails.
        return this.universeExcept(`SELECT user_pk ${from} GROUP BY user_pk HAVING NOT (count(*) ${op} ${this.p(c.count)})`);
      }
      case 'first_seen':
      case 'last_seen': {
        const edge = this.asOf - c.days * DAY_MS;
        let source = `users`;
        let column = c.type;
        if (c.type === 'last_seen' && !this.lastSeenIsCurrent) {
          this.needsLastSeenAsOf = true;
          source = 'last_seen_as_of';
          column = 'last_seen';
        }
        return c.op === 'within'
          ? `SELECT user_pk FROM ${source} WHERE ${column} > ${this.p(edge)} AND ${column} <= ${this.p(this.asOf)}`
          : `SELECT user_pk FROM ${source} WHERE ${column} < ${this.p(edge)}`;
      }
      case 'trait':
        return `SELECT user_pk FROM users WHERE ${this.valueTest('traits', c.trait, c)}`;
      case 'nps': {
        this.needsNps = true;
        const [lo, hi] = c.category === 'promoter' ? [9, 10] : c.category === 'passive' ? [7, 8] : [0, 6];
        return `SELECT user_pk FROM nps_latest WHERE score BETWEEN ${lo} AND ${hi}`;
      }
      case 'segment':
        throw new Error(`segment “${c.segment}” must be inlined before compiling`);
      default:
        return 'SELECT user_pk FROM users WHERE 0';
    }
  }
}

/** Compiles a rule (segments inlined) to a query for its members as of asOf. */
export function compileRule(db: Db, rule: Rule, asOf: number): CompiledRule {
  const newestLastSeen = db.prepare<[], number | null>('SELECT max(last_seen) FROM users').pluck().get() ?? null;
  const compiler = new Compiler(db, asOf, newestLastSeen === null || newestLastSeen <= asOf);
  const body = compiler.group(rule.match, rule.conditions);
  const ctes: string[] = [];
  if (compiler.needsLastSeenAsOf) {
    ctes.push(`last_seen_as_of(user_pk, last_seen) AS (SELECT user_pk, max(ts) FROM events WHERE ts <= ${compiler.p(asOf)} GROUP BY user_pk)`);
  }
  if (compiler.needsNps) {
    // The latest NPS answer at or before asOf (ties: the greater record id), with a valid score.
    ctes.push(
      `nps_answers(user_pk, score, ts, event_id) AS (
         SELECT user_pk, json_extract(properties, '$.score'), ts, event_id FROM events
          WHERE name_id = ${compiler.p(compiler.nameId(NPS_EVENT))} AND ts <= ${compiler.p(asOf)}
            AND json_type(properties, '$.survey') = 'text' AND json_extract(properties, '$.survey') = 'nps'
            AND json_type(properties, '$.score') IN ('integer', 'real')
            AND json_extract(properties, '$.score') BETWEEN 0 AND 10
            AND json_extract(properties, '$.score') = CAST(json_extract(properties, '$.score') AS INTEGER)),
       nps_latest(user_pk, score) AS (
         SELECT user_pk, score FROM (
           SELECT user_pk, score, row_number() OVER (PARTITION BY user_pk ORDER BY ts DESC, event_id DESC) AS rn FROM nps_answers)
          WHERE rn = 1)`,
    );
  }
  // Members are the body's users that are in the universe: a primary-key probe per candidate.
  const select = `SELECT m.user_pk FROM (${body}) m JOIN users u ON u.user_pk = m.user_pk WHERE u.first_seen <= ${compiler.p(asOf)}`;
  return { sql: `${ctes.length > 0 ? `WITH ${ctes.join(', ')} ` : ''}${select}`, params: compiler.params };
}
