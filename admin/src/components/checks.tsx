import { FILING_MESSAGES } from '../../../server/domain/filing-messages';
import { useAppState } from '../lib/state';

/** The pre-computed rule checks of one visitor: "all passed" or each broken rule, translated. */
export function Checks({ codes }: { codes: string[] }) {
  const state = useAppState();
  const t = state.t.value;
  if (codes.length === 0) return <span class="check-ok">{t('check.none')}</span>;
  return (
    <span class="check-bad">
      {codes
        .map((c) =>
          c in FILING_MESSAGES
            ? FILING_MESSAGES[c as keyof typeof FILING_MESSAGES][state.lang.value].replace(/\{\w+\}/g, '…')
            : c,
        )
        .join('；')}
    </span>
  );
}
