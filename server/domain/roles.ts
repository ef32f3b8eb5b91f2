/**
 * The kinds of account (DOMAIN.md "Who uses it"): and the approver, a counsellor or department head
 * who approves the leave of their department's members (谁批准谁负责). Pure, so both front ends can list them.
 */
export const ROLES = ['guard', 'filer', 'office', 'admin', 'approver'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What an integration token may do, named when an admin creates it: file for its department
 * (and read back what it filed), read the office's daily reports, receive the live events
 * (the wall's stream and the alerts). A token reaches only routes that name one of its scopes.
 */
export const TOKEN_SCOPES = ['requests:file', 'reports:read', 'events:read'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
