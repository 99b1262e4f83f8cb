import { useEffect } from 'react';
import { useApp } from '../store';
import { CompareView } from './segments/CompareView';
import { SegmentBuilder } from './segments/SegmentBuilder';
import { SegmentList } from './segments/SegmentList';
import { useSegments } from './segments/store';
import { TemplateDialog } from './segments/TemplateDialog';

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
