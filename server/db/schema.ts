import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
} from 'drizzle-orm/sqlite-core';
import { ROLES, type TokenScope } from '../domain/roles';
import { REQUEST_KINDS } from '../domain/policy';
import { LEAVE_STATUSES, MEMBER_TYPES, WORKER_KINDS } from '../domain/member';
import { GATE_EVENT_TYPES, RECORDED_VERDICTS } from '../domain/admission';
import { NOTIFICATION_EVENTS, type Audience } from '../domain/notifications';

/** Every timestamp is stored as UTC milliseconds; display converts to the campus time zone. */
const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () =>
  ms('created_at')
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export { ROLES, type Role } from '../domain/roles';

export const campuses = sqliteTable('campuses', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  nameEn: text('name_en').notNull().default(''),
  timezone: text('timezone').notNull().default('Asia/Shanghai'),
  createdAt: createdAt(),
});

export const gates = sqliteTable(
  'gates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campusId: integer('campus_id')
      .notNull()
      .references(() => campuses.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en').notNull().default(''),
    /** Where the gate is, for the visitor's pass page (how to find it); optional. */
    address: text('address').notNull().default(''),
    addressEn: text('address_en').notNull().default(''),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('gates_code_unique').on(t.code)],
);

export const departments = sqliteTable(
  'departments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en').notNull().default(''),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** A department approver signs before the office (issue: filing). */
    requiresDeptApproval: integer('requires_dept_approval', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('departments_code_unique').on(t.code)],
);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    departmentId: integer('department_id').references(() => departments.id),
    passwordHash: text('password_hash').notNull(),
    /** A filer who signs their department's requests before the office (first-level approval). */
    deptApprover: integer('dept_approver', { mode: 'boolean' }).notNull().default(false),
    /** A guard's short shift PIN (scrypt), entered on the gate tablet. */
    pinHash: text('pin_hash'),
    /** Where notifications for this person go (server/notifications), in their language. */
    email: text('email'),
    locale: text('locale', { enum: ['zh', 'en'] })
      .notNull()
      .default('zh'),
    disabledAt: ms('disabled_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_username_unique').on(t.username)],
);

/** Guards are bound to one or more gates. */
export const userGates = sqliteTable(
  'user_gates',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    gateId: integer('gate_id')
      .notNull()
      .references(() => gates.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.gateId] })],
);

/** Server-side sessions: the cookie carries a random token, the table its SHA-256. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastSeenAt: ms('last_seen_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Bearer credentials for integrations (department-scoped) and kiosk devices (gate-bound). */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    departmentId: integer('department_id').references(() => departments.id),
    gateId: integer('gate_id').references(() => gates.id),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    /** An integration token's scopes (domain/roles.ts TOKEN_SCOPES); null for a gate tablet's token. */
    scopes: text('scopes', { mode: 'json' }).$type<TokenScope[]>(),
    /** Integration tokens expire; null only for tablets' tokens and tokens made before expiry existed. */
    expiresAt: ms('expires_at'),
    createdAt: createdAt(),
    lastUsedAt: ms('last_used_at'),
    revokedAt: ms('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_unique').on(t.tokenHash)],
);

/** Append-only (triggers in the migrations forbid UPDATE and DELETE). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: ms('at').notNull(),
    actorUserId: integer('actor_user_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
    reason: text('reason'),
    requestId: text('request_id'),
  },
  (t) => [index('audit_at_idx').on(t.at), index('audit_entity_idx').on(t.entity, t.entityId)],
);

/** Versions of the office's rule settings; every change (rules, risk areas, block list) adds one. */
export const ruleSets = sqliteTable('rule_sets', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  createdAt: ms('created_at').notNull(),
  actorLabel: text('actor_label').notNull(),
  reason: text('reason').notNull(),
  settings: text('settings', { mode: 'json' }).notNull(),
});

export const riskAreas = sqliteTable('risk_areas', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  regionCode: text('region_code').notNull(),
  level: text('level', { enum: ['low', 'medium', 'high'] }).notNull(),
  effectiveFrom: text('effective_from').notNull(),
  effectiveTo: text('effective_to'),
  note: text('note').notNull().default(''),
  createdAt: createdAt(),
  removedAt: ms('removed_at'),
});

