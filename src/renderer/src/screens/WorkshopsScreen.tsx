import { useEffect } from 'react';
import { useApp } from '../store';
import { useSegments } from './segments/store';
import { WorkshopList } from './workshops/WorkshopList';
import { WorkshopView } from './workshops/WorkshopView';
import { useWorkshops } from './workshops/store';

/** The Workshops area: the list of workshops, and the open one with its steps. */
export function WorkshopsScreen() {
  const open = useWorkshops((s) => s.doc !== null);
  const dataVersion = useApp((s) => s.dataVersion);

  useEffect(() => {
    void useWorkshops.getState().refreshList();
    void useWorkshops.getState().reload();
    // Step 2 picks actions from the event catalog the segment builder already reads.
    void useSegments.getState().loadMeta();
  }, [dataVersion]);

  return open ? <WorkshopView /> : <WorkshopList />;
}
