import { useEffect, useRef, useState } from 'preact/hooks';
import { createCameraScanner, type Scanner } from '../lib/scanner';
import { useAppState } from '../lib/state';

const VIEW_ID = 'qr-view';

/** The camera viewfinder; reports each code once per appearance. */
export function ScannerView({ onCode, active = true }: { onCode: (text: string) => void; active?: boolean }) {
  const state = useAppState();
  const t = state.t.value;
  const [status, setStatus] = useState<'starting' | 'running' | 'error'>('starting');
  const [error, setError] = useState('');
  const handler = useRef(onCode);
  handler.current = onCode;

  useEffect(() => {
    if (!active) return;
    const scanner: Scanner = createCameraScanner(VIEW_ID);
    let stopped = false;
    scanner
      .start((text) => handler.current(text))
      .then(
        () => !stopped && setStatus('running'),
        (err: unknown) => {
          setStatus('error');
          setError(err instanceof Error ? err.message : String(err));
        },
      );
    return () => {
      stopped = true;
      void scanner.stop().catch(() => undefined);
    };
  }, [active]);

  return (
    <div class="scanner" data-status={status}>
      <div id={VIEW_ID} class="viewfinder" />
      {status === 'starting' && <p class="hint">{t('scan.starting')}</p>}
      {status === 'error' && (
        <p class="error" role="alert">
          {t('scan.cameraError', { message: error })}
        </p>
      )}
      {status === 'running' && <p class="hint">{t('scan.prompt')}</p>}
    </div>
  );
}
