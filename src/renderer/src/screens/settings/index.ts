/** What the Settings area offers the shell: its screen. */
export { SettingsScreen } from './SettingsScreen';
