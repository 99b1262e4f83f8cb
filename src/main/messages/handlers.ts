/** The contract's message methods: drafts, audiences, the outbox, environments and results. */
import type { MessageHandlers } from '../../shared/contract/messages';
import { ApiError } from '../../shared/errors';
import type { SurveyContent } from '../../shared/messages/model';
import { messageAudience, resolveTarget } from './audience';
import { messageBacktest } from './backtest';
import { messageLift } from './lift';
import { messageResults, type ResultsTarget } from './results';
import { surveyResponsesCsv } from './survey-responses';
import type { MessageDeps, MessageService } from './service';

export function createMessageHandlers(service: MessageService, deps: Pick<MessageDeps, 'db' | 'segments' | 'workshops' | 'asOf'>): MessageHandlers {
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
    messageBacktest: ({ message, weeks }) => messageBacktest(context(), message, { weeks, others: service.list(false) }),
    messageLift: ({ id }) => {
      const draft = service.get(id).message;
      return messageLift(context(), draft, { estimate: { draft, others: service.list(false) } });
    },
  };
}