export const blockList = sqliteTable('block_list', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** HMAC of the normalised ID number; never the number itself. */
  idHash: text('id_hash'),
  idLast4: text('id_last4'),
  name: text('name'),
  nameNorm: text('name_norm'),
  phoneNorm: text('phone_norm'),
  reason: text('reason').notNull(),
  expiresAt: ms('expires_at'),
  createdAt: createdAt(),
  createdByUserId: integer('created_by_user_id').references(() => users.id),
  removedAt: ms('removed_at'),
});

export const commitmentTexts = sqliteTable('commitment_texts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  textZh: text('text_zh').notNull(),
  textEn: text('text_en').notNull(),
  createdAt: createdAt(),
  createdByUserId: integer('created_by_user_id').references(() => users.id),
});

export const REQUEST_STATUSES = [
  'pending_dept',
  'pending',
  'approved',
  'rejected',
  'cancelled',
  'needs_review',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const visitRequests = sqliteTable(
  'visit_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id),
    filedByLabel: text('filed_by_label').notNull(),
    filedByUserId: integer('filed_by_user_id').references(() => users.id),
    status: text('status', { enum: REQUEST_STATUSES }).notNull(),
    queue: text('queue', { enum: ['normal', 'group'] })
      .notNull()
      .default('normal'),
    visitDateFrom: text('visit_date_from').notNull(),
    visitDateTo: text('visit_date_to').notNull(),
    timeFrom: text('time_from').notNull(),
    timeTo: text('time_to').notNull(),
    gateIds: text('gate_ids', { mode: 'json' }).$type<number[]>().notNull(),
    purpose: text('purpose').notNull(),
    destination: text('destination').notNull(),
    escortName: text('escort_name').notNull(),
    escortPhone: text('escort_phone').notNull(),
    /** Told when the visitor is admitted and when the escort is overdue; optional. */
    escortEmail: text('escort_email'),
    vehiclePlate: text('vehicle_plate'),
    preventionPlan: text('prevention_plan'),
    ruleVersion: integer('rule_version').notNull(),
    /** Why the request needs review again (re-check after a rule change). */
    reviewReasons: text('review_reasons', { mode: 'json' }).$type<string[]>(),
    emergency: integer('emergency', { mode: 'boolean' }).notNull().default(false),
    /** Contractors and long-term workers (a multi-day pass, many entries) face their own policy. */
    kind: text('kind', { enum: REQUEST_KINDS }).notNull().default('visitor'),
    /** The office allowed a printed pass for this request (visitors without a phone); off unless asked. */
    printAllowed: integer('print_allowed', { mode: 'boolean' }).notNull().default(false),
    emergencyReason: text('emergency_reason'),
    /**
     * How many people the request is for: the visitors the department entered plus the head count
     * of each invitation (whose visitors fill in their own part). The group cap counts these.
     */
    expectedVisitors: integer('expected_visitors').notNull().default(0),
    backfillDueAt: ms('backfill_due_at'),
    backfilledAt: ms('backfilled_at'),
    decidedAt: ms('decided_at'),
    decidedByUserId: integer('decided_by_user_id').references(() => users.id),
    decisionReasonCode: text('decision_reason_code'),
    decisionNote: text('decision_note'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    index('requests_dept_idx').on(t.departmentId, t.status),
    index('requests_status_idx').on(t.status, t.visitDateFrom),
    index('requests_emergency_idx').on(t.emergency, t.createdAt),
  ],
);

export const visitors = sqliteTable(
  'visitors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    requestId: integer('request_id')
      .notNull()
      .references(() => visitRequests.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    nameNorm: text('name_norm').notNull(),
    idType: text('id_type').notNull(),
    idHash: text('id_hash').notNull(),
    idLast4: text('id_last4').notNull(),
    phone: text('phone').notNull(),
    /** Where the pass link is sent on approval; optional (personal data: purged with the rest). */
    email: text('email'),
    fromRegion: text('from_region').notNull(),
    visitedRegions: text('visited_regions', { mode: 'json' }).$type<string[]>().notNull(),
    closeContact: integer('close_contact', { mode: 'boolean' }).notNull(),
    commitmentVersion: integer('commitment_version'),
    commitmentAcceptedAt: ms('commitment_accepted_at'),
    testTakenAt: ms('test_taken_at'),
    testResult: text('test_result', { enum: ['negative', 'positive'] }),
    outOfCity: integer('out_of_city', { mode: 'boolean' }).notNull(),
    /** The filing checks' outcome per visitor, for the office's queue. */
    checks: text('checks', { mode: 'json' }).$type<string[]>().notNull(),
    purgedAt: ms('purged_at'),
    /**
     * The visitor's unguessable pass-page link. It belongs to the visitor, not to one pass: a pass
     * re-issued after an edit or a re-approval keeps the link the visitor already has.
     */
    linkToken: text('link_token').notNull(),
    /**
     * Set when an edit takes the visitor off the request: the row stays (gate events, tracing and
     * reports point at it) and the visitor's pass is revoked, which the tablets learn.
     */
    removedAt: ms('removed_at'),
    /**
     * The office let this visitor in although these filing checks failed (谁批准谁负责: who, when,
     * why). Re-checks do not raise them again; the gate shows the override; the block list is never one.
     */
    overrideCodes: text('override_codes', { mode: 'json' }).$type<string[]>(),
    overrideReason: text('override_reason'),
    overrideByUserId: integer('override_by_user_id').references(() => users.id),
    overrideAt: ms('override_at'),
    /**
     * Who gave this data: the department (the paper path: the commitment is then signed on paper at
     * the gate, recorded by the guard), or the visitor on their own phone through an invitation.
     */
    declaredBy: text('declared_by', { enum: ['filer', 'visitor'] })
      .notNull()
      .default('filer'),
    invitationId: integer('invitation_id').references((): AnySQLiteColumn => invitations.id),
    /** The commitment as the visitor signed it online: the name they typed (and the version and time above). */
    commitmentSignedName: text('commitment_signed_name'),
    /** The visitor's own consents (PIPL arts. 28–29), given separately, and the rule version whose notice they read. */
    consentIdAt: ms('consent_id_at'),
    consentHealthAt: ms('consent_health_at'),
    consentRuleVersion: integer('consent_rule_version'),
    /** The language of the visitor's phone, for what is sent to them. */
    locale: text('locale', { enum: ['zh', 'en'] }),
    declaredAt: ms('declared_at'),
    erasureRequestedAt: ms('erasure_requested_at'),
  },
  (t) => [
    index('visitors_request_idx').on(t.requestId),
    index('visitors_id_hash_idx').on(t.idHash),
    uniqueIndex('visitors_link_unique').on(t.linkToken),
  ],
);

/**
 * An invitation for visitors to fill in their own part on their phone: one person, or a group with
 * one link and a head count. The token is the credential (unguessable, re-issuable: the old one
 * dies); it expires with the visit. A single invitation's visitor keeps the same link as their pass.
 */
export const invitations = sqliteTable(
  'invitations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    requestId: integer('request_id')
      .notNull()
      .references(() => visitRequests.id, { onDelete: 'cascade' }),
    token: text('token').notNull(),
    /** The invited visitor's name (a group's: its leader or name), as the department wrote it. */
    name: text('name').notNull(),
    phone: text('phone'),
    email: text('email'),
    /** The language the invitation is sent in, until the visitor's phone says otherwise. */
    locale: text('locale', { enum: ['zh', 'en'] })
      .notNull()
      .default('zh'),
    headCount: integer('head_count').notNull().default(1),
    createdAt: ms('created_at').notNull(),
    /** Sent (or reminded) this many times, the last at sentAt. */
    sends: integer('sends').notNull().default(0),
    sentAt: ms('sent_at'),
    openedAt: ms('opened_at'),
    /** An edit took it off the request: its link says so; visitors who completed it are removed. */
    withdrawnAt: ms('withdrawn_at'),
    purgedAt: ms('purged_at'),
  },
  (t) => [uniqueIndex('invitations_token_unique').on(t.token), index('invitations_request_idx').on(t.requestId)],
);

