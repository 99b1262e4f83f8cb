/**
 * What the Segments area offers the shell and the other areas: its screen, and its store for the
 * palette's commands and for workshops (the event catalog, opening a saved segment). Anything else in
 * screens/segments is the area's own business.
 */
export { SegmentsScreen } from './SegmentsScreen';
export { useSegments } from './store';
