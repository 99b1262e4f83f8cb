/**
 * What the Workshops area offers the shell: its screen, its store for the palette's commands, and the
 * hidden bundle input the app mounts once (with the function that opens its picker), and the dialog that
 * asks before a bundle opened from outside is imported.
 */
export { BundleInput, pickBundleFile } from './BundleInput';
export { BundleOpenDialog, confirmBundle } from './BundleOpenDialog';
export { useWorkshops } from './store';
export { WorkshopsScreen } from './WorkshopsScreen';
