// `npm test`: typecheck, then every test file under test/ with Node's test runner (on the Node 24
// the project installs).
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
// The admin console: its API types must be what /openapi.json generates (else a server change
// could slip past its typecheck), then typecheck it and build web/dist fresh for the e2e tests.
run(process.execPath, ['--no-warnings', 'scripts/api-types.ts', '--check']);
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json']);
run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', 'web', '--logLevel', 'warn']);

const files = globSync('test/**/*.test.ts').sort();
const extra = process.argv.slice(2);
run(process.execPath, ['--test', '--test-concurrency=4', '--test-timeout=120000', ...extra, ...files]);