export const requestHistory = sqliteTable(
  'request_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    requestId: integer('request_id')
      .notNull()
      .references(() => visitRequests.id, { onDelete: 'cascade' }),
    at: ms('at').notNull(),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    note: text('note'),
  },
  (t) => [index('history_request_idx').on(t.requestId)],
);

/**
 * Ed25519 pass-signing keys; kiosks receive the public halves. The private half is stored only
 * wrapped (AES-256-GCM) by a key derived from the key file outside the database: a copy of the
 * database alone cannot sign a pass.
 */
export const signingKeys = sqliteTable('signing_keys', {
  kid: integer('kid').primaryKey(),
  publicKey: text('public_key').notNull(),
  privateKey: text('private_key').notNull(),
  createdAt: ms('created_at').notNull(),
  /** Rotated out: signs no new pass; verifies the passes it signed until `acceptUntil`. */
  rotatedAt: ms('rotated_at'),
  /** The end of the last pass it signed (plus the clock tolerance): tablets refuse it after that. */
  acceptUntil: ms('accept_until'),
  retiredAt: ms('retired_at'),
});

export const passes = sqliteTable(
  'passes',
  {
    id: text('id').primaryKey(), // 16 hex characters, the id inside the signed token
    visitorId: integer('visitor_id')
      .notNull()
      .references(() => visitors.id, { onDelete: 'cascade' }),
    requestId: integer('request_id')
      .notNull()
      .references(() => visitRequests.id, { onDelete: 'cascade' }),
    kid: integer('kid').notNull(),
    token: text('token').notNull(),
    /** The live-code secret (base64url): the visitor's phone and the kiosks derive codes from it. */
    codeSecret: text('code_secret').notNull(),
    validFrom: ms('valid_from').notNull(),
    validTo: ms('valid_to').notNull(),
    gateIds: text('gate_ids', { mode: 'json' }).$type<number[]>().notNull(),
    entriesAllowed: integer('entries_allowed').notNull(),
    entriesUsed: integer('entries_used').notNull().default(0),
    printable: integer('printable', { mode: 'boolean' }).notNull(),
    createdAt: ms('created_at').notNull(),
    revokedAt: ms('revoked_at'),
    revokeReason: text('revoke_reason'),
    /**
     * Set by triggers on every insert and update from `change_counter` (migration 0008): the
     * tablets' incremental snapshot cursor. SQLite has one writer, so the order is commit order,
     * and the counter never goes back, whatever is deleted.
     */
    changeSeq: integer('change_seq').notNull().default(0),
  },
  (t) => [
    index('passes_request_idx').on(t.requestId),
    index('passes_visitor_idx').on(t.visitorId),
    index('passes_valid_idx').on(t.validTo),
    index('passes_change_seq_idx').on(t.changeSeq),
  ],
);

