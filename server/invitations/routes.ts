import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../lib/audit';
import { ApiError, ErrorBodySchema, notFound } from '../lib/errors';
import { createRouter, errorContent, guardResponses, jsonContent } from '../lib/router';
import { principalOf, requireRole } from '../middleware/auth';
import { campusDate } from '../domain/dates';
import { currentRules } from '../rules/store';
import { InvitationViewSchema, RequestViewSchema } from '../requests/schemas';
import { loadVisibleRequest } from '../requests/scope';
import { newLinkToken, requestById, requestView } from '../requests/store';
import { sendInvitations } from './send';
import { declarationOpen, invitationById, invitationsOf, reissueInvitation } from './store';
import { IdParamSchema } from '../lib/schemas';
import type { Tx } from '../db/open';
import type { Principal } from '../lib/context';

const errors = {
  400: jsonContent(ErrorBodySchema, 'Invalid'),
  ...guardResponses,
  404: jsonContent(ErrorBodySchema, 'No such invitation (or not your department’s)'),
  409: errorContent(
    'Its visitors can no longer fill it in (reviewed, over, withdrawn, or all filled in)',
    'invitation_closed',
  ),
};

/** An invitation the caller may act on, on a request whose visitors may still fill in their part. */
function openInvitation(tx: Tx, p: Principal, id: number, now: Date, { unlessComplete = false } = {}) {
  const inv = invitationById(tx, id);
  if (!inv) throw notFound(`Invitation ${id}`);
  const r = loadVisibleRequest(tx, p, inv.requestId);
  const today = campusDate(now, currentRules(tx).rules.timezone);
  if (inv.withdrawnAt || !declarationOpen(r, today))
    throw new ApiError(409, 'invitation_closed', 'The visitors of this request can no longer fill in their part');
  const completed =
    invitationsOf(tx, [r.id])
      .get(r.id)
      ?.find((i) => i.id === id)?.completed ?? 0;
  if (unlessComplete && completed >= inv.headCount)
    throw new ApiError(409, 'invitation_closed', 'Everyone this invitation was for has filled it in');
  return { inv, r };
}

const InvitationReply = z
  .object({
    invitation: InvitationViewSchema,
    request: RequestViewSchema,
  })
  .openapi('InvitationReply');

/** The request as it is now, and the invitation's own row of it. */
function reply(tx: Tx, requestId: number, invitationId: number, now: Date) {
  const view = requestView(tx, requestById(tx, requestId)!, now, { detail: true });
  const invitation = 'invitations' in view ? view.invitations.find((i) => i.id === invitationId) : undefined;
  if (!invitation) throw new Error(`invitation ${invitationId} vanished inside its own transaction`);
  return { invitation, request: view };
}

export const invitationRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/remind',
      tags: ['filing'],
      summary: 'Send an invitation again (by e-mail where it has an address; the link can always be copied)',
      middleware: [requireRole('filer', { scope: 'requests:file' })] as const,
      request: { params: IdParamSchema },
      responses: { 200: jsonContent(InvitationReply, 'Sent again'), ...errors },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const now = clock.now();
      const body = events.transact(db, (tx, happened) => {
        const { inv } = openInvitation(tx, p, c.req.valid('param').id, now, { unlessComplete: true });
        sendInvitations(tx, happened, [inv], now);
        return reply(tx, inv.requestId, inv.id, now);
      });
      return c.json(body, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/reissue',
      tags: ['filing'],
      summary: 'A new link for an invitation (a forwarded or leaked one): the old link stops working at once',
      middleware: [requireRole('filer', { scope: 'requests:file' })] as const,
      request: { params: IdParamSchema },
      responses: { 200: jsonContent(InvitationReply, 'Re-issued and sent'), ...errors },
    }),
    (c) => {
      const { db, events, clock } = c.get('deps');
      const p = principalOf(c);
      const now = clock.now();
      const body = events.transact(db, (tx, happened) => {
        const { inv } = openInvitation(tx, p, c.req.valid('param').id, now);
        const token = newLinkToken();
        reissueInvitation(tx, inv, token);
        recordAudit(tx, now, p, c.get('requestId'), {
          action: 'invitation.reissue',
          entity: 'invitation',
          entityId: inv.id,
          after: { requestId: inv.requestId },
        });
        sendInvitations(tx, happened, [{ ...inv, token }], now);
        return reply(tx, inv.requestId, inv.id, now);
      });
      return c.json(body, 200);
    },
  );
