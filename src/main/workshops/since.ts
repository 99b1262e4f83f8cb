/**
 * "Since the workshop" (issue 19, item 5): each chosen opportunity of step 4 with the message linked to
 * it, the message's state and reach as of the cache's data, its goal event, and its lift as of then in
 * words (`liftOf`: api.ts measures it with messages/lift.ts, against the holdout or a control estimated
 * from history).
 */
import type { SinceTheWorkshop, Workshop } from '../../shared/workshop/model';

export interface MessageLookup {
  /** Name, status and reach of a message in the cache, or null when it is not there. */
  summary(id: string, asOf: number): { name: string; status: string; reach: number } | null;
  /** The lift in words ("lift on “upgraded” +2.1 points (95% CI 0.8 to 3.4), 1,204 vs 301 users", or why there is none yet); null without a goal. */
  liftOf?(id: string, asOf: number): string | null;
}

export function sinceTheWorkshop(w: Workshop, messages: MessageLookup, asOf: number): SinceTheWorkshop {
  const rows = w.opportunities
    .filter((o) => o.chosen)
    .map((o) => {
      const id = o.messageId ?? null;
      const summary = id === null ? null : messages.summary(id, asOf);
      return {
        opportunityId: o.id,
        title: o.title,
        goalEvent: o.goalEvent ?? null,
        message: id === null ? null : { id, name: summary?.name ?? null, status: summary?.status ?? null, reach: summary?.reach ?? 0 },
        lift: id === null || summary === null ? null : (messages.liftOf?.(id, asOf) ?? null),
      };
    });
  return { asOf, rows };
}

/** One row in words, for the exports: "message “X” (live), reached 1,204 users; goal upgraded; lift not measured yet". */
export function sinceRowText(row: SinceTheWorkshop['rows'][number]): string {
  const goal = row.goalEvent ? `goal “${row.goalEvent}”` : 'no goal event';
  if (row.message === null) return `No message linked yet; ${goal}.`;
  if (row.message.name === null) return `Message “${row.message.id}” is not in this cache; ${goal}.`;
  const reach = `reached ${row.message.reach.toLocaleString('en-US')} ${row.message.reach === 1 ? 'user' : 'users'}`;
  return `Message “${row.message.name}” (${row.message.status}), ${reach}; ${goal}; ${row.lift ?? 'lift not measured yet'}.`;
}
