/**
 * GB/T 2260 region codes and the test rule that follows from where someone comes from. Apart from
 * rules.ts and policy.ts (which carry their schemas) so the visitor's phone page can ask the same
 * question the server does without loading a schema library.
 */

/** 410102 → 410102; 410100 → 4101; 410000 → 41: the prefix every code inside the area shares. */
export function regionPrefix(code: string): string {
  let p = code;
  while (p.length > 2 && p.endsWith('00')) p = p.slice(0, -2);
  return p;
}

export const regionWithin = (code: string, area: string) => code.startsWith(regionPrefix(area));

/** Whether this entrant must show a test: by the policy's scope and where they come from. */
export const testRequiredBy = (
  p: { nucleicTest: { scope: 'nobody' | 'out_of_city' | 'everyone' } },
  outOfCity: boolean,
) => p.nucleicTest.scope === 'everyone' || (p.nucleicTest.scope === 'out_of_city' && outOfCity);
