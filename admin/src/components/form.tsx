import type { ComponentChildren } from 'preact';
import { ApiFailure } from '../lib/api';
import { useAppState } from '../lib/state';

/**
 * The server's issues for one field path (e.g. "visitors.0.idNumber"), in the reader's language;
 * `nested` also takes the issues of its items (a list's "gateIds.0").
 */
export function useIssues(error: unknown, path: string, nested = false): string[] {
  const state = useAppState();
  if (!(error instanceof ApiFailure)) return [];
  const texts = error.issues
    .filter((i) => {
      const at = i.path.join('.');
      return at === path || (nested && at.startsWith(`${path}.`));
    })
    .map((i) => (state.lang.value === 'zh' && i.messageZh ? i.messageZh : i.message));
  return [...new Set(texts)];
}

/** The issues of a field that is not one input (a fieldset of boxes, a region picker), shown under it. */
export function FieldIssues({ error, path }: { error: unknown; path: string }) {
  const issues = useIssues(error, path, true);
  return (
    <>
      {issues.map((m) => (
        <small key={m} class="issue" role="alert">
          {m}
        </small>
      ))}
    </>
  );
}

/** A labelled field that shows the server's issues for its path, if any. */
export function Field({
  label,
  name,
  error,
  children,
}: {
  label: string;
  name: string;
  error?: unknown;
  children: ComponentChildren;
}) {
  const issues = useIssues(error, name);
  return (
    <label class={issues.length ? 'field invalid' : 'field'} data-field={name}>
      <span>{label}</span>
      {children}
      {issues.map((m) => (
        <small key={m} class="issue" role="alert">
          {m}
        </small>
      ))}
    </label>
  );
}

export function ErrorBanner({ error }: { error: unknown }) {
  const state = useAppState();
  if (!error) return null;
  return (
    <p class="error" role="alert" data-code={error instanceof ApiFailure ? error.code : 'unknown'}>
      {state.errorText(error)}
    </p>
  );
}
