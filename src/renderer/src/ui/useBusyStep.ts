import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../lib/api';

export interface BusyStep {
  /** True while a step runs: its button shows it and stays disabled. */
  busy: boolean;
  /** Runs the step; resolves to its value, or to undefined once `onError` has been told why it failed. */
  run<T>(step: () => Promise<T>): Promise<T | undefined>;
}

/**
 * A step a component runs on the user's word (a save, a check, a command): `busy` while it runs, and
 * its failure, in the backend's words, handed to `onError` (the form's error line, a toast).
 */
export function useBusyStep(onError: (message: string) => void): BusyStep {
  const [busy, setBusy] = useState(false);
  const latestOnError = useRef(onError);
  useEffect(() => {
    latestOnError.current = onError;
  });

  const run = useCallback(async <T>(step: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    try {
      return await step();
    } catch (err) {
      latestOnError.current(errorMessage(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, run };
}
