import type { Db, Tx } from './db/open';
import type { GateEvent } from './kiosk/schemas';
import type { Logger } from './lib/logger';

/**
 * What happened, stated by the handler that made it happen, one type per fact. Handlers say what
 * happened; subscribers decide what follows (the live wall refreshes; notifications, later, tell
 * the people concerned). The tablet's events travel as it sent them, for the gate they were synced at.
 */
export type DomainEvent =
  | { type: 'gate_events.synced'; gateId: number; deviceId: number; events: GateEvent[]; rejected: number }
  | { type: 'device.contacted'; gateId: number; deviceId: number }
  | { type: 'alert.acknowledged'; key: string; userId: number }
  | { type: 'rules.changed'; version: number; level: string }
  /** An invitation was sent (or sent again) to the visitor it names: its `sends`-th sending. */
  | { type: 'invitation.sent'; invitationId: number; requestId: number; sends: number; at: Date }
  /** A member filed a leave on their page: their department's approvers decide it. */
  | { type: 'leave.filed'; leaveId: number; at: Date }
  /** A visitor asked, on their own page, for their data to be erased. */
  | { type: 'visitor.erasure_requested'; visitorId: number; requestId: number; at: Date }
  /** A request moved (filed, approved, rejected, sent back to review, asked for at a gate…): its history row. */
  | {
      type: 'request.transition';
      requestId: number;
      historyId: number;
      action: string;
      from: string | null;
      to: string | null;
      note: string | null;
      at: Date;
    };

/** How a handler says what happened, inside its transaction (events.transact gives it one). */
export type Happened = (e: DomainEvent) => void;
type Recorder = (tx: Tx, e: DomainEvent) => void;
type Listener = (e: DomainEvent) => void;

/**
 * The one seam for side effects of a change. Two kinds of subscriber:
 * - `onRecorded` runs inside the writer's transaction, with it, so what it writes (an outbox row)
 *   commits or rolls back together with the change itself;
 * - `onCommitted` runs after the commit, never after a rollback (the live wall's refresh).
 * A committed-listener that throws is logged and dropped; the change it followed stands.
 */
export function createEvents(logger: Logger) {
  const recorders = new Set<Recorder>();
  const listeners = new Set<Listener>();
  const deliver = (happened: DomainEvent[]) => {
    for (const e of happened) {
      for (const l of listeners) {
        try {
          l(e);
        } catch (err) {
          listeners.delete(l);
          logger.warn('an after-commit subscriber failed and was dropped', {
            event: e.type,
            err: err instanceof Error ? err.message : String(err),
          });
        }
      }
    }
  };
  return {
    /** Runs `work` in one transaction; what it says happened reaches subscribers as described above. */
    transact<T>(db: Db, work: (tx: Tx, happened: (e: DomainEvent) => void) => T): T {
      const pending: DomainEvent[] = [];
      const out = db.transaction((tx) =>
        work(tx, (e) => {
          for (const r of recorders) r(tx, e);
          pending.push(e);
        }),
      );
      deliver(pending);
      return out;
    },
    /**
     * For a write that runs its own transaction (event ingest's prepared statements): `record`
     * inside it, so what the recorders write commits with it; `committed` after the commit.
     */
    record(tx: Tx, e: DomainEvent) {
      for (const r of recorders) r(tx, e);
    },
    committed(...happened: DomainEvent[]) {
      deliver(happened);
    },
    onRecorded(r: Recorder) {
      recorders.add(r);
      return () => void recorders.delete(r);
    },
    onCommitted(l: Listener) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}
export type Events = ReturnType<typeof createEvents>;
