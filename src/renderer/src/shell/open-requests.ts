/**
 * Opens what the desktop app was asked to open from outside: a guidepost:// link or a double-clicked
 * .guidepost bundle (read and checked by the backend, then shown for the user to confirm the import). The
 * Electron main process pushes an `open` event; this brings up the area and the workshop, segment or
 * message, or the bundle's confirmation, or says why it could not.
 */
import type { OpenRequest } from '../../../shared/types';
import { onBackendEvent } from '../lib/api';
import { useApp } from '../store';
import { toast } from '../ui/toast';
import { useMessages } from '../screens/messages';
import { useSegments } from '../screens/segments';
import { confirmBundle, useWorkshops } from '../screens/workshops';

export function openFromOutside(request: OpenRequest): void {
  const app = useApp.getState();
  app.setArea(request.area);
  if (request.message) toast('error', request.message);
  if (request.bundle) confirmBundle(request.bundle);
  if (request.id === null) return;
  if (request.area === 'workshops') void useWorkshops.getState().open(request.id);
  else if (request.area === 'segments') void useSegments.getState().openSegment(request.id);
  else void useMessages.getState().open(request.id);
}

export function connectOpenRequests(): () => void {
  return onBackendEvent((event) => {
    if (event.name === 'open') openFromOutside(event.payload as OpenRequest);
  });
}
