import type { ComponentChildren } from 'preact';
import { ApiFailure } from '../lib/api';
import { useAppState } from '../lib/state';

/** A labelled field that shows the server's issue for its path, if any. */
export function Field({ label, name, error, children }: { label: string; name: string; error?: unknown; children: ComponentChildren }) {
  const issue = error instanceof ApiFailure ? error.issues.find((i) => i.path[0] === name) : undefined;
  return (
    <label class={issue ? 'field invalid' : 'field'} data-field={name}>
      <span>{label}</span>
      {children}
      {issue && <small class="issue">{issue.message}</small>}
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
