import { toast } from './toast';

/** Copies text and says so in a toast (`copied`); where there is no clipboard (an insecure page), says that instead. */
export async function copyText(text: string, copied: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toast('success', copied);
  } catch {
    toast('error', 'The clipboard is not available here.');
  }
}
