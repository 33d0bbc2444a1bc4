// Runs every test file under test/ with Node's test runner (on the Node 24 the project installs).
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const files = globSync('test/**/*.test.ts').sort();
const extra = process.argv.slice(2);
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=4', '--test-timeout=120000', ...extra, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
