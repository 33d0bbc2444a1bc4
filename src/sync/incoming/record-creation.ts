// Automatic record creation (§2.6 item 42): an unresolved sender of tracked email becomes a
// contact or a lead owned by the mailbox's owner, never an automated sender (the caller checks).
// A second worker that resolves the same sender later finds this record, so nothing doubles once
// the record is committed.
import type { AppContext } from '../../app-context.ts';
import type { ResolvedRecord } from '../../crm/address-resolution.ts';
import { createContact } from '../../crm/contacts.service.ts';
import { createLead } from '../../crm/leads.service.ts';
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
  const input = { name: nameOf(sender), emails: [sender.address], owner: owner.id };
  const made = options.as === 'lead' ? await createLead(ctx, owner, input) : await createContact(ctx, owner, input);
  return { type: options.as, id: made.id, name: made.name };
}
