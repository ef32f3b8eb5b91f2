/**
 * What one stored gate decision says the office must know, by itself: the one definition the
 * alerts (a read model, derived when read) and the notifications (written with the sync) share.
 * Pure. A pass used more often than it allows needs the pass's other admits, so it is not here.
 */
export type DecisionFinding = 'fever' | 'block_list' | 'revoked_before_admit';

export interface DecisionFacts {
  type: string;
  verdict: string | null;
  reasons: readonly string[];
  passId: string | null;
  /** Set when the server's records refute the pass the tablet named. */
  passMismatch: string | null;
  at: number;
  /** When the named pass was revoked, if it was. */
  revokedAt: number | null;
}

/** An admit on a pass the server's records bear out: it uses an entry and puts someone on campus. */
export const isCountedAdmit = (e: DecisionFacts) =>
  e.type === 'decision' && e.verdict === 'admit' && e.passId !== null && e.passMismatch === null;

export function decisionFindings(e: DecisionFacts): DecisionFinding[] {
  const out: DecisionFinding[] = [];
  if (e.type === 'decision' && e.verdict === 'refuse') {
    if (e.reasons.includes('fever')) out.push('fever');
    if (e.reasons.includes('block_list')) out.push('block_list');
  }
  if (isCountedAdmit(e) && e.revokedAt !== null && e.revokedAt < e.at) out.push('revoked_before_admit');
  return out;
}
