// `npm install` builds the console once (web/dist), so `npx mailroom serve` on a fresh checkout
// serves it. Without the dev dependencies (npm install --omit=dev) it says how, and does not fail.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const vite = `${root}node_modules/vite/bin/vite.js`;
if (!existsSync(vite)) {
  console.log('mailroom: the console was not built (vite is not installed); run npm install, then npm run build:web.');
} else {
  const result = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) console.log('mailroom: building the console failed (see above); the API works without it. Try npm run build:web.');
  else console.log('mailroom: the console is built (web/dist). Node 20 or 22 may have printed EBADENGINE warnings above: they are harmless, Mailroom runs on the Node 24 that npm install brought.');
}
