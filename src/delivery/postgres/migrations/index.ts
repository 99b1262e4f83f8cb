import type { Migration } from '../../../shared/migrate';
import init from './0001_init.sql?raw';

/** Every PostgreSQL delivery-database migration, in order (migrate.ts). Append only: an applied migration is checksummed and never edited. */
export const postgresDeliveryMigrations: readonly Migration[] = [{ version: 1, name: 'init', sql: init }];
