/** The contract's message methods: drafts, audiences, the outbox, environments and results. */
import type { MessageHandlers } from '../../shared/contract/messages';
import { ApiError } from '../../shared/errors';
import type { SurveyContent } from '../../shared/messages/model';
import { messageAudience, requireMessage, resolveTarget } from './audience';
import type { MessageBacktest } from '../../shared/messages/model';
import type { JobRunner } from '../jobs/runner';
import { messageBacktestInChunks } from './backtest';
import { messageLift } from './lift';
import { messageResults, type ResultsTarget } from './results';
import { surveyResponsesCsv } from './survey-responses';
import type { MessageDeps, MessageService } from './service';

export function createMessageHandlers(
  service: MessageService,
  deps: Pick<MessageDeps, 'db' | 'segments' | 'workshops' | 'asOf'> & {
    /** Runs the backtest as a background job: its progress reaches the window (the `job` event) and cancelJob stops it. */
    jobs: JobRunner;
  },
): MessageHandlers {
  const context = () => ({ db: deps.db, segments: deps.segments, workshops: deps.workshops, asOf: deps.asOf() });
  // The target as it is now, to say how many respondents have left it; a deleted one leaves that note out.
  const resultsTarget = (id: string): ResultsTarget => {
    try {
      return resolveTarget(deps, service.get(id).message);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') return null;
      throw err;
    }
  };
  // A survey's questions come from its content; a message no longer in the cache is read from its answers alone.
  const surveyContent = (id: string): SurveyContent | null => {
    try {
      const { message } = service.get(id);
      return message.kind === 'survey' ? (message.survey ?? null) : null;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') return null;
      throw err;
    }
  };
  return {
    listMessages: ({ includeArchived }) => service.list(includeArchived ?? false),
    getMessage: ({ id }) => service.get(id),
    saveMessage: ({ message }) => service.save(message),
    duplicateMessage: ({ id }) => service.duplicate(id),
    archiveMessage: ({ id, archived }) => service.archive(id, archived),
    deleteMessage: ({ id }) => service.delete(id),
    messageAudience: ({ message, userId }) => messageAudience(context(), message, userId),
    messageDiff: ({ id }) => service.diff(id),
    publishMessage: ({ id }) => service.publish(id).record,
    publishMessagesNow: ({ ids, url }) => service.publishNow(ids, url),
    messageCommand: ({ id, op }) => service.command(id, op).record,
    listOutbox: () => service.listOutbox(),
    retryOutbox: ({ id }) => service.retry(id),
    discardOutbox: ({ id }) => service.discard(id),
    getEnvironments: () => service.environments(),
    setEnvironment: ({ environment, url, token }) => service.setEnvironment(environment, url, token),
    messageResults: ({ id, search }) => messageResults(context(), id, search, resultsTarget(id), surveyContent(id)),
    messageResponsesCsv: ({ id }) => surveyResponsesCsv(context(), id, surveyContent(id)),
    messageBacktest: async ({ message, weeks }) => {
      const draft = requireMessage(message);
      let result: MessageBacktest | null = null;
      const { done } = deps.jobs.start('backtest', `Backtest of “${draft.name}”`, 'users', async (ctx) => {
        const options = { weeks, others: service.list(false), onProgress: (replayed: number, total: number) => ctx.progress(replayed, total) };
        const value = await messageBacktestInChunks(context(), draft, options, () => ctx.checkpoint());
        result = value;
        return `Backtest of “${draft.name}”: ${value.impressions.toLocaleString('en-US')} impressions to ${value.usersReached.toLocaleString('en-US')} users.`;
      });
      const job = await done;
      if (job.state === 'done' && result !== null) return result;
      throw new ApiError(job.state === 'cancelled' ? 'cancelled' : (job.errorCode ?? 'internal'), job.message ?? 'The backtest failed.');
    },
    messageLift: ({ id }) => {
      const draft = service.get(id).message;
      return messageLift(context(), draft, { estimate: { draft, others: service.list(false) } });
    },
  };
}
