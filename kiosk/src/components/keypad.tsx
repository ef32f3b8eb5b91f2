/** A big numeric keypad for gloved hands; `decimal` adds a point key. */
export function Keypad({
  onKey,
  decimal = false,
  label,
}: {
  onKey: (k: string) => void;
  decimal?: boolean;
  label: string;
}) {
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', decimal ? '.' : '', '0', '⌫'];
  return (
    <div class="keypad" role="group" aria-label={label}>
      {keys.map((k, i) =>
        k ? (
          <button
            key={k}
            type="button"
            class="big key"
            onClick={() => onKey(k)}
            aria-label={k === '⌫' ? 'backspace' : k}
          >
            {k}
          </button>
        ) : (
          <span key={`gap${i}`} />
        ),
      )}
    </div>
  );
}
