import { useAppState } from '../lib/state';
import { LangSwitch } from '../components/lang-switch';

/**
 * Shown instead of enrollment on a plain-HTTP LAN address: the browser would refuse the camera and the
 * service worker there, so the tablet could enroll and start a shift and then fail at the first scan.
 */
export function InsecurePage() {
  const state = useAppState();
  const t = state.t.value;
  return (
    <main class="kiosk-login">
      <div class="panel" data-testid="insecure">
        <h1>{t('insecure.title')}</h1>
        <p class="error" role="alert">
          {t('insecure.body')}
        </p>
        <p>{t('insecure.what')}</p>
        <p>
          <code>{t('insecure.origin', { origin: location.origin })}</code>
        </p>
        <LangSwitch />
      </div>
    </main>
  );
}
