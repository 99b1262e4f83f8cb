import { MenuButton } from '../../ui/MenuButton';
import { KIND_LABELS } from './model';
import { useMessages } from './store';

/**
 * The "New…" menu of the kinds besides the upsell modal and the NPS survey (their own buttons stand
 * beside it): the screen's header and the empty message list offer the same five kinds this way.
 */
export function NewKindsMenu() {
  const { newMessage } = useMessages.getState();
  return (
    <MenuButton
      label="New…"
      ariaLabel="New survey, banner or slideout"
      items={(['survey', 'banner', 'slideout'] as const).map((kind) => ({ id: kind, label: `New ${KIND_LABELS[kind].toLowerCase()}`, run: () => newMessage(kind) }))}
    />
  );
}
