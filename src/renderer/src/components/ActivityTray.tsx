import { api, errorMessage } from '../lib/api';
import { formatDuration, formatNumber } from '../lib/format';
import { useApp } from '../store';

/** Background work in one place: progress, rate, time left, and cancel. Never blocks the screen. */
export function ActivityTray() {
  const jobs = useApp((s) => s.jobs);
  const toast = useApp((s) => s.toast);
  const running = Object.values(jobs).filter((j) => j.state === 'running');
  if (running.length === 0) return null;
  return (
    <aside className="activity-tray" aria-label="Background activity" aria-live="polite">
      {running.map((job) => {
        const { done, total, unit, rate, etaMs } = job.progress;
        return (
          <div key={job.id} className="activity-item" data-testid="activity-item">
            <div className="activity-title">{job.title}</div>
            <progress max={total ?? undefined} value={done} aria-label={`${job.title} progress`} />
            <div className="activity-meta muted">
              {formatNumber(done)}
              {total !== null ? ` / ${formatNumber(total)}` : ''} {unit}
              {rate > 0 ? ` · ${formatNumber(Math.round(rate))} ${unit}/s` : ''}
              {etaMs !== null ? ` · ${formatDuration(etaMs)} left` : ''}
            </div>
            <button
              type="button"
              className="ghost small"
              onClick={() => api.cancelJob({ jobId: job.id }).catch((err: unknown) => toast('error', errorMessage(err)))}
            >
              Cancel
            </button>
          </div>
        );
      })}
    </aside>
  );
}
