import { useEffect } from 'react';
import './messages.css';
import { useApp } from '../../store';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { TabPanel, Tabs } from '../../ui/Tabs';
import { EnvironmentsPanel } from './EnvironmentsPanel';
import { MessageList } from './MessageList';
import { MessageView } from './MessageView';
import { NewKindsMenu } from './NewKindsMenu';
import { OutboxPanel } from './OutboxView';
import { connectOutbox, useMessages, type ListTab } from './store';

/** The Messages area: the list (with the outbox and the delivery environments), or one message open. */
export function MessagesScreen() {
  const openId = useMessages((s) => s.openId);
  const listTab = useMessages((s) => s.listTab);
  const outbox = useMessages((s) => s.outbox);
  const empty = useMessages((s) => s.list?.length === 0);
  const { newMessage, setListTab } = useMessages.getState();
  const dataVersion = useApp((s) => s.dataVersion);

  useEffect(() => {
    connectOutbox();
    const { refreshList, loadTargets, refreshOutbox } = useMessages.getState();
    void refreshList();
    void loadTargets();
    void refreshOutbox();
  }, [dataVersion]);

  if (openId) return <MessageView />;

  const waiting = (outbox ?? []).filter((o) => o.state !== 'published').length;
  return (
    <div className="screen">
      <ScreenHeader
        title="Messages"
        subtitle="Upsell modals, surveys, banners and slideouts for a segment or a persona, in every language, previewed as users see them and published through the outbox."
        actions={
          empty && listTab === 'messages' ? null : (
            <>
              <NewKindsMenu />
              <button type="button" onClick={() => newMessage('modal')}>
                New upsell modal
              </button>
              <button type="button" className="primary" onClick={() => newMessage('nps')}>
                New NPS survey
              </button>
            </>
          )
        }
      />
      <Tabs<ListTab>
        label="Messages views"
        idBase="messages"
        items={[
          { id: 'messages', label: 'Messages' },
          { id: 'outbox', label: 'Outbox', ...(waiting > 0 ? { badge: String(waiting) } : {}) },
          { id: 'environments', label: 'Environments' },
        ]}
        value={listTab}
        onChange={setListTab}
      />
      <TabPanel idBase="messages" tab={listTab}>
        {listTab === 'messages' ? <MessageList /> : listTab === 'outbox' ? <OutboxPanel /> : <EnvironmentsPanel />}
      </TabPanel>
    </div>
  );
}
