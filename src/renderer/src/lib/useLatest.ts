import { useEffect, useRef, useState } from 'react';
import { errorMessage } from './api';

export interface Latest<R> {
  /** The newest answer that arrived, with the key it answers (it may be for an older key). */
  result: { key: string; value: R } | null;
  error: { key: string; message: string } | null;
  /** True while the answer for the current key has not arrived yet. */
  pending: boolean;
}

/**
 * Asks the backend for the answer to `key` once typing pauses for `delayMs`, one request at a time:
 * while a request is out, only the newest key waits its turn, and answers for keys that are no
 * longer current are dropped. A null key asks nothing (an invalid rule, say).
 */
export function useLatest<R>(key: string | null, call: () => Promise<R>, delayMs: number): Latest<R> {
  const [result, setResult] = useState<Latest<R>['result']>(null);
  const [error, setError] = useState<Latest<R>['error']>(null);
  const current = useRef<string | null>(key);
  const callRef = useRef(call);
  const flight = useRef<{ busy: boolean; queued: { key: string; call: () => Promise<R> } | null }>({ busy: false, queued: null });
  const alive = useRef(true);

  useEffect(() => {
    callRef.current = call;
  });

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  useEffect(() => {
    current.current = key;
    if (key === null) return;
    const run = (job: { key: string; call: () => Promise<R> }): void => {
      flight.current.busy = true;
      job
        .call()
        .then((value) => {
          if (alive.current && current.current === job.key) {
            setResult({ key: job.key, value });
            setError(null);
          }
        })
        .catch((err: unknown) => {
          if (alive.current && current.current === job.key) setError({ key: job.key, message: errorMessage(err) });
        })
        .finally(() => {
          flight.current.busy = false;
          const next = flight.current.queued;
          flight.current.queued = null;
          if (next && alive.current && current.current === next.key) run(next);
        });
    };
    const timer = setTimeout(() => {
      const job = { key, call: callRef.current };
      if (flight.current.busy) flight.current.queued = job;
      else run(job);
    }, delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);

  const pending = key !== null && result?.key !== key && error?.key !== key;
  return { result, error, pending };
}
