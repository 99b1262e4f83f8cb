import { useState, type FormEvent } from 'react';
import type { EnvironmentSettings } from '../../../../shared/messages/model';
import { api, transportKind } from '../../lib/api';
import { ErrorNote } from '../../ui/ErrorNote';
import { toast } from '../../ui/toast';
import { useApiQuery } from '../../ui/useApiQuery';
import { useBusyStep } from '../../ui/useBusyStep';

const SOURCE_LABELS: Record<NonNullable<EnvironmentSettings['tokenSource']>, string> = {
  'safe-storage': 'kept in the OS keychain (safeStorage)',
  memory: 'held in memory for this run',
  env: 'read from an environment variable',
};

/** Each environment's delivery URL and admin token. The token is write-only: it never comes back. */
export function EnvironmentsPanel() {
  const { data: envs, error, setData: setEnvs } = useApiQuery(() => api.getEnvironments({}), []);

  if (error) return <ErrorNote error={error} banner />;
  if (!envs) return <p className="muted pad">Reading the environments…</p>;
  return (
    <section className="card" aria-labelledby="env-title">
      <header className="card-header">
        <div>
          <h3 id="env-title">Delivery environments</h3>
          <p className="muted">
            Where each environment’s messages are published: the delivery server’s URL and its admin token.{' '}
            {transportKind === 'bridge'
              ? 'In browser mode tokens stay in memory (or come from GUIDEPOST_STAGING_TOKEN / GUIDEPOST_PRODUCTION_TOKEN).'
              : envs.some((e) => e.tokenSource === 'memory')
                ? 'This system has no secure keychain (Linux without a keyring), so tokens are held in memory for this run only and never saved.'
                : 'Tokens are encrypted with the OS keychain, never stored in plain text.'}{' '}
            A token belongs to the server it was entered for: pointing an environment at another server asks for it again.
          </p>
        </div>
      </header>
      <div className="env-grid">
        {envs.map((env) => (
          <EnvironmentForm key={env.environment} env={env} onSaved={(next) => setEnvs(envs.map((e) => (e.environment === next.environment ? next : e)))} />
        ))}
      </div>
    </section>
  );
}

function EnvironmentForm({ env, onSaved }: { env: EnvironmentSettings; onSaved(next: EnvironmentSettings): void }) {
  const [url, setUrl] = useState(env.url ?? '');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const { busy, run } = useBusyStep(setError);
  const id = `env-${env.environment}`;
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const next = await run(() => api.setEnvironment({ environment: env.environment, url: url.trim() || null, ...(token ? { token } : {}) }));
    if (!next) return;
    setToken('');
    setError(null);
    onSaved(next);
    toast('success', `Saved the ${env.environment} environment.`);
  };
  return (
    <form className="env-form" aria-labelledby={`${id}-title`} noValidate onSubmit={(e) => void submit(e)} data-testid={`environment-${env.environment}`}>
      <h4 id={`${id}-title`}>{env.environment === 'production' ? 'Production' : 'Staging'}</h4>
      <label className="field-block">
        <span className="field-label">Delivery URL</span>
        <input type="url" value={url} placeholder="https://delivery.example.com" spellCheck={false} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <label className="field-block">
        <span className="field-label">Admin token</span>
        <input
          type="password"
          value={token}
          autoComplete="off"
          placeholder={env.hasToken ? 'A token is held: type to replace it' : 'Paste the admin token'}
          onChange={(e) => setToken(e.target.value)}
        />
      </label>
      <p className="muted small-text" data-testid="token-state">
        {env.hasToken ? `Token held, ${SOURCE_LABELS[env.tokenSource ?? 'memory']}.` : 'No token yet: publishing will wait in the outbox.'}
      </p>
      {error ? (
        <p className="error-text small-text" role="alert">
          {error}
        </p>
      ) : null}
      <div>
        <button type="submit" disabled={busy}>
          Save {env.environment}
        </button>
      </div>
    </form>
  );
}
