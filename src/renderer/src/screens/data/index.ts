/**
 * What the Data area offers the shell and the other areas: its screen; its store (the palette and the
 * status bar switch tabs, the shell reports ended jobs); the hidden import input the app mounts once
 * with the function that opens its picker; and a user's timeline, which the segment builder opens too.
 */
export { DataScreen } from './DataScreen';
export { ImportFileInput, pickImportFile } from './ImportFileInput';
export { otherTraits, type DataTab } from './model';
export { useData } from './store';
export { UserTimelinePanel } from './UserTimelinePanel';
