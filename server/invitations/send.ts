import { markSent, type InvitationRow } from './store';
import type { Tx } from '../db/open';
import type { Happened } from '../events';

/**
 * Sends invitations: each sending is counted on its row and said as an event, so the notifications
 * recorder writes the message (by e-mail where the invitation has an address) in this transaction.
 */
export function sendInvitations(tx: Tx, happened: Happened, invs: InvitationRow[], now: Date) {
  for (const inv of invs) {
    const sent = markSent(tx, inv.id, now);
    happened({ type: 'invitation.sent', invitationId: inv.id, requestId: inv.requestId, sends: sent.sends, at: now });
  }
}
