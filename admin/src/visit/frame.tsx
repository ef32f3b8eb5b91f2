import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { translator, type Lang } from '../../../server/domain/i18n';
import { visitMessages, type VisitKey } from './messages';
import { VisitError } from './api';

/**
 * What the visitor's page and the member's page share: the phone's language (or the one chosen
 * here), the page kept for the gate without signal, and the frame around the page.
 */
export type T = (key: VisitKey, values?: Record<string, string | number>) => string;

const LANG_KEY = 'gatehouse.visit.lang';

/** The phone's language, unless the person chose one here. */
function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'zh' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function useLang(title: (t: T) => string) {
  const [lang, setLang] = useState<Lang>(initialLang);
  const t = useMemo(() => translator(visitMessages, lang), [lang]);
  // In the same commit as the page it names: a page shown never carries the previous page's title.
  useLayoutEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = title(t);
  });
  const toggle = () => {
    const next = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LANG_KEY, next);
    setLang(next);
  };
  return { lang, t, toggle };
}

export const errorText = (t: T, e: unknown) => {
  const code = e instanceof VisitError ? e.code : 'internal';
  const key = `error.${code}` as VisitKey;
  return key in visitMessages.zh ? t(key) : t('error.unknown', { message: (e as Error).message });
};

/**
 * Loads a page and keeps it (localStorage, under `cacheKey`): at the gate without signal the copy
 * saved when it last opened is shown, and its live code is still computed on the phone.
 */
export function useCachedPage<P>(cacheKey: string, load: () => Promise<P>, onLoaded?: (p: P) => void) {
  const [page, setPage] = useState<P | null>(null);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    load().then(
      (p) => {
        setPage(p);
        localStorage.setItem(cacheKey, JSON.stringify(p));
        onLoaded?.(p);
      },
      (e: unknown) => {
        const saved = localStorage.getItem(cacheKey);
        if (e instanceof VisitError && e.code === 'network' && saved) {
          setPage(JSON.parse(saved) as P);
          setOffline(true);
        } else setError(e);
      },
    );
  }, [cacheKey]);
  return { page, setPage, offline, error };
}

/** The page's frame: its title and the language switch, then offline, error and loading notes, then the page. */
export function Frame({
  title,
  stage,
  t,
  lang,
  onLang,
  offline,
  error,
  loaded,
  class: className = 'visit',
  children,
}: {
  title: string;
  stage: string;
  t: T;
  lang: Lang;
  onLang: () => void;
  offline: boolean;
  error: unknown;
  loaded: boolean;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <main class={className} data-stage={stage}>
      <header class="top">
        <h1>{title}</h1>
        <button type="button" class="lang" onClick={onLang} lang={lang === 'zh' ? 'en' : 'zh'}>
          {t('lang.switch')}
        </button>
      </header>
      {offline && (
        <p class="note" role="status">
          {t('offline')}
        </p>
      )}
      {error !== null && !loaded && (
        <p class="error" role="alert">
          {errorText(t, error)}
        </p>
      )}
      {!loaded && error === null && <p>{t('loading')}</p>}
      {loaded && children}
    </main>
  );
}
