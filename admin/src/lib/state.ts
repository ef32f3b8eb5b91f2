import { computed, signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { isLang, translator, type Lang } from '../../../server/domain/i18n';
import { failureText } from '../../../server/domain/api-result';
import { campusTimeText, campusZoneName } from '../../../server/domain/dates';
import { api, ApiFailure, ok } from './api';
import { messages, type MessageKey } from './messages';

export type Me = Awaited<ReturnType<typeof fetchMe>>;
const fetchMe = () => ok(api.auth.me.$get());

const LANG_KEY = 'gatehouse.admin.lang';

/** All app-wide state, built once and handed down through context (no module singletons). */
export function createAppState(storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage) {
  const stored = storage.getItem(LANG_KEY);
  const lang = signal<Lang>(isLang(stored) ? stored : 'zh');
  /** undefined: not known yet; null: signed out. */
  const me = signal<Me | null | undefined>(undefined);
  const t = computed(() => translator(messages, lang.value));
  /** The campus's time zone (the rules'): every time on screen is shown in it, named. */
  const timezone = signal('Asia/Shanghai');

  return {
    lang,
    me,
    t,
    setLang(next: Lang) {
      lang.value = next;
      storage.setItem(LANG_KEY, next);
      document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    },
    async refreshMe() {
      try {
        me.value = await fetchMe();
        // Shown times fall back to the rules' default zone until the campus's is known.
        const rules = await ok(api.rules.$get()).catch(() => null);
        if (rules) timezone.value = rules.rules.timezone;
      } catch (err) {
        if (err instanceof ApiFailure && err.status === 401) me.value = null;
        else throw err;
      }
    },
    async logout() {
      await ok(api.auth.logout.$post());
      me.value = null;
    },
    timezone,
    /** An instant in the campus's zone, the zone named (server/domain/dates.ts campusTimeText). */
    at(iso: string | null | undefined, options?: { time?: boolean; seconds?: boolean; zone?: boolean }): string {
      return iso ? campusTimeText(iso, timezone.value, lang.value, options) : '—';
    },
    /** The campus zone's name (GMT+8), for a heading over times shown without it. */
    zoneName: () => campusZoneName(timezone.value, lang.value),
    /** A gate's, department's or campus's name in the reader's language (its English name in English, if it has one). */
    nameOf(x: { name: string; nameEn?: string | null }): string {
      return lang.value === 'en' && x.nameEn ? x.nameEn : x.name;
    },
    errorText(err: unknown): string {
      return failureText<MessageKey>(err, (k) => k in messages.zh, t.value);
    },
    /**
     * Who did something, as a person reads it: a user's display name, "tablet 北门 左侧", "the system";
     * never the stored label (`user:office`).
     */
    actorText(label: string, name?: string | null): string {
      if (name) return name;
      const [kind, ...rest] = label.split(':');
      const who = rest.join(':');
      if (kind === 'user') return who;
      if (kind === 'device' || kind === 'token') return t.value(`actor.${kind}`, { name: who });
      if (kind === 'visitor') return t.value('actor.visitor');
      return kind === 'system' || kind === 'demo' ? t.value('actor.system') : label;
    },
    /** A recorded action (an audit action, a request's history step) by its label; an unknown one as it is. */
    actionText(prefix: 'auditAction' | 'history', action: string): string {
      const key = `${prefix}.${action}`;
      return key in messages.zh ? t.value(key as MessageKey) : action;
    },
  };
}

export type AppState = ReturnType<typeof createAppState>;
export const AppStateContext = createContext<AppState | null>(null);

export function useAppState(): AppState {
  const s = useContext(AppStateContext);
  if (!s) throw new Error('useAppState needs an AppStateContext provider');
  return s;
}
