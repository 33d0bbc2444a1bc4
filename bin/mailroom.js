#!/usr/bin/env node
// Mailroom runs its TypeScript sources directly, which needs Node 24 (type stripping).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`Mailroom needs Node.js 24 or later; this is ${process.version}. ` +
    'Run it through npm (npm run mailroom -- ...), which uses the Node 24 that npm install brings, or npx mailroom.');
  process.exit(1);
}
await import('../src/cli/main.ts');
