/** What the Messages area offers the shell: its screen, and its store for the palette, the status bar and links from outside. */
export { MessagesScreen } from './MessagesScreen';
export { useMessages } from './store';
