import { useAppState } from '../lib/state';

/** The language switch, written in the language it switches to (and marked so for screen readers). */
export function LangSwitch({ class: className = 'big' }: { class?: string }) {
  const state = useAppState();
  const other = state.lang.value === 'zh' ? 'en' : 'zh';
  return (
    <button type="button" class={className} lang={other === 'en' ? 'en' : 'zh-CN'} onClick={() => state.setLang(other)}>
      {state.t.value('lang.switch')}
    </button>
  );
}
