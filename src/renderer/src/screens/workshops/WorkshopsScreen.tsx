import { useEffect } from 'react';
import './workshops.css';
import { useApp } from '../../store';
import { useSegments } from '../segments';
import { WorkshopList } from './WorkshopList';
import { WorkshopView } from './WorkshopView';
import { useWorkshops } from './store';

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
