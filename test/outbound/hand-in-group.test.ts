// Hand-ins that arrive together: on SQLite they share a transaction (hand-in-group.ts), on
// PostgreSQL each is one statement. Either way each caller gets its own answer: its email stored,
// or its own refusal with nothing stored for it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { findEmail } from '../../src/outbound/email.repository.ts';
import { PARAMETERS_KEY } from '../../src/outbound/email-parameters.ts';
import { joinHandInGroup } from '../../src/outbound/hand-in-group.ts';
import { listHistory, queueEmail } from '../../src/outbound/outbound.service.ts';
import { readSettingText } from '../../src/outbound/settings.repository.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { useOutboundWorld } from '../fixtures/outbound-world.ts';

for (const dialect of DIALECTS) {
  describe(`hand-ins arriving together on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const world = useOutboundWorld(dialect);

    it('stores every email of a burst and refuses only the one that is wrong', async () => {
      const tooMany = Array.from({ length: 501 }, (_, i) => `r${i}@fabrikam.test`);
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) =>
        queueEmail(world.ctx, world.alice, { to: i === 7 ? tooMany : `bob${i}@fabrikam.test`, subject: `Burst ${i}`, body: 'x' })));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 19);
      const refused = results[7]!;
      assert.equal(refused.status, 'rejected');
      assert.equal((refused.reason as { code?: string }).code, 'TOO_MANY_RECIPIENTS');
      const stored = await listHistory(world.ctx, world.alice, { text: 'Burst', limit: 100 });
      assert.equal(stored.items.length, 19);
      assert.equal(new Set(stored.items.map((e) => e.id)).size, 19);
    });
  });
}

describe('the hand-in group on sqlite', () => {
  const world = useOutboundWorld('sqlite');

  it('answers each email of a group on its own when the group transaction fails', async () => {
    // Three hand-ins under way; the second one's row breaks a NOT NULL constraint, which fails
    // the group's transaction: the other two are then stored each on its own.
    const { email } = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Template', body: 'x' });
    const template = (await findEmail(world.ctx.db, email.id))!;
    const basis = { paramsKey: PARAMETERS_KEY, paramsText: await readSettingText(world.ctx.db, PARAMETERS_KEY) };
    const tickets = [joinHandInGroup(world.ctx), joinHandInGroup(world.ctx), joinHandInGroup(world.ctx)];
    const rows = [0, 1, 2].map((i) => ({ ...template, id: randomUUID(), subject: i === 1 ? (null as unknown as string) : `Group ${i}` }));
    const answers = await Promise.allSettled(rows.map((row, i) => tickets[i]!.store(row, Buffer.from('raw'), basis)));
    assert.deepEqual(answers.map((a) => a.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((answers[0] as PromiseFulfilledResult<boolean>).value, true);
    assert.ok(await findEmail(world.ctx.db, rows[0]!.id));
    assert.equal(await findEmail(world.ctx.db, rows[1]!.id), undefined);
    assert.ok(await findEmail(world.ctx.db, rows[2]!.id));
  });

  it('stores nothing for an email whose parameters changed since they were read', async () => {
    const { email } = await queueEmail(world.ctx, world.alice, { to: 'bob@fabrikam.test', subject: 'Template', body: 'x' });
    const template = (await findEmail(world.ctx.db, email.id))!;
    const row = { ...template, id: randomUUID() };
    const stored = await joinHandInGroup(world.ctx).store(row, Buffer.from('raw'), { paramsKey: PARAMETERS_KEY, paramsText: '{"stale":true}' });
    assert.equal(stored, false);
    assert.equal(await findEmail(world.ctx.db, row.id), undefined);
  });
});