/**
 * The one counter behind every change a tablet keeps a cursor on (one row, id 1). Triggers take
 * the next number from it; it is never derived from the rows that remain, so a deleted row cannot
 * hand its number to a later one (issue: an edit once made passes reuse numbers tablets had passed).
 */
export const changeCounter = sqliteTable('change_counter', {
  id: integer('id').primaryKey(),
  value: integer('value').notNull(),
});

/** Rows a tablet holds that were deleted: numbered from the same counter, so a cursor passes them too. */
export const snapshotTombstones = sqliteTable('snapshot_tombstones', {
  seq: integer('seq').primaryKey(),
  kind: text('kind', { enum: ['pass', 'member'] }).notNull(),
  key: text('key').notNull(),
  at: ms('at').notNull(),
});

/** Replies to requests sent with an Idempotency-Key, so a retry gets the first answer. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: text('body', { mode: 'json' }).notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Gate tablets, each bound to one gate; it authenticates with a bearer token (api_tokens). */
export const devices = sqliteTable(
  'devices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    gateId: integer('gate_id')
      .notNull()
      .references(() => gates.id),
    name: text('name').notNull(),
    apiTokenId: integer('api_token_id')
      .notNull()
      .references(() => apiTokens.id),
    appVersion: text('app_version').notNull().default(''),
    enrolledAt: ms('enrolled_at').notNull(),
    enrolledByUserId: integer('enrolled_by_user_id').references(() => users.id),
    lastSeenAt: ms('last_seen_at'),
    /** When the tablet last pulled its snapshot (the live wall shows its age). */
    lastSnapshotAt: ms('last_snapshot_at'),
    /** Events waiting in the tablet's outbox, as it reported on its last contact. */
    outboxPending: integer('outbox_pending').notNull().default(0),
    /** Whether the browser granted the tablet persistent storage (its outbox cannot be evicted); null: not reported. */
    storage: text('storage', { enum: ['persisted', 'evictable'] }),
    /** The cursor last sent to the tablet and the digest of the copy it should then hold. */
    snapshotCursor: text('snapshot_cursor'),
    snapshotDigest: text('snapshot_digest'),
    /** The office asked for a full snapshot on the tablet's next sync. */
    resyncRequestedAt: ms('resync_requested_at'),
    /** The tablet's clock minus the server's, as measured at its last sync that reported it. */
    clockSkewMs: integer('clock_skew_ms'),
    revokedAt: ms('revoked_at'),
  },
  // Every tablet request resolves its bearer token and the device behind it in one lookup.
  (t) => [uniqueIndex('devices_api_token_unique').on(t.apiTokenId)],
);

