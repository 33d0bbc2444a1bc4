// Automatic record creation (§2.6 item 42): an unresolved sender of tracked email becomes a
// contact or a lead owned by the mailbox's owner, never an automated sender (the caller checks).
// One record per sender address: the address is claimed in auto_created_sender in the same
// transaction that creates the record, so two workers meeting the same new sender at the same
// moment end with one record (the second waits for the first's commit, then reuses its record).
// A claimed record deleted since is made again; one made inactive is reused, not doubled.
import type { AppContext } from '../../app-context.ts';
import type { ResolvedRecord } from '../../crm/address-resolution.ts';
import { createContact, getContact } from '../../crm/contacts.service.ts';
import { createLead, getLead } from '../../crm/leads.service.ts';
import { isMailroomError, MailroomError } from '../../errors.ts';
import type { AutoCreateAs } from '../../store/tables.ts';
import { getUser } from '../../users/users.service.ts';
import type { ParsedParty } from './message-parser.ts';

export interface AutoCreate {
  readonly as: AutoCreateAs;
  /** The user who owns the new record (the mailbox's user, or the queue's owner). */
  readonly ownerId: string;
}

/** A name for a sender who gave none: the address's local part. */
const nameOf = (party: ParsedParty) => (party.name || party.address.split('@')[0] || party.address).slice(0, 200);

export async function createSenderRecord(ctx: AppContext, options: AutoCreate, sender: ParsedParty): Promise<ResolvedRecord> {
  const owner = await getUser(ctx, options.ownerId);
  const address = sender.address.trim().toLowerCase();
  // Twice at most: a claim whose record was deleted since is given up and the address claimed again.
  for (let attempt = 0; attempt < 2; attempt++) {
    const made = await ctx.db.transaction().execute(async (trx) => {
      const claimed = await trx.insertInto('auto_created_sender').values({ address, record_type: options.as, record_id: '', created_at: ctx.clock.now() })
        .onConflict((oc) => oc.column('address').doNothing()).returning('address').executeTakeFirst();
      if (!claimed) return null;
      const inTrx: AppContext = { ...ctx, db: trx };
      const input = { name: nameOf(sender), emails: [sender.address], owner: owner.id };
      const record = options.as === 'lead' ? await createLead(inTrx, owner, input) : await createContact(inTrx, owner, input);
      await trx.updateTable('auto_created_sender').set({ record_id: record.id }).where('address', '=', address).execute();
      return { type: options.as, id: record.id, name: record.name };
    });
    if (made) return made;
    const existing = await claimedRecord(ctx, address);
    if (existing) return existing;
  }
  throw new MailroomError('INTERNAL', { message: `The record made for the sender ${address} could not be read.` });
}

/** The record another worker made for this address; null (and the claim removed) when it has been deleted since. */
async function claimedRecord(ctx: AppContext, address: string): Promise<ResolvedRecord | null> {
  const claim = await ctx.db.selectFrom('auto_created_sender').selectAll().where('address', '=', address).executeTakeFirst();
  if (!claim) return null;
  try {
    const record = claim.record_type === 'lead' ? await getLead(ctx, claim.record_id) : await getContact(ctx, claim.record_id);
    return { type: claim.record_type, id: record.id, name: record.name };
  } catch (err) {
    if (!isMailroomError(err) || err.code !== 'NOT_FOUND') throw err;
    await ctx.db.deleteFrom('auto_created_sender').where('address', '=', address).where('record_id', '=', claim.record_id).execute();
    return null;
  }
}
