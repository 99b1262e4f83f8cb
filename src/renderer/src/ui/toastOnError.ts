import { errorMessage } from '../lib/api';
import { toast } from './toast';

/**
 * Runs a step whose failure has nowhere to show but a toast (an action from a menu, the palette or a
 * store); resolves to its value, or to undefined once an error toast has said why it failed
 * (`prefix: reason`, or the backend's reason alone).
 */
export async function toastOnError<T>(step: () => Promise<T>, prefix?: string): Promise<T | undefined> {
  try {
    return await step();
  } catch (err) {
    toast('error', prefix ? `${prefix}: ${errorMessage(err)}` : errorMessage(err));
    return undefined;
  }
}
