/** The four kinds of account (DOMAIN.md "Who uses it"). Pure, so both front ends can list them. */
export const ROLES = ['guard', 'filer', 'office', 'admin'] as const;
export type Role = (typeof ROLES)[number];