/** One-time 6-digit codes that enroll a tablet for a gate; valid 10 minutes. */
export const deviceEnrollments = sqliteTable('device_enrollments', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  gateId: integer('gate_id')
    .notNull()
    .references(() => gates.id),
  codeHash: text('code_hash').notNull(),
  /** The office names the tablet when it makes the code ("北门 左侧"); else the tablet's own name. */
  name: text('name'),
  expiresAt: ms('expires_at').notNull(),
  usedAt: ms('used_at'),
  createdByUserId: integer('created_by_user_id').references(() => users.id),
  createdAt: ms('created_at').notNull(),
});

/**
 * What happened at a gate, as the tablet recorded it: decisions, exits, escort arrivals. The id is
 * the tablet's own (a UUID), so a re-sent event is recognised and never stored twice.
 */
export const gateEvents = sqliteTable(
  'gate_events',
  {
    id: text('id').primaryKey(),
    deviceId: integer('device_id')
      .notNull()
      .references(() => devices.id),
    gateId: integer('gate_id')
      .notNull()
      .references(() => gates.id),
    seq: integer('seq').notNull(),
    type: text('type', { enum: GATE_EVENT_TYPES }).notNull(),
    at: ms('at').notNull(),
    /** When the guard began with this entrant (scan or first tap): the wall's seconds per entrant. */
    startedAt: ms('started_at'),
    receivedAt: ms('received_at').notNull(),
    guardUserId: integer('guard_user_id'),
    passId: text('pass_id'),
    verdict: text('verdict', { enum: RECORDED_VERDICTS }),
    reasons: text('reasons', { mode: 'json' }).$type<string[]>().notNull(),
    checks: text('checks', { mode: 'json' }).notNull(),
    /** The decision's inputs as outcomes (colour, readings, confirmations), never raw codes. */
    input: text('input', { mode: 'json' }),
    ruleVersion: integer('rule_version'),
    /** The server's own verdict: the engine run on the tablet's inputs with the server's check of the pass. */
    serverVerdict: text('server_verdict'),
    serverReasons: text('server_reasons', { mode: 'json' }).$type<string[]>(),
    disagreement: integer('disagreement', { mode: 'boolean' }).notNull().default(false),
    /**
     * Set when the server's records refute the pass the tablet named (unknown_pass, wrong_gate,
     * outside_window): the event is kept, but uses no entry and puts nobody on the on-campus list.
     */
    passMismatch: text('pass_mismatch'),
    /** The event's time is implausible: ahead of its receipt, or before the tablet was enrolled. */
    clockSuspect: integer('clock_suspect', { mode: 'boolean' }).notNull().default(false),
    /** The tablet build (and so the engine) that decided it: a version skew is not tampering. */
    appVersion: text('app_version'),
    /** The server's engine found the fever protocol's re-test in this decision (domain/admission.ts feverRetested). */
    feverRetest: integer('fever_retest', { mode: 'boolean' }).notNull().default(false),
    /**
     * The campus member of a member's entry or exit, or the staff member whose credential bound an
     * escort's arrival to the visit (who met whom, when).
     */
    memberId: integer('member_id').references((): AnySQLiteColumn => members.id),
    /** An escort's arrival: whether the credential was the named escort's or a host-department staff member's. */
    escortCheck: text('escort_check', { enum: ['named_escort', 'host_staff', 'not_escort'] }),
  },
  (t) => [
    index('gate_events_gate_at_idx').on(t.gateId, t.at),
    index('gate_events_at_idx').on(t.at),
    index('gate_events_received_idx').on(t.receivedAt),
    index('gate_events_device_seq_idx').on(t.deviceId, t.seq),
    index('gate_events_pass_idx').on(t.passId),
    index('gate_events_member_idx').on(t.memberId, t.at),
  ],
);

