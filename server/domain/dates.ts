/**
 * Calendar arithmetic in the campus time zone. Lead times ("at least the next calendar day")
 * and daily reports count in campus days, not UTC days. Pure: uses only Intl.
 */
export type IsoDate = string; // YYYY-MM-DD

const partsFormatter = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string) {
  let f = partsFormatter.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatter.set(tz, f);
  }
  return f;
}

/** The wall-clock date and time in `tz` at instant `at`. */
export function wallClock(at: Date, tz: string) {
  const p = Object.fromEntries(
    formatter(tz)
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return {
    date: `${p.year}-${p.month}-${p.day}` as IsoDate,
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

export const campusDate = (at: Date, tz: string): IsoDate => wallClock(at, tz).date;

const textFormatters = new Map<string, Intl.DateTimeFormat>();
/**
 * An instant as people read it: in the campus's zone with the zone named (GMT+8), never the
 * device's zone silently. `time`: the time of day only (seconds with `seconds`); `zone: false` for
 * a list whose heading names the zone once (campusZoneName).
 */
export function campusTimeText(
  at: string | Date,
  tz: string,
  lang: 'zh' | 'en',
  { time = false, seconds = false, zone = true }: { time?: boolean; seconds?: boolean; zone?: boolean } = {},
): string {
  const key = `${tz}|${lang}|${time}|${seconds}|${zone}`;
  let f = textFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      timeZone: tz,
      // dateStyle cannot be combined with timeZoneName: the fields one by one.
      ...(time ? {} : { year: 'numeric', month: 'short', day: 'numeric' }),
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds ? { second: '2-digit' } : {}),
      ...(zone ? { timeZoneName: 'short' } : {}),
    });
    textFormatters.set(key, f);
  }
  return f.format(typeof at === 'string' ? new Date(at) : at);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The instant at which the wall clock in `tz` shows `date` `time` (HH:MM). */
export function instantAt(date: IsoDate, time: string, tz: string): Date {
  const guess = new Date(`${date}T${time}:00Z`);
  // Correct by the zone's offset at that moment (twice, for the rare DST edge).
  let t = guess.getTime();
  for (let i = 0; i < 2; i++) {
    const w = wallClock(new Date(t), tz);
    const shown = Date.parse(`${w.date}T${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}:00Z`);
    t += guess.getTime() - shown;
  }
  return new Date(t);
}

/**
 * A `datetime-local` field's value (`2026-11-21T08:30`) read as the campus's wall clock, whatever the
 * device's zone; '' for an empty field. The browser's own parse would use the device's zone silently.
 */
export const instantOfLocalInput = (local: string, tz: string) =>
  local ? instantAt(local.slice(0, 10), local.slice(11, 16), tz).toISOString() : '';

/** An instant as a `datetime-local` value on the campus's wall clock (the inverse of instantOfLocalInput). */
export function localInputOf(iso: string, tz: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const w = wallClock(at, tz);
  return `${w.date}T${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

/** Dates the system accepts anywhere: a gate's records do not reach back to year 0999 or forward to 9999. */
export const MIN_DATE = '2000-01-01';
export const MAX_DATE = '2099-12-31';
export const isIsoDate = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) &&
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** An IANA time zone the runtime knows (Asia/Shanghai): rules, campuses and the environment all check with this. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(tz);
  } catch {
    return false;
  }
}

/** The campus zone's short name as `campusTimeText` writes it (GMT+8), for a heading over a list of times. */
export const campusZoneName = (tz: string, lang: 'zh' | 'en') =>
  new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: tz, timeZoneName: 'short' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName')?.value ?? tz;
