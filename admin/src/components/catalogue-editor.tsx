import { useState } from 'preact/hooks';
import { ErrorBanner, Field } from './form';
import { useAction } from '../lib/use-resource';
import { useAppState } from '../lib/state';

export interface CatalogueField {
  name: string;
  label: string;
  kind: 'text' | 'checkbox' | 'select';
  options?: { value: number; label: string }[];
  /**
   * The language of what is typed here (`zh-CN` for the Chinese name, `en` for the English one, `zxx`
   * for a code): screen readers pronounce it so, and it is not the interface's own text.
   */
  lang?: string;
}

type Row = { id: number } & Record<string, unknown>;

/**
 * A table of simple records (gates, departments) with inline create and edit.
 * Each page supplies its fields and its create/update calls; the editor owns the form state.
 */
export function CatalogueEditor<R extends Row>({
  title,
  rows,
  fields,
  blank,
  onCreate,
  onUpdate,
}: {
  title: string;
  rows: R[] | undefined;
  fields: CatalogueField[];
  blank: Record<string, unknown>;
  onCreate: (values: Record<string, unknown>) => Promise<unknown>;
  onUpdate: (id: number, values: Record<string, unknown>) => Promise<unknown>;
}) {
  const state = useAppState();
  const t = state.t.value;
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [values, setValues] = useState<Record<string, unknown>>(blank);
  const action = useAction();

  const start = (id: number | 'new', initial: Record<string, unknown>) => {
    setEditing(id);
    setValues(initial);
  };
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (editing === 'new') await onCreate(values);
      else if (editing !== null) await onUpdate(editing, values);
      setEditing(null);
    });
  };
  const input = (f: CatalogueField) => {
    const v = values[f.name];
    if (f.kind === 'checkbox')
      return (
        <input
          type="checkbox"
          name={f.name}
          checked={Boolean(v)}
          onChange={(e) => setValues({ ...values, [f.name]: e.currentTarget.checked })}
        />
      );
    if (f.kind === 'select')
      return (
        <select
          name={f.name}
          value={String(v ?? '')}
          onChange={(e) => setValues({ ...values, [f.name]: Number(e.currentTarget.value) })}
        >
          {f.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    return (
      <input
        name={f.name}
        value={String(v ?? '')}
        onInput={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
      />
    );
  };
  const cell = (f: CatalogueField, r: R) => {
    const v = r[f.name];
    if (f.kind === 'checkbox') return v ? t('common.yes') : t('common.no');
    if (f.kind === 'select') return f.options?.find((o) => o.value === v)?.label ?? String(v);
    return String(v ?? '');
  };

  return (
    <section class="card">
      <header class="row">
        <h1>{title}</h1>
        <button type="button" class="primary" onClick={() => start('new', blank)}>
          {t('common.create')}
        </button>
      </header>
      {editing !== null && (
        <form class="inline-form" onSubmit={save} data-editing={String(editing)}>
          {fields.map((f) => (
            <Field key={f.name} label={f.label} name={f.name} error={action.error}>
              {input(f)}
            </Field>
          ))}
          <ErrorBanner error={action.error} />
          <button type="submit" class="primary" disabled={action.busy}>
            {t('common.save')}
          </button>
          <button type="button" onClick={() => setEditing(null)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      {!rows ? (
        <p>{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p>{t('common.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              {fields.map((f) => (
                <th key={f.name}>{f.label}</th>
              ))}
              <th>{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-id={r.id}>
                {fields.map((f) => (
                  <td key={f.name} lang={f.lang}>
                    {cell(f, r)}
                  </td>
                ))}
                <td>
                  <button
                    type="button"
                    onClick={() => start(r.id, Object.fromEntries(fields.map((f) => [f.name, r[f.name]])))}
                  >
                    {t('common.edit')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