/**
 * A tablet whose copy did not match what the server sent it (its digest differed), or that the
 * office made resync: each answered with a full snapshot, and a divergence raises an alert.
 */
export const snapshotResyncs = sqliteTable(
  'snapshot_resyncs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deviceId: integer('device_id')
      .notNull()
      .references(() => devices.id),
    at: ms('at').notNull(),
    cause: text('cause', { enum: ['divergence', 'office'] }).notNull(),
    expectedDigest: text('expected_digest'),
    reportedDigest: text('reported_digest'),
    requestedByUserId: integer('requested_by_user_id').references(() => users.id),
  },
  (t) => [index('snapshot_resyncs_at_idx').on(t.at)],
);

/** Events a tablet sent that failed validation: kept with the reason for the office, never blocking the rest. */
export const gateEventRejections = sqliteTable('gate_event_rejections', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  deviceId: integer('device_id')
    .notNull()
    .references(() => devices.id),
  eventId: text('event_id'),
  receivedAt: ms('received_at').notNull(),
  reason: text('reason').notNull(),
  /** The event as sent, cut to 2 KB (events carry outcomes, not personal data). */
  raw: text('raw').notNull(),
});

/** Who acknowledged an alert on the live wall, and when. Alerts are derived; the key names one. */
export const alertAcks = sqliteTable('alert_acks', {
  alertKey: text('alert_key').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id),
  at: ms('at').notNull(),
  note: text('note'),
});

/**
 * One row per campus day and scope (a gate, or the whole campus), made by the daily job even
 * when every figure is zero. Figures are recomputed from the events until an office user signs
 * the report off; then they are frozen, and events that sync later are counted beside them.
 */
export const dailyReports = sqliteTable(
  'daily_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    day: text('day').notNull(),
    /** 'campus' or the gate id: SQLite's unique index treats NULLs as distinct, so no NULL here. */
    scope: text('scope').notNull(),
    gateId: integer('gate_id').references(() => gates.id),
    figures: text('figures', { mode: 'json' }).notNull(),
    computedAt: ms('computed_at').notNull(),
    signedOffByUserId: integer('signed_off_by_user_id').references(() => users.id),
    signedOffAt: ms('signed_off_at'),
  },
  (t) => [uniqueIndex('daily_reports_day_scope').on(t.day, t.scope)],
);

/** Sign-offs and reopenings of a daily report; a reopening carries its reason. */
export const dailyReportHistory = sqliteTable('daily_report_history', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  reportId: integer('report_id')
    .notNull()
    .references(() => dailyReports.id),
  action: text('action', { enum: ['signed_off', 'reopened'] }).notNull(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id),
  at: ms('at').notNull(),
  reason: text('reason'),
});

