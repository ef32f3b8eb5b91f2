import type { EntrantType } from './policy';

/**
 * The people who live and work on the campus (seed 002): students and staff, and long-term workers
 * (catering, property, construction, security, fixed couriers 固定快递人员). Each carries a
 * credential of their own, signed like a visitor's pass with a kind of its own.
 */
export const MEMBER_TYPES = ['student', 'staff', 'worker'] as const;
export type MemberType = (typeof MEMBER_TYPES)[number];
export const WORKER_KINDS = ['catering', 'property', 'construction', 'security', 'courier'] as const;

/** Long-term workers face the contractors' policy; students and staff their own. */
export const entrantOfMember = (type: MemberType): EntrantType => (type === 'worker' ? 'contractor' : type);

/** 请销假: filed → approved or rejected; approved → out at the exit scan → returned at the return scan (销假). */
export const LEAVE_STATUSES = ['pending', 'approved', 'rejected', 'cancelled', 'out', 'returned'] as const;

/** What the daily health check-in may ask; the campus's rules choose which (policy data). */
export const CHECK_IN_FIELDS = ['temperature', 'location', 'symptoms'] as const;
export const SYMPTOMS = ['fever', 'cough', 'sore_throat', 'fatigue', 'loss_of_taste', 'diarrhoea'] as const;
