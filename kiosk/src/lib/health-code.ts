import type { HealthCodeMethod } from '../../../server/domain/admission';

/**
 * How a scanned health code can be checked, chosen by what its text looks like. Chinese health
 * codes are tokens only their issuer can read, so today every text falls to the guard's eyes;
 * a signed open credential gets its own entry here without touching the gate flow. The raw
 * text is never kept: only the outcome and how it was obtained.
 */
export interface HealthCodeVerifier {
  id: string;
  matches(text: string): boolean;
  method: HealthCodeMethod;
  /** Whether the guard must still confirm the colour shown on the entrant's phone. */
  needsGuard: boolean;
}

export const HEALTH_CODE_VERIFIERS: HealthCodeVerifier[] = [
  { id: 'guard-confirmation', matches: () => true, method: 'scanned_seen_by_guard', needsGuard: true },
];

export const verifierFor = (text: string) =>
  HEALTH_CODE_VERIFIERS.find((v) => v.matches(text)) ?? HEALTH_CODE_VERIFIERS[HEALTH_CODE_VERIFIERS.length - 1]!;
