// A request that fails inside Mailroom answers 500 INTERNAL without its error's words, and the
// error is in the log at the default level (info), while the request itself and its token are not.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { buildApi } from '../../src/api/app.ts';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { newRegistry, seedUsers } from '../fixtures/mailroom.ts';
import { signIn } from '../../src/users/users.service.ts';

for (const dialect of DIALECTS) {
  describe(`failures in the log on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let app: FastifyInstance;
    let token: string;
    let providers: ReturnType<typeof newRegistry>;
    const lines: Record<string, unknown>[] = [];
    const raw: string[] = [];

    before(async () => {
      env = await createTestEnv(dialect);
      await seedUsers(env.ctx);
      token = (await signIn(env.ctx, { username: 'alice', password: 'alice-password' })).token;
      providers = newRegistry(env.ctx);
      const logStream = new Writable({ write(chunk, _e, done) { for (const l of String(chunk).split('\n').filter(Boolean)) { raw.push(l); lines.push(JSON.parse(l)); } done(); } });
      app = await buildApi({
        ctx: env.ctx, providers, logLevel: 'info', logStream,
        distributor: { kick: () => {}, runOnce: async () => { throw new Error('not used'); } },
        extraRoutes: (api) => {
          const schema = { hide: true, response: { 200: Type.Object({}) } };
          api.get('/api/test/bug', { config: { access: 'user' }, schema }, async () => { throw new Error('a bug at /srv/mailroom/secret-path'); });
          api.get('/api/test/bad-sql', { config: { access: 'user' }, schema }, async () => { await sql`select * from no_such_table`.execute(env.ctx.db); return {}; });
        },
      });
    });
    after(async () => {
      await app.close();
      await providers.close();
      await env.cleanup();
    });

    it('answers 500 INTERNAL without the error\'s words, and logs the error at the default level', async () => {
      for (const url of ['/api/test/bug', '/api/test/bad-sql']) {
        const before = lines.length;
        const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.statusCode, 500, res.body);
        assert.equal(res.json().error.code, 'INTERNAL');
        assert.doesNotMatch(res.body, /secret-path|no_such_table/, 'the answer does not show the error');
        const logged = lines.slice(before).filter((l) => l.level === 50);
        assert.equal(logged.length, 1, `${url}: ${JSON.stringify(lines.slice(before))}`);
        assert.match(JSON.stringify(logged[0]!.err), url === '/api/test/bug' ? /secret-path/ : /no_such_table/);
      }
      assert.ok(!raw.some((l) => l.includes(token)), 'the token is never in the log');
      assert.ok(!lines.some((l) => l.level === 30 && (l as { req?: unknown }).req), 'requests themselves are not logged at info');
    });
  });
}
