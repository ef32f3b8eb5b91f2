/**
 * Name matching for the block list: NFKC folds full-width letters and digits to half-width,
 * then spaces and the middle dots of transliterated names are dropped and case folded.
 */
export function normalizeName(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\s\u00b7\u30fb\u2022.·]/g, '')
    .toLowerCase();
}

export const normalizePhone = (raw: string) =>
  raw
    .normalize('NFKC')
    .replace(/[^\d+]/g, '')
    .replace(/^\+?86(?=1\d{10}$)/, '');

/** 138****5678: the middle hidden, enough left to recognise a number you know. */
export function maskPhone(phone: string): string {
  const p = normalizePhone(phone);
  if (p.length < 7) return '*'.repeat(p.length);
  return `${p.slice(0, 3)}${'*'.repeat(p.length - 7)}${p.slice(-4)}`;
}

/** 张*明 / 李* / J*** S***: the family name (first character) kept, the rest hidden. */
export function maskName(name: string): string {
  const n = name.trim();
  if (/^[\p{Script=Han}·]+$/u.test(n))
    return n.length <= 1 ? n : n.length === 2 ? `${n[0]}*` : `${n[0]}${'*'.repeat(n.length - 2)}${n.at(-1)}`;
  return n
    .split(/\s+/)
    .map((w) => (w.length <= 1 ? w : `${w[0]}${'*'.repeat(w.length - 1)}`))
    .join(' ');
}

/** Control characters (NUL, escapes, line breaks) and the bidirectional overrides that reorder text on screen. */
const FORBIDDEN = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
/** What leaves nothing visible: spaces of every kind, format characters (zero-width, BOM), fillers. */
const INVISIBLE = /[\p{Z}\p{Cf}\s\u115f\u1160\u3164\uffa0]/gu;

/**
 * Why a name or a short text cannot be stored as given, or null: control characters and bidi
 * overrides (a name that displays as something else, e.g. in an export), or nothing visible.
 */
export function textProblem(text: string): 'control_characters' | 'invisible_only' | null {
  if (FORBIDDEN.test(text)) return 'control_characters';
  if (text.length > 0 && text.replace(INVISIBLE, '') === '') return 'invisible_only';
  return null;
}
