/**
 * Message lookup shared by both front ends and the server's bilingual texts (refusal slips).
 * Pure: no DOM, no Node. Each app owns its catalogue; `zh` is the source of truth for the keys
 * and `en` must have every one (the type checker enforces it).
 */
export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export type Catalogue<K extends string> = Record<Lang, Record<K, string>>;

const englishPlural = new Intl.PluralRules('en');

/**
 * Replaces `{name}` placeholders; a missing value leaves the placeholder visible rather than blank.
 * `{n:visitor|visitors}` picks the word by the count's plural category (Intl.PluralRules: "1 visitor",
 * "3 visitors"); only English catalogues need it, Chinese has no plural forms.
 */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template
    .replace(/\{(\w+):([^|{}]*)\|([^|{}]*)\}/g, (m, k: string, one: string, other: string) =>
      k in values ? (englishPlural.select(Number(values[k])) === 'one' ? one : other) : m,
    )
    .replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

export function translator<K extends string>(catalogue: Catalogue<K>, lang: Lang) {
  return (key: K, values?: Record<string, string | number>) =>
    format(catalogue[lang][key] ?? catalogue.zh[key] ?? key, values);
}

export const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGS as readonly string[]).includes(v);
