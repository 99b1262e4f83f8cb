import { useEffect } from 'react';
import './segments.css';
import { useApp } from '../../store';
import { CompareView } from './CompareView';
import { SegmentBuilder } from './SegmentBuilder';
import { SegmentList } from './SegmentList';
import { useSegments } from './store';
import { TemplateDialog } from './TemplateDialog';

/** The Segments area: saved segments, the builder with its live size, and comparisons. */
export function SegmentsScreen() {
  const view = useSegments((s) => s.view);
  const draft = useSegments((s) => s.draft);
  const dataVersion = useApp((s) => s.dataVersion);

  useEffect(() => {
    const { refreshSegments, loadMeta } = useSegments.getState();
    void refreshSegments();
    void loadMeta();
  }, [dataVersion]);

  return (
    <>
      {view.kind === 'builder' && draft ? <SegmentBuilder /> : view.kind === 'compare' ? <CompareView preselect={view.preselect} /> : <SegmentList />}
      <TemplateDialog />
    </>
  );
}