/** A visitor admitted and never seen leaving, closed by the end-of-day job: never silently. */
export const presenceClosures = sqliteTable(
  'presence_closures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The admit event this closes. */
    eventId: text('event_id')
      .notNull()
      .references(() => gateEvents.id),
    passId: text('pass_id').notNull(),
    day: text('day').notNull(),
    closedAt: ms('closed_at').notNull(),
    kind: text('kind', { enum: ['expired_not_signed_out'] }).notNull(),
  },
  (t) => [uniqueIndex('presence_closures_event').on(t.eventId)],
);

/** Minutes in which a tablet contacted the server: the report's tablet-offline minutes. */
export const deviceContacts = sqliteTable(
  'device_contacts',
  {
    deviceId: integer('device_id')
      .notNull()
      .references(() => devices.id),
    /** Unix minute. */
    minute: integer('minute').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.minute] })],
);

export const CHANNEL_KINDS = ['smtp', 'wecom', 'dingtalk', 'feishu', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * Where notifications go: the campus mail server, a group robot (WeCom, DingTalk, Feishu) or a
 * school system's webhook. Settings hold what is not secret; the secrets (password, robot key,
 * signing secret) are wrapped with a key derived from the key file (lib/secrets.ts), so a copy of
 * the database alone does not reveal them, and the API never shows them again.
 */
export const notificationChannels = sqliteTable('notification_channels', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind', { enum: CHANNEL_KINDS }).notNull(),
  name: text('name').notNull(),
  /** A robot or webhook of this department (its requests and visitors); null: the office's. */
  departmentId: integer('department_id').references(() => departments.id),
  settings: text('settings', { mode: 'json' }).notNull(),
  secret: text('secret').notNull(),
  /** A webhook's secret before its rotation, still signing beside the new one until `previousUntil`. */
  previousSecret: text('previous_secret'),
  previousUntil: ms('previous_until'),
  /** Webhooks: the kinds of notification the endpoint asked for. */
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  locale: text('locale', { enum: ['zh', 'en'] })
    .notNull()
    .default('zh'),
  ratePerMinute: integer('rate_per_minute').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

/** The office's routing choices (domain/notifications.ts): department 0 is the campus-wide row. */
export const notificationRouting = sqliteTable(
  'notification_routing',
  {
    event: text('event', { enum: NOTIFICATION_EVENTS }).notNull(),
    departmentId: integer('department_id').notNull(),
    audiences: text('audiences', { mode: 'json' }).$type<Audience[]>().notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.event, t.departmentId] })],
);

export const DELIVERY_STATUSES = ['pending', 'sent', 'dead'] as const;

/**
 * The outbox: one row per message and recipient, written in the transaction of the change that
 * caused it, delivered after the commit (server/notifications/deliver.ts). The unique key makes a
 * re-synced batch or a re-run scan write nothing new; `messageId` is stable across retries, so a
 * receiver de-duplicates (the Standard Webhooks `webhook-id`, the e-mail Message-ID).
 */
export const notificationOutbox = sqliteTable(
  'notification_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: text('message_id').notNull(),
    /** What caused it, e.g. `gate:<event id>` or `request:<id>:<history id>`. */
    cause: text('cause').notNull(),
    event: text('event', { enum: NOTIFICATION_EVENTS }).notNull(),
    channelId: integer('channel_id')
      .notNull()
      .references(() => notificationChannels.id),
    /** The e-mail address; '' for a robot or webhook. */
    address: text('address').notNull(),
    locale: text('locale', { enum: ['zh', 'en'] }).notNull(),
    audience: text('audience').notNull(),
    /** What the message says, masked: rendered per channel and language when sent. */
    payload: text('payload', { mode: 'json' }).notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    lastError: text('last_error'),
    /** The channel's own answer to the last attempt (status and body, cut short). */
    lastAnswer: text('last_answer'),
    createdAt: ms('created_at').notNull(),
    sentAt: ms('sent_at'),
  },
  (t) => [
    uniqueIndex('notification_outbox_once').on(t.cause, t.event, t.channelId, t.address),
    index('notification_outbox_due').on(t.status, t.nextAttemptAt),
    index('notification_outbox_created').on(t.createdAt),
  ],
);

