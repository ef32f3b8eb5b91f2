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
