// `node --import ./scripts/register-ts.mjs file.ts`: TypeScript via tsx, plus Vite's `?raw` imports.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./raw-hooks.mjs', import.meta.url);
registerTsx();
