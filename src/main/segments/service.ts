/**
 * Segments over the cache: saved segments (the segments table), and evaluating a rule as of an
 * instant through the SQL compiler: counts, members, a sample, a weekly trend.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../shared/errors';
import { describeRule } from '../../shared/segments/describe';
import { inlineSegments, parseRule, referencedSegments, type Condition, type Rule } from '../../shared/segments/rule';
import { DAY_MS } from '../../shared/segments/values';
import type { SavedSegment, SegmentComparison, SegmentPreview, SegmentTrendPoint, UserSummary } from '../../shared/types';
import { estimateCount, type Estimate } from '../../shared/estimate';
import type { Db } from '../db/connection';
import { cacheSamplePercent } from '../db/user-sample';
import { compileRule, type CompiledRule } from './compile';
import { refreshEventSummary } from './event-summary';
import { jsonPath, refreshPropertyValues } from './property-values';

interface SegmentRow {
  id: string;
  name: string;
  description: string;
  rule: string;
  created_at: number;
  updated_at: number;
}

/** Validates a rule from outside (IPC, HTTP, a file) into a Rule, or throws an error that says where it is wrong. */
export function requireRule(input: unknown): Rule {
  const parsed = parseRule(input);
  if (!parsed.ok) throw new ApiError('invalid_argument', `The rule is not valid: ${parsed.errors.join('; ')}.`);
  return parsed.rule;
}

export interface SegmentServiceOptions {
  /**
   * Read event_user_summary where it answers a condition, refreshing it first (on by default). Off,
   * every count reads the events alone: the agreement test holds both ways to the JS evaluator.
   */
  eventSummary?: boolean;
  /**
   * Read event_property_values for the property filters it answers, building or refreshing the pairs
   * the rule filters on first (on by default). Off, every property filter reads the events' JSON.
   */
  propertyValues?: boolean;
}

