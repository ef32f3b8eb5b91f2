import { useCallback, useEffect, useState } from 'preact/hooks';

/** Loads data for a page and reloads it on demand; errors are kept for the page to show. */
export function useResource<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(() => {
    load().then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e: unknown) => setError(e),
    );
    // `load` is a fresh closure on every render; the caller's `deps` say when it really changes.
  }, deps);
  useEffect(reload, [reload]);
  return { data, error, reload };
}

/** Runs a form action, keeping its error for the form; answers whether it succeeded. */
export function useAction() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

type Page = { items: unknown[]; nextCursor: string | null };

/**
 * A list the server pages (server/lib/schemas.ts: `limit` and `cursor` in, `{ items, nextCursor }`
 * out): the first page loads with the page and again when `deps` change; `more` appends the next.
 */
export function usePaged<P extends Page>(load: (cursor: string | undefined) => Promise<P>, deps: unknown[] = []) {
  const [loaded, setLoaded] = useState(false);
  const [items, setItems] = useState<P['items']>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const take = (page: P, append: boolean) => {
    setItems((prev) => (append ? [...prev, ...page.items] : page.items));
    setCursor(page.nextCursor);
    setError(null);
  };
  const reload = useCallback(() => {
    load(undefined).then(
      (page) => {
        setLoaded(true);
        take(page, false);
      },
      (e: unknown) => setError(e),
    );
  }, deps);
  useEffect(reload, [reload]);
  const more = () => {
    if (cursor === null) return;
    load(cursor).then(
      (page) => take(page, true),
      (e: unknown) => setError(e),
    );
  };
  return { items, loaded, hasMore: cursor !== null, more, error, reload };
}
