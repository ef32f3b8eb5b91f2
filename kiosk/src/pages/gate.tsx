import { useState } from 'preact/hooks';
import { ScannerView } from '../components/scanner-view';
import { useAppState } from '../lib/state';

/** The gate shell: who is on duty at which gate, and the camera, ready for the gate flow. */
export function GatePage() {
  const state = useAppState();
  const t = state.t.value;
  const me = state.me.value;
  const gate = state.gate.value;
  const [last, setLast] = useState<string | null>(null);
  if (!me) return null;
  const gateName = gate ? (state.lang.value === 'en' && gate.nameEn ? gate.nameEn : gate.name) : t('shell.noGate');
  return (
    <div class="kiosk">
      <header class="kiosk-bar">
        <strong>{t('shell.gate', { gate: gateName })}</strong>
        <span>{t('shell.guard', { name: me.displayName })}</span>
        <button type="button" class="big" onClick={() => state.setLang(state.lang.value === 'zh' ? 'en' : 'zh')}>{t('lang.switch')}</button>
        <button type="button" class="big" onClick={() => void state.logout()}>{t('shell.logout')}</button>
      </header>
      <main class="kiosk-main">
        <ScannerView onCode={setLast} />
        <aside class="kiosk-side">
          {last && <p class="scanned" data-testid="last-scan">{t('scan.last', { text: last })}</p>}
        </aside>
      </main>
    </div>
  );
}
