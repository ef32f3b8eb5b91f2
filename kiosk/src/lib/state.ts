import { computed, signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { isLang, translator, type Lang } from '../../../server/domain/i18n';
import { api, ApiFailure, ok } from './api';
import { messages, type MessageKey } from './messages';

const fetchMe = () => ok(api.auth.me.$get());
export type Me = Awaited<ReturnType<typeof fetchMe>>;
export type Gate = Awaited<ReturnType<typeof fetchGates>>[number];
const fetchGates = () => ok(api.gates.$get());

const LANG_KEY = 'gatehouse.kiosk.lang';

/** The kiosk's state, built once and passed through context. */
export function createAppState(storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage) {
  const stored = storage.getItem(LANG_KEY);
  const lang = signal<Lang>(isLang(stored) ? stored : 'zh');
  const me = signal<Me | null | undefined>(undefined);
  const gate = signal<Gate | null>(null);
  const t = computed(() => translator(messages, lang.value));

  const loadGate = async (who: Me) => {
    const gates = await fetchGates();
    gate.value = gates.find((g) => who.gateIds.includes(g.id)) ?? null;
  };

  return {
    lang,
    me,
    gate,
    t,
    setLang(next: Lang) {
      lang.value = next;
      storage.setItem(LANG_KEY, next);
      document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    },
    async signIn(username: string, password: string) {
      const who = await ok(api.auth.login.$post({ json: { username, password } }));
      if (who.role !== 'guard') {
        await ok(api.auth.logout.$post());
        throw new ApiFailure(403, 'forbidden', 'Only guards use the kiosk');
      }
      await loadGate(who);
      me.value = who;
    },
    async refreshMe() {
      try {
        const who = await fetchMe();
        if (who.role === 'guard') await loadGate(who);
        me.value = who.role === 'guard' ? who : null;
      } catch (err) {
        if (err instanceof ApiFailure && err.status === 401) me.value = null;
        else throw err;
      }
    },
    async logout() {
      await ok(api.auth.logout.$post());
      me.value = null;
    },
    errorText(err: unknown): string {
      const tr = t.value;
      if (err instanceof ApiFailure) {
        const key = `error.${err.code}` as MessageKey;
        return key in messages.zh ? tr(key) : tr('error.unknown', { message: err.message });
      }
      return tr('error.unknown', { message: String(err) });
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
