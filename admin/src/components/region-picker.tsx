import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../lib/api';
import { useAppState } from '../lib/state';

type Region = { code: string; name: string; fullName: string };

/** Search GB/T 2260 regions by Chinese name; picks one code, or several when `multiple`. */
export function RegionPicker({
  value,
  onChange,
  multiple = false,
  name,
}: {
  value: string[];
  onChange: (codes: string[]) => void;
  multiple?: boolean;
  name: string;
}) {
  const state = useAppState();
  const t = state.t.value;
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Region[]>([]);
  const [labels, setLabels] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!q.trim()) {
      setHits([]);
      return;
    }
    const timer = setTimeout(() => {
      ok(api.regions.$get({ query: { q: q.trim(), limit: '8' } })).then(setHits, () => setHits([]));
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);

  const pick = (r: Region) => {
    setLabels({ ...labels, [r.code]: r.fullName });
    onChange(multiple ? [...new Set([...value, r.code])] : [r.code]);
    setQ('');
    setHits([]);
  };
  return (
    <div class="region-picker" data-field={name}>
      <div class="chips">
        {value.map((code) => (
          <span key={code} class="chip" data-code={code}>
            {labels[code] ?? code}
            {multiple && (
              <button
                type="button"
                class="link"
                aria-label={`× ${code}`}
                onClick={() => onChange(value.filter((c) => c !== code))}
              >
                ×
              </button>
            )}
          </span>
        ))}
      </div>
      <input
        type="search"
        placeholder={t('v.regionSearch')}
        aria-label={`${name} ${t('v.regionSearch')}`}
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
      />
      {hits.length > 0 && (
        <ul class="hits" role="listbox">
          {hits.map((r) => (
            <li key={r.code}>
              <button type="button" role="option" onClick={() => pick(r)}>
                {r.fullName} <small>{r.code}</small>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
