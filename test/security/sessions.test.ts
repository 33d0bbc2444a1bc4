// An attacker guesses passwords and keeps stolen tokens: sign-in throttling shared through the
// database, and tokens that die with sign-out, a new password, or their expiry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApi } from '../../src/api/app.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { SIGN_IN_THROTTLE } from '../../src/security/sign-in-throttle.ts';
import { API_TOKENS_PER_USER } from '../../src/users/users.service.ts';
import { DIALECTS, ManualClock, skipUnless } from '../fixtures/context.ts';
import { startApi, type ApiHarness } from '../fixtures/api.ts';

const signInBody = (username: string, password: string) => ({ body: { username, password } });

for (const dialect of DIALECTS) {
  describe(`sign-in throttling and token revocation on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    const clock = new ManualClock();

    before(async () => { h = await startApi(dialect, { clock }); });
    after(async () => { await h.close(); });

    it('locks a user name after repeated wrong passwords, even for the right one, in every process', async () => {
      for (let i = 0; i < SIGN_IN_THROTTLE.perUser; i++) {
        const res = await h.call('POST', '/api/session', signInBody('alice', `guess-${i}`));
        assert.equal(res.status, 401);
        assert.equal(res.body.error.code, 'BAD_CREDENTIALS');
      }
      const locked = await h.call('POST', '/api/session', signInBody('alice', 'alice-password'));
      assert.equal(locked.status, 429, locked.text);
      assert.equal(locked.body.error.code, 'SIGN_IN_THROTTLED');
      assert.ok(locked.body.error.details.retryAfterSeconds > 0);

      // A second API process on the same database sees the same lock.
      const other = await buildApi({ ctx: h.env.ctx, providers: h.providers, distributor: { kick() {}, runOnce: () => runDistributorPass(h.env.ctx, h.providers) } });
      try {
        const there = await other.inject({ method: 'POST', url: '/api/session', payload: { username: 'alice', password: 'alice-password' } });
        assert.equal(there.statusCode, 429);
      } finally { await other.close(); }

      // Other users are not locked out by it.
      assert.equal((await h.call('POST', '/api/session', signInBody('admin', 'admin-password'))).status, 200);
      clock.advance(SIGN_IN_THROTTLE.lockMs + 1000);
      assert.equal((await h.call('POST', '/api/session', signInBody('alice', 'alice-password'))).status, 200, 'the lock ends');
    });

    it('counts guesses at user names that do not exist the same way', async () => {
      for (let i = 0; i < SIGN_IN_THROTTLE.perUser; i++) {
        assert.equal((await h.call('POST', '/api/session', signInBody('no-such-user', 'x'))).body.error.code, 'BAD_CREDENTIALS');
      }
      assert.equal((await h.call('POST', '/api/session', signInBody('no-such-user', 'x'))).body.error.code, 'SIGN_IN_THROTTLED');
      const rows = await h.env.ctx.db.selectFrom('sign_in_failure').selectAll().where('key', '=', 'user:no-such-user').execute();
      assert.equal(rows.length, 1);
      assert.ok(Number(rows[0]!.locked_until) > clock.now());
      clock.advance(SIGN_IN_THROTTLE.lockMs + 1000);
    });

    it('locks one client address that tries many user names', async () => {
      for (let i = 0; i < SIGN_IN_THROTTLE.perAddress; i++) {
        await h.call('POST', '/api/session', signInBody(`sprayed-${i}`, 'Winter2026!'));
      }
      const res = await h.call('POST', '/api/session', signInBody('admin', 'admin-password'));
      assert.equal(res.status, 429, 'the address is locked, whatever the user name');
      clock.advance(SIGN_IN_THROTTLE.lockMs + 1000);
    });

    it('ends an API token on sign-out with it, and every session and token on a new password', async () => {
      const session = await h.signIn('alice', 'alice-password');
      const created = await h.call('POST', `/api/users/${h.users.alice.id}/tokens`, { token: session, body: { name: 'erp', password: 'alice-password' } });
      assert.equal(created.status, 201, created.text);
      const apiToken = created.body.token as string;
      assert.equal((await h.call('DELETE', '/api/session', { token: apiToken })).status, 204);
      assert.equal((await h.call('GET', '/api/me', { token: apiToken })).status, 401, 'signing out with an API token revokes it');

      const second = (await h.call('POST', `/api/users/${h.users.alice.id}/tokens`, { token: session, body: { name: 'erp2', password: 'alice-password' } })).body.token as string;
      const changed = await h.call('PATCH', `/api/users/${h.users.alice.id}`, { token: h.tokens.admin, body: { password: 'a-brand-new-password' } });
      assert.equal(changed.status, 200, changed.text);
      for (const token of [session, second]) assert.equal((await h.call('GET', '/api/me', { token })).status, 401);
      const rows = await h.env.ctx.db.selectFrom('token').select('id').where('user_id', '=', h.users.alice.id).execute();
      assert.equal(rows.length, 0, 'no token of the user is left');
      assert.equal((await h.call('GET', '/api/me', { token: h.tokens.admin })).status, 200, 'other users keep theirs');
      const fresh = await h.signIn('alice', 'a-brand-new-password');
      assert.equal((await h.call('GET', '/api/me', { token: fresh })).status, 200);
    });

    it('refuses a session minting a token without the password, honours expiry and the per-user limit', async () => {
      const session = await h.signIn('alice', 'a-brand-new-password');
      const url = `/api/users/${h.users.alice.id}/tokens`;
      for (const password of [undefined, 'wrong-password']) {
        const res = await h.call('POST', url, { token: session, body: { name: 'x', ...(password ? { password } : {}) } });
        assert.equal(res.status, 401);
        assert.equal(res.body.error.details.field, 'password');
      }
      assert.equal((await h.call('GET', url, { token: session })).body.length, 0, 'nothing was created');

      const short = await h.call('POST', url, { token: session, body: { name: 'short', expiresInDays: 1, password: 'a-brand-new-password' } });
      assert.equal(short.status, 201, short.text);
      assert.equal(short.body.expiresAt, clock.now() + 86_400_000);
      // An API token may mint another without a password (it is not a console session).
      for (let i = 1; i < API_TOKENS_PER_USER; i++) {
        assert.equal((await h.call('POST', url, { token: short.body.token, body: { name: `t${i}` } })).status, 201);
      }
      const over = await h.call('POST', url, { token: session, body: { name: 'one-too-many', password: 'a-brand-new-password' } });
      assert.equal(over.status, 400);
      assert.equal((await h.call('GET', url, { token: session })).body.length, API_TOKENS_PER_USER);
      clock.advance(86_400_000 + 1000);
      assert.equal((await h.call('GET', '/api/me', { token: short.body.token })).status, 401, 'the expired token no longer works');
    });

    it('deletes expired session rows', async () => {
      clock.advance(13 * 3600_000);
      await h.signIn('admin', 'admin-password');
      const expired = await h.env.ctx.db.selectFrom('token').select('id').where('expires_at', '<', clock.now()).execute();
      assert.equal(expired.length, 0);
    });
  });
}
