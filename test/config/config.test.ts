import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { isMailroomError } from '../../src/errors.ts';

describe('configuration', () => {
  it('has working defaults: embedded database in ./data, loopback, demo off', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.dataDir, './data');
    assert.equal(config.databaseUrl, '');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.demo, false);
    assert.equal(config.leaseSeconds, 15);
    assert.ok(Object.isFrozen(config));
  });

  it('reads the environment, then a JSON file named by MAILROOM_CONFIG, flags winning over both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailroom-config-'));
    const file = join(dir, 'mailroom.json');
    writeFileSync(file, JSON.stringify({ port: 9000, host: '0.0.0.0', dataDir: '/srv/mailroom' }));
    const config = loadConfig({ env: { MAILROOM_CONFIG: file, MAILROOM_PORT: '9100', MAILROOM_DEMO: 'yes', DATABASE_URL: 'postgres://db/mailroom' }, overrides: { host: '127.0.0.2' } });
    assert.equal(config.port, 9100);
    assert.equal(config.host, '127.0.0.2');
    assert.equal(config.dataDir, '/srv/mailroom');
    assert.equal(config.demo, true);
    assert.equal(config.databaseUrl, 'postgres://db/mailroom');
  });

  it('names every bad value in one error', () => {
    try {
      loadConfig({ env: { MAILROOM_PORT: 'eighty', DATABASE_URL: 'mysql://x', MAILROOM_SECRET_KEY: 'c2hvcnQ=', MAILROOM_LOG_LEVEL: 'loud', MAILROOM_LEASE_SECONDS: '0' } });
      assert.fail('expected CONFIG_INVALID');
    } catch (err) {
      assert.ok(isMailroomError(err, 'CONFIG_INVALID'));
      const problems = (err.details as string[]).join('\n');
      for (const name of ['MAILROOM_PORT', 'DATABASE_URL', 'MAILROOM_SECRET_KEY', 'MAILROOM_LOG_LEVEL', 'MAILROOM_LEASE_SECONDS']) {
        assert.match(problems, new RegExp(name), `${name} is named`);
      }
    }
  });

  it('refuses unknown keys and unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailroom-config-'));
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ prot: 8080 }));
    assert.throws(() => loadConfig({ env: { MAILROOM_CONFIG: unknown } }), { code: 'CONFIG_INVALID' });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    assert.throws(() => loadConfig({ env: { MAILROOM_CONFIG: broken } }), { code: 'CONFIG_INVALID' });
    assert.throws(() => loadConfig({ env: { MAILROOM_CONFIG: join(dir, 'missing.json') } }), { code: 'CONFIG_INVALID' });
  });
});
