/** A row of tabs (ARIA tablist): the one look and behaviour for every page that has them. */
export function Tabs<T extends string>({
  tabs,
  current,
  onChange,
  label,
}: {
  tabs: readonly T[];
  current: T;
  onChange: (tab: T) => void;
  label: (tab: T) => string;
}) {
  return (
    <nav class="tabs" role="tablist">
      {tabs.map((x) => (
        <button
          key={x}
          type="button"
          role="tab"
          aria-selected={current === x}
          class={current === x ? 'tab active' : 'tab'}
          onClick={() => onChange(x)}
        >
          {label(x)}
        </button>
      ))}
    </nav>
  );
}
