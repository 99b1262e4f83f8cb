import type { Migration } from '../../shared/migrate';
import init from './0001_init.sql?raw';
import accounts from './0002_accounts.sql?raw';
import distinctResults from './0003_distinct_results.sql?raw';
import scrubPageUrls from './0004_scrub_page_urls.sql?raw';
import profileStore from './0005_profile_store.sql?raw';
import retentionErasure from './0006_retention_erasure.sql?raw';
import messageAssignments from './0007_message_assignments.sql?raw';
import surveyAnswers from './0008_survey_answers.sql?raw';
import assignmentRecords from './0009_assignment_records.sql?raw';

/** Every delivery-database migration, in order. Append only: an applied migration is checksummed and never edited. */
export const deliveryMigrations: readonly Migration[] = [
  { version: 1, name: 'init', sql: init },
  { version: 2, name: 'accounts', sql: accounts },
  { version: 3, name: 'distinct_results', sql: distinctResults },
  { version: 4, name: 'scrub_page_urls', sql: scrubPageUrls },
  { version: 5, name: 'profile_store', sql: profileStore },
  { version: 6, name: 'retention_erasure', sql: retentionErasure },
  { version: 7, name: 'message_assignments', sql: messageAssignments },
  { version: 8, name: 'survey_answers', sql: surveyAnswers },
  { version: 9, name: 'assignment_records', sql: assignmentRecords },
];
