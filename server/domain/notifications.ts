/**
 * What Gatehouse tells people, as data: each kind of notification, who may receive it, and who
 * does unless the office says otherwise (per kind, and per department where a department differs).
 * Pure: the admin app shows the same table the server routes by.
 */
export const NOTIFICATION_EVENTS = [
  'request.filed',
  'request.approved',
  'request.rejected',
  'request.needs_review',
  'visitor.invited',
  'visitor.erasure_requested',
  'visitor.admitted',
  'escort.overdue',
  'gate.fever',
  'gate.block_list',
  'gate.revoked_admit',
  'gate.double_use',
  'device.offline',
  'emergency.requested',
  'reports.awaiting_signoff',
  'leave.filed',
  'leave.overdue',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * Who a notification can be for. People are reached by e-mail; `office` is also the office's own
 * robots (a robot channel without a department); `department` is the host department's robots;
 * `leave_approver` the counsellor or department head who approved a member's leave (谁批准谁负责), or,
 * for a leave still to decide, the approvers of the member's department.
 */
export const AUDIENCES = [
  'office',
  'dept_approver',
  'filer',
  'visitor',
  'escort',
  'department',
  'leave_approver',
] as const;
export type Audience = (typeof AUDIENCES)[number];

export interface EventSpec {
  /** Who may be chosen for it. */
  allowed: readonly Audience[];
  /** Who gets it unless the office changed it. */
  defaults: readonly Audience[];
}

export const EVENT_SPECS: Record<NotificationEvent, EventSpec> = {
  'request.filed': { allowed: ['office', 'dept_approver', 'department'], defaults: ['office', 'dept_approver'] },
  'request.approved': { allowed: ['filer', 'visitor', 'department'], defaults: ['filer', 'visitor'] },
  'request.rejected': { allowed: ['filer', 'department'], defaults: ['filer'] },
  'request.needs_review': { allowed: ['filer', 'department', 'office'], defaults: ['filer'] },
  'visitor.invited': { allowed: ['visitor'], defaults: ['visitor'] },
  'visitor.erasure_requested': { allowed: ['office', 'department'], defaults: ['office'] },
  'visitor.admitted': { allowed: ['escort', 'department', 'filer'], defaults: ['escort', 'department'] },
  'escort.overdue': { allowed: ['escort', 'office', 'department'], defaults: ['escort', 'office'] },
  'gate.fever': { allowed: ['office', 'department'], defaults: ['office'] },
  'gate.block_list': { allowed: ['office', 'department'], defaults: ['office'] },
  'gate.revoked_admit': { allowed: ['office', 'department'], defaults: ['office'] },
  'gate.double_use': { allowed: ['office', 'department'], defaults: ['office'] },
  'device.offline': { allowed: ['office'], defaults: ['office'] },
  'emergency.requested': { allowed: ['office'], defaults: ['office'] },
  'reports.awaiting_signoff': { allowed: ['office'], defaults: ['office'] },
  'leave.filed': { allowed: ['leave_approver', 'department'], defaults: ['leave_approver'] },
  'leave.overdue': { allowed: ['office', 'leave_approver', 'department'], defaults: ['office', 'leave_approver'] },
};

/** The office's choices: per kind, the campus-wide audiences and any department's own. */
export interface RoutingRow {
  event: NotificationEvent;
  /** Null: every department without its own row. */
  departmentId: number | null;
  audiences: Audience[];
}

/** Who receives `event` for a department: its own row, else the campus-wide row, else the defaults. */
export function audiencesFor(rows: readonly RoutingRow[], event: NotificationEvent, departmentId: number | null) {
  const own =
    departmentId === null ? undefined : rows.find((r) => r.event === event && r.departmentId === departmentId);
  const campus = rows.find((r) => r.event === event && r.departmentId === null);
  const chosen = (own ?? campus)?.audiences ?? EVENT_SPECS[event].defaults;
  return chosen.filter((a) => EVENT_SPECS[event].allowed.includes(a));
}
