import { api, errorMessage, withFileNames } from '../../lib/api';
import { progressFraction, progressParts } from '../../lib/jobs';
import { useApp } from '../../store';
import { ProgressBar } from '../../ui/ProgressBar';
import { toast } from '../../ui/toast';
import { useData } from './store';

/**
 * The Data area's own view of its import or sync: the upload, then the job's progress with rate, time
 * left and Cancel; afterwards, why it stopped if it left no report. The activity tray shows the same job.
 */
export function DataActivity() {
  const uploading = useData((s) => s.uploading);
  const dataJobId = useData((s) => s.jobId);
  const job = useApp((s) => (dataJobId ? s.jobs[dataJobId] : undefined));
  const notice = useData((s) => s.notice);
  const dismissNotice = useData((s) => s.dismissNotice);

  const running = dataJobId !== null && (job === undefined || job.state === 'running');
  const cancel = (): void => {
    if (!dataJobId) return;
    api.cancelJob({ jobId: dataJobId }).catch((err: unknown) => toast('error', errorMessage(err)));
  };

  return (
    <>
      {uploading !== null && !running ? (
        <section className="card job-card" aria-label="Upload" data-testid="data-progress" data-phase="upload">
          <div className="job-head">
            <h3>Preparing {uploading}…</h3>
          </div>
          <ProgressBar value={null} label={`Uploading ${uploading}`} />
          <p className="job-meta muted">Handing the file to the local backend.</p>
        </section>
      ) : null}
      {running ? (
        <section className="card job-card" aria-label="Import progress" data-testid="data-progress" data-phase="job">
          <div className="job-head">
            <h3>{job ? withFileNames(job.title) : 'Starting…'}</h3>
            <button type="button" className="small" onClick={cancel}>
              Cancel
            </button>
          </div>
          <ProgressBar
            value={job ? progressFraction(job.progress) : null}
            label={job ? `${withFileNames(job.title)} progress` : 'Starting'}
            valueText={job ? progressParts(job.progress).join(', ') : undefined}
          />
          <p className="job-meta muted" data-testid="data-progress-meta">
            {job ? progressParts(job.progress).join(' · ') : 'Starting…'}
          </p>
        </section>
      ) : null}
      {notice ? (
        <div className={`notice ${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="data-notice">
          <div>
            <strong>{notice.title}</strong>
            <p>{notice.text}</p>
          </div>
          <button type="button" className="ghost small" onClick={dismissNotice} aria-label="Dismiss this message">
            Dismiss
          </button>
        </div>
      ) : null}
    </>
  );
}