export class SegmentService {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
    private readonly options: SegmentServiceOptions = {},
  ) {}

  private row(id: string): SegmentRow | undefined {
    return this.db.prepare<[string], SegmentRow>('SELECT * FROM segments WHERE id = ?').get(id);
  }

  private toSaved(row: SegmentRow): SavedSegment {
    const rule = JSON.parse(row.rule) as Rule;
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      rule,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      sentence: describeRule(rule, (id) => this.row(id)?.name ?? id),
    };
  }

  list(): SavedSegment[] {
    return this.db
      .prepare<[], SegmentRow>('SELECT * FROM segments ORDER BY name COLLATE NOCASE')
      .all()
      .map((row) => this.toSaved(row));
  }

  get(id: string): SavedSegment {
    const row = this.row(id);
    if (!row) throw new ApiError('not_found', `No segment with id ${id}.`);
    return this.toSaved(row);
  }

  /** The saved rule of a segment, for inlining references. */
  private lookup(overrides: Map<string, Rule> = new Map()): (id: string) => Rule | undefined {
    return (id) => {
      const own = overrides.get(id);
      if (own) return own;
      const row = this.row(id);
      return row ? (JSON.parse(row.rule) as Rule) : undefined;
    };
  }

  /** The rule with every reference replaced by the referenced rule (what evaluators and the delivery server take). */
  inline(rule: Rule): Rule {
    try {
      return inlineSegments(rule, this.lookup());
    } catch (err) {
      throw new ApiError('invalid_argument', `The rule cannot be used: ${(err as Error).message}.`);
    }
  }

  save(input: { id?: string; name: string; description?: string; rule: unknown }): SavedSegment {
    const rule = requireRule(input.rule);
    const name = input.name.trim();
    if (name === '') throw new ApiError('invalid_argument', 'Give the segment a name.');
    // A given id that does not exist yet creates the segment under it: Undo after a delete brings the
    // segment back with its own id, so segments that refer to it work again.
    const id = input.id ?? `seg_${randomUUID().slice(0, 8)}`;
    const clash = this.db.prepare<[string, string], string>('SELECT id FROM segments WHERE name = ? COLLATE NOCASE AND id <> ?').pluck().get(name, id);
    if (clash) throw new ApiError('conflict', `A segment named “${name}” already exists.`);
    try {
      inlineSegments(rule, this.lookup(new Map([[id, rule]])));
    } catch (err) {
      throw new ApiError('invalid_argument', `The segment cannot be saved: ${(err as Error).message}.`);
    }
    const now = this.clock();
    this.db
      .prepare(
        `INSERT INTO segments (id, name, description, rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, rule = excluded.rule, updated_at = excluded.updated_at`,
      )
      .run(id, name, input.description ?? '', JSON.stringify(rule), now, now);
    return this.get(id);
  }

  duplicate(id: string): SavedSegment {
    const source = this.get(id);
    let name = `${source.name} (copy)`;
    for (let n = 2; this.db.prepare('SELECT 1 FROM segments WHERE name = ? COLLATE NOCASE').get(name); n++) name = `${source.name} (copy ${n})`;
    return this.save({ name, description: source.description, rule: source.rule });
  }

  /** Segments whose rules refer to this one (they would break). */
  usedBy(id: string): SavedSegment[] {
    return this.list().filter((s) => s.id !== id && referencedSegments(s.rule.conditions).includes(id));
  }

  delete(id: string): { deleted: boolean } {
    this.get(id);
    this.db.prepare('DELETE FROM segments WHERE id = ?').run(id);
    return { deleted: true };
  }

  /**
   * A count of this cache's users as the figure to show: exact when the cache holds every user, scaled
   * with its 95 % interval when it holds a sample of them (docs/SEGMENTS.md, "Estimates from a sample of users").
   */
  estimate(count: number): Estimate {
    return estimateCount(count, cacheSamplePercent(this.db));
  }

  total(asOf: number): number {
    return this.db.prepare<[number], number>('SELECT count(*) FROM users WHERE first_seen <= ?').pluck().get(asOf) ?? 0;
  }

  /**
   * Brings the per-(name, user) summary up to date now rather than on the next count: after an import,
   * a sync or the demo, so the first segment or workshop figure does not pay for the rebuild (0.7 s on
   * a million events). False when it could not be written (the next count reads the events alone).
   */
  warmDerived(): boolean {
    return (this.options.eventSummary ?? true) && refreshEventSummary(this.db);
  }

  /** warmDerived on the next turn of the event loop: after a writing job, once it has reported. */
  warmSoon(): void {
    setImmediate(() => {
      // Best effort: a one-shot CLI command has closed the cache by now, and a failure only means the
      // next count brings the summary up to date itself.
      if (!this.db.open) return;
      try {
        this.warmDerived();
      } catch {
        // The next count refreshes (or reads the events alone); nothing is lost.
      }
    });
  }

  /** The rule, its references inlined, compiled to one query for its members as of asOf. */
  compile(rule: Rule, asOf: number): CompiledRule {
    const inlined = this.inline(rule);
    // A read-only connection, or one that another is writing through, counts without the summary and
    // with only the property values that are current already.
    const eventSummary = (this.options.eventSummary ?? true) && refreshEventSummary(this.db);
    const propertyValues = (this.options.propertyValues ?? true) ? refreshPropertyValues(this.db, inlined) : new Set<string>();
    return compileRule(this.db, inlined, asOf, { eventSummary, propertyValues });
  }

  count(rule: Rule, asOf: number): number {
    return this.countCompiled(this.compile(rule, asOf));
  }

  private countCompiled(compiled: CompiledRule): number {
    return this.db.prepare<[Record<string, unknown>], number>(`SELECT count(*) FROM (${compiled.sql})`).pluck().get(compiled.params) ?? 0;
  }

  memberIds(rule: Rule, asOf: number, limit?: number): string[] {
    const compiled = this.compile(rule, asOf);
    const sql = `SELECT u.id FROM users u JOIN (${compiled.sql}) m USING (user_pk) ORDER BY u.id${limit !== undefined ? ' LIMIT @limit' : ''}`;
    const params = limit !== undefined ? { ...compiled.params, limit } : compiled.params;
    return this.db.prepare<[Record<string, unknown>], string>(sql).pluck().all(params);
  }

  private sampleCompiled(compiled: CompiledRule, size: number): UserSummary[] {
    return this.db
      .prepare<[Record<string, unknown>], { id: string; traits: string; first_seen: number | null; last_seen: number | null }>(
        `SELECT u.id, u.traits, u.first_seen, u.last_seen FROM users u JOIN (${compiled.sql}) m USING (user_pk)
          ORDER BY u.last_seen DESC LIMIT @limit`,
      )
      .all({ ...compiled.params, limit: size })
      .map((r) => ({ id: r.id, traits: JSON.parse(r.traits) as Record<string, unknown>, firstSeen: r.first_seen, lastSeen: r.last_seen }));
  }

  warnings(rule: Rule): string[] {
    const warnings: string[] = [];
    const knownEvent = this.db.prepare<[string], number>('SELECT 1 FROM event_names WHERE name = ? AND name_id <> 0').pluck();
    const knownTrait = this.db.prepare<[string], number>('SELECT 1 FROM users WHERE json_type(traits, ?) IS NOT NULL LIMIT 1').pluck();
    const knownAccountTrait = this.db.prepare<[string], number>('SELECT 1 FROM accounts WHERE json_type(traits, ?) IS NOT NULL LIMIT 1').pluck();
    const visit = (conditions: Condition[]): void => {
      for (const c of conditions) {
        if (c.type === 'group') visit(c.conditions);
        else if (c.type === 'event' && !knownEvent.get(c.event)) warnings.push(`No “${c.event}” event in the cache yet.`);
        else if (c.type === 'trait' && !knownTrait.get(jsonPath(c.trait))) warnings.push(`No user has the trait “${c.trait}” yet.`);
        else if (c.type === 'account' && !knownAccountTrait.get(jsonPath(c.trait))) warnings.push(`No account has the trait “${c.trait}” yet.`);
      }
    };
    visit(this.inline(rule).conditions);
    return [...new Set(warnings)];
  }

  preview(rule: Rule, asOf: number, sampleSize: number): SegmentPreview {
    const compiled = this.compile(rule, asOf);
    const count = this.countCompiled(compiled);
    const total = this.total(asOf);
    return {
      count,
      total,
      estimate: this.estimate(count),
      totalEstimate: this.estimate(total),
      asOf,
      sentence: describeRule(rule, (id) => this.row(id)?.name ?? id),
      warnings: this.warnings(rule),
      sample: sampleSize > 0 ? this.sampleCompiled(compiled, sampleSize) : [],
    };
  }

  /**
   * Do these segments behave differently? For each: size, how many did the goal event in the window
   * before asOf, and the share active in each of the last `weeks` weeks. A segment that converts and
   * retains like the others is not telling you anything.
   */
  compare(
    entries: { label: string; rule: Rule }[],
    goalEvent: string,
    asOf: number,
    windowDays: number,
    weeks: number,
  ): SegmentComparison {
    const total = this.total(asOf);
    const goalId = this.db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ? AND name_id <> 0').pluck().get(goalEvent) ?? -1;
    const rows = entries.map(({ label, rule }) => {
      const compiled = this.compile(rule, asOf);
      this.db.exec('DROP TABLE IF EXISTS temp.compare_members');
      this.db.exec('CREATE TEMP TABLE compare_members (user_pk INTEGER PRIMARY KEY)');
      this.db.prepare(`INSERT INTO temp.compare_members ${compiled.sql}`).run(compiled.params);
      const size = this.db.prepare<[], number>('SELECT count(*) FROM temp.compare_members').pluck().get() ?? 0;
      const converted =
        this.db
          .prepare<[number, number, number], number>(
            `SELECT count(*) FROM temp.compare_members m
              WHERE EXISTS (SELECT 1 FROM events e WHERE e.name_id = ? AND e.user_pk = m.user_pk AND e.ts > ? AND e.ts <= ?)`,
          )
          .pluck()
          .get(goalId, asOf - windowDays * DAY_MS, asOf) ?? 0;
      const week = 7 * DAY_MS;
      const active = new Map(
        this.db
          .prepare<[number, number, number, number], { k: number; n: number }>(
            `SELECT CAST((? - e.ts) / ? AS INTEGER) AS k, count(DISTINCT e.user_pk) AS n FROM events e JOIN temp.compare_members m USING (user_pk)
              WHERE e.ts <= ? AND e.ts > ? AND e.name_id <> 0 GROUP BY k`,
          )
          .all(asOf - 1, week, asOf, asOf - weeks * week)
          .map((r) => [r.k, r.n]),
      );
      this.db.exec('DROP TABLE temp.compare_members');
      const share = (n: number): number => (size === 0 ? 0 : n / size);
      return {
        label,
        size,
        share: total === 0 ? 0 : size / total,
        converted,
        conversion: share(converted),
        weeklyActive: Array.from({ length: weeks }, (_, k) => share(active.get(k) ?? 0)),
      };
    });
    return { asOf, goalEvent, windowDays, total, rows };
  }

  /** The segment's size at the end of each of the last `weeks` weeks up to asOf. */
  trend(rule: Rule, asOf: number, weeks: number): SegmentTrendPoint[] {
    const points: SegmentTrendPoint[] = [];
    for (let k = weeks - 1; k >= 0; k--) {
      const at = asOf - k * 7 * DAY_MS;
      const count = this.count(rule, at);
      points.push({ asOf: at, count, total: this.total(at), estimate: this.estimate(count) });
    }
    return points;
  }
}