/**
 * The campus's own people (seed 002): students and staff, and long-term workers, imported from the
 * offices' files and updated by number (学号/工号). The ID number only as a keyed hash and its last
 * four, as for visitors. The link token opens the member's phone page; the serial is in their signed
 * credential, so a re-issued link kills the old credential (and its live code) at every gate.
 */
export const members = sqliteTable(
  'members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    number: text('number').notNull(),
    name: text('name').notNull(),
    type: text('type', { enum: MEMBER_TYPES }).notNull(),
    workerKind: text('worker_kind', { enum: WORKER_KINDS }),
    departmentId: integer('department_id').references(() => departments.id),
    /** Class or team (班级 / 班组), as the office's file has it. */
    unit: text('unit').notNull().default(''),
    /** Lives on campus (留校 / 住校): the exit rule applies. */
    resident: integer('resident', { mode: 'boolean' }).notNull(),
    idHash: text('id_hash'),
    idLast4: text('id_last4'),
    phone: text('phone'),
    linkToken: text('link_token').notNull(),
    /** The live code's secret is derived from the key file and this serial (members/credential.ts), never stored. */
    credentialSerial: integer('credential_serial').notNull().default(1),
    /** The phone's language, for what is sent to them and their page. */
    locale: text('locale', { enum: ['zh', 'en'] }),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    /** Left the campus for good: refused at every gate; personal data purged after the retention days. */
    deactivatedAt: ms('deactivated_at'),
    purgedAt: ms('purged_at'),
    /** Tablets' incremental cursor (change_counter), set by triggers on members, leaves and check-ins. */
    changeSeq: integer('change_seq').notNull().default(0),
  },
  (t) => [
    uniqueIndex('members_number_unique').on(t.number),
    uniqueIndex('members_link_unique').on(t.linkToken),
    index('members_department_idx').on(t.departmentId),
    index('members_change_seq_idx').on(t.changeSeq),
  ],
);

/**
 * A member's leave (请假): filed on their phone, approved or rejected by the department's approver
 * (谁批准谁负责: who and when), marked out at the exit scan and returned (销假) at the return scan.
 * The office may grant one at the gate when a refusal must be overridden: kind `office`, with why.
 */
export const leaves = sqliteTable(
  'leaves',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id),
    kind: text('kind', { enum: ['leave', 'office'] })
      .notNull()
      .default('leave'),
    fromAt: ms('from_at').notNull(),
    toAt: ms('to_at').notNull(),
    /** GB/T 2260 code of where the member goes. */
    destination: text('destination').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: LEAVE_STATUSES }).notNull(),
    filedAt: ms('filed_at').notNull(),
    decidedAt: ms('decided_at'),
    decidedByUserId: integer('decided_by_user_id').references(() => users.id),
    decisionNote: text('decision_note'),
    exitedAt: ms('exited_at'),
    exitGateId: integer('exit_gate_id').references(() => gates.id),
    returnedAt: ms('returned_at'),
    returnGateId: integer('return_gate_id').references(() => gates.id),
    /** The office cleared a member back from a risk area (the gate's hold ends). */
    clearedAt: ms('cleared_at'),
    clearedByUserId: integer('cleared_by_user_id').references(() => users.id),
  },
  (t) => [index('leaves_member_idx').on(t.memberId, t.status), index('leaves_status_to_idx').on(t.status, t.toAt)],
);

/** The daily health check-in (每日健康打卡): one per member and campus day, the fields the rules ask. */
export const memberCheckIns = sqliteTable(
  'member_check_ins',
  {
    memberId: integer('member_id')
      .notNull()
      .references(() => members.id),
    day: text('day').notNull(),
    at: ms('at').notNull(),
    temperature: real('temperature'),
    /** GB/T 2260 code of where the member is. */
    location: text('location'),
    symptoms: text('symptoms', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.day] }), index('member_check_ins_day_idx').on(t.day)],
);
