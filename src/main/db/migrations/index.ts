import type { Migration } from '../../../shared/migrate';
import init from './0001_init.sql?raw';
import importSql from './0002_import.sql?raw';
import segmentsSql from './0003_segments.sql?raw';
import workshopsSql from './0004_workshops.sql?raw';
import messagesSql from './0005_messages.sql?raw';
import usersLastSeenSql from './0006_users_last_seen.sql?raw';
import messagesServerVersionSql from './0007_messages_server_version.sql?raw';
import eventUserSummarySql from './0008_event_user_summary.sql?raw';
import eventPropertyValuesSql from './0009_event_property_values.sql?raw';
import usersIdIndexSql from './0010_users_id_index.sql?raw';
import importReportDetailsSql from './0011_import_report_details.sql?raw';
import identityAccountsSql from './0012_identity_accounts.sql?raw';
import replaceableEventsSql from './0013_replaceable_events.sql?raw';
import erasedUsersSql from './0014_erased_users.sql?raw';
import userSampleSql from './0015_user_sample.sql?raw';

/** Every cache migration, in order. Append only: an applied migration is checksummed and never edited. */
export const cacheMigrations: readonly Migration[] = [
  { version: 1, name: 'init', sql: init },
  { version: 2, name: 'import', sql: importSql },
  { version: 3, name: 'segments', sql: segmentsSql },
  { version: 4, name: 'workshops', sql: workshopsSql },
  { version: 5, name: 'messages', sql: messagesSql },
  { version: 6, name: 'users_last_seen', sql: usersLastSeenSql },
  { version: 7, name: 'messages_server_version', sql: messagesServerVersionSql },
  { version: 8, name: 'event_user_summary', sql: eventUserSummarySql },
  { version: 9, name: 'event_property_values', sql: eventPropertyValuesSql },
  { version: 10, name: 'users_id_index', sql: usersIdIndexSql },
  { version: 11, name: 'import_report_details', sql: importReportDetailsSql },
  { version: 12, name: 'identity_accounts', sql: identityAccountsSql },
  { version: 13, name: 'replaceable_events', sql: replaceableEventsSql },
  { version: 14, name: 'erased_users', sql: erasedUsersSql },
  { version: 15, name: 'user_sample', sql: userSampleSql },
];
