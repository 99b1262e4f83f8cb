/**
 * What the Workshops area offers the shell: its screen, its store for the palette's commands, and the
 * hidden bundle input the app mounts once (with the function that opens its picker).
 */
export { BundleInput, pickBundleFile } from './BundleInput';
export { useWorkshops } from './store';
export { WorkshopsScreen } from './WorkshopsScreen';
