/**
 * Identity documents. A PRC resident ID (居民身份证) is 17 digits and a check character by
 * ISO 7064 MOD 11-2 (GB 11643-1999); the 7th–14th characters are the birth date.
 */
export const ID_TYPES = ['resident_id', 'passport', 'hk_macau_permit', 'taiwan_permit', 'other'] as const;
export type IdType = (typeof ID_TYPES)[number];

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Upper-case, no spaces: the form an ID is hashed and compared in. */
export const normalizeIdNumber = (raw: string) => raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();

export type IdProblem = 'format' | 'check_digit' | 'birth_date';

/** Answers the problem with an ID number, or null when it is well-formed for its type. */
export function idNumberProblem(type: IdType, raw: string): IdProblem | null {
  const id = normalizeIdNumber(raw);
  switch (type) {
    case 'resident_id': {
      if (!/^\d{17}[\dX]$/.test(id)) return 'format';
      const y = Number(id.slice(6, 10));
      const m = Number(id.slice(10, 12));
      const d = Number(id.slice(12, 14));
      const date = new Date(Date.UTC(y, m - 1, d));
      if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
        return 'birth_date';
      return residentIdCheckChar(id.slice(0, 17)) === id[17] ? null : 'check_digit';
    }
    case 'passport':
      return /^[A-Z0-9]{5,17}$/.test(id) ? null : 'format';
    case 'hk_macau_permit':
      return /^[HM]\d{8}(\d{2})?$/.test(id) || /^C[A-Z0-9]\d{7}$/.test(id) ? null : 'format';
    case 'taiwan_permit':
      return /^\d{8}(\d{2})?$/.test(id) ? null : 'format';
    case 'other':
      return /^[A-Z0-9-]{4,30}$/.test(id) ? null : 'format';
  }
}

/** The last four characters: all of an ID number Gatehouse ever keeps in the clear. */
export const idLast4 = (raw: string) => normalizeIdNumber(raw).slice(-4);
