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
  label,
}: {
  value: string[];
  onChange: (codes: string[]) => void;
  multiple?: boolean;
  name: string;
  /** What the box asks for, read out by screen readers (the field's own label). */
  label: string;
}) {
  const state = useAppState();
  const t = state.t.value;
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Region[]>([]);
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [active, setActive] = useState(-1);
  const listId = `regions-${name.replace(/\W+/g, '-')}`;

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
    setActive(-1);
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
      {/* An ARIA combobox (WAI-ARIA APG, list autocomplete): arrows move, Enter picks, Escape closes. */}
      <input
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={hits.length > 0}
        aria-controls={listId}
        aria-activedescendant={active >= 0 && hits[active] ? `${listId}-${active}` : undefined}
        placeholder={t('v.regionSearch')}
        aria-label={label}
        value={q}
        onInput={(e) => {
          setQ(e.currentTarget.value);
          setActive(-1);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && hits.length) {
            e.preventDefault();
            setActive(Math.min(hits.length - 1, active + 1));
          } else if (e.key === 'ArrowUp' && hits.length) {
            e.preventDefault();
            setActive(Math.max(0, active - 1));
          } else if (e.key === 'Enter' && hits[active]) {
            e.preventDefault(); // picks; does not submit the form
            pick(hits[active]);
          } else if (e.key === 'Escape') setHits([]);
        }}
      />
      {hits.length > 0 && (
        <ul class="hits" role="listbox" id={listId} aria-label={label}>
          {hits.map((r, i) => (
            <li
              key={r.code}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'active' : undefined}
              // Keep the focus in the box: the click picks, the list closes.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(r)}
            >
              {r.fullName} <small>{r.code}</small>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
