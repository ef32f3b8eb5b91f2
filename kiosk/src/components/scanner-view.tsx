import { useEffect, useRef, useState } from 'preact/hooks';
import { cameraProblem, loadCameraScanner, type CameraProblem, type Scanner } from '../lib/scanner';
import { useAppState } from '../lib/state';

const VIEW_ID = 'qr-view';
const CAMERA_TEXT = {
  denied: 'scan.cameraDenied',
  missing: 'scan.cameraMissing',
  busy: 'scan.cameraBusy',
  insecure: 'scan.cameraInsecure',
  failed: 'scan.cameraFailed',
} as const;

/**
 * The camera viewfinder; reports each code once per appearance. When `mode` changes (entry or exit)
 * the code in view counts again: a guard who switches to exit mode with the pass still held up
 * means that pass.
 */
export function ScannerView({
  onCode,
  active = true,
  mode = '',
}: {
  onCode: (text: string) => void;
  active?: boolean;
  mode?: string;
}) {
  const state = useAppState();
  const t = state.t.value;
  const [status, setStatus] = useState<'starting' | 'running' | 'error'>('starting');
  const [problem, setProblem] = useState<CameraProblem>('failed');
  const handler = useRef(onCode);
  handler.current = onCode;
  const running = useRef<Scanner | null>(null);
  useEffect(() => running.current?.forget(), [mode]);

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let scanner: Scanner | null = null;
    const fail = (err: unknown) => {
      if (stopped) return;
      setStatus('error');
      setProblem(cameraProblem(err));
      console.warn('camera', err); // the library's own words stay in the console for the installer
    };
    loadCameraScanner(VIEW_ID)
      .then((s) => {
        if (stopped) return;
        scanner = s;
        running.current = s;
        return s
          .start((text) => handler.current(text))
          .then(() => {
            // Left the gate screen while the camera was starting: stop what just started.
            if (stopped) void s.stop().catch(() => undefined);
            else setStatus('running');
          });
      }, fail)
      .catch(fail);
    return () => {
      stopped = true;
      running.current = null;
      void scanner?.stop().catch(() => undefined);
    };
  }, [active]);

  return (
    <div class="scanner" data-status={status}>
      <div id={VIEW_ID} class="viewfinder" />
      {status === 'starting' && <p class="hint">{t('scan.starting')}</p>}
      {status === 'error' && (
        <p class="error" role="alert" data-camera-problem={problem}>
          {t(CAMERA_TEXT[problem])}
        </p>
      )}
      {status === 'running' && <p class="hint">{t('scan.prompt')}</p>}
    </div>
  );
}
