import { api, errorMessage, withFileNames } from '../lib/api';
import { progressFraction, progressParts } from '../lib/jobs';
import { useApp } from '../store';
import { ProgressBar } from '../ui/ProgressBar';
import { toast } from '../ui/toast';

/** Background work in one place: progress, rate, time left, and cancel. Never blocks the screen. */
export function ActivityTray() {
  const jobs = useApp((s) => s.jobs);
  const running = Object.values(jobs).filter((j) => j.state === 'running');
  if (running.length === 0) return null;
  return (
    <aside className="activity-tray" aria-label="Background activity">
      {running.map((job) => {
        const title = withFileNames(job.title);
        const parts = progressParts(job.progress);
        return (
          <div key={job.id} className="activity-item" data-testid="activity-item">
            <div className="activity-head">
              <div className="activity-title">{title}</div>
              <button
                type="button"
                className="ghost small"
                aria-label={`Cancel ${title}`}
                onClick={() => api.cancelJob({ jobId: job.id }).catch((err: unknown) => toast('error', errorMessage(err)))}
              >
                Cancel
              </button>
            </div>
            <ProgressBar value={progressFraction(job.progress)} label={`${title} progress`} valueText={parts.join(', ')} />
            <div className="activity-meta muted">{parts.join(' · ')}</div>
          </div>
        );
      })}
    </aside>
  );
}
