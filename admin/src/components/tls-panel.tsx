import { api, ok } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';

/**
 * How tablets reach this server over HTTPS, on the tablets page where the office enrolls them: the
 * certificate's names and expiry, the campus CA's fingerprint and file, and the steps to trust it on an
 * Android tablet and a Windows PC (the README's "Deploying on a campus" has the same).
 */
export function TlsPanel() {
  const state = useAppState();
  const t = state.t.value;
  const status = useResource(() => ok(api.tls.$get()));
  const s = status.data;
  if (!s) return null;
  const warn = !s.servedOverHttps || (s.certificate !== null && s.certificate.daysLeft < 30);
  return (
    <details class="tls-panel" data-testid="tls-panel" open={warn}>
      <summary>{t('tls.title')}</summary>
      {!s.servedOverHttps && (
        <p class="danger-text" role="alert">
          {t('tls.notHttps')}
        </p>
      )}
      {s.certificate && (
        <p class={s.certificate.daysLeft < 30 ? 'danger-text' : ''}>
          {t('tls.certificate', {
            names: s.certificate.names.join(', '),
            until: state.at(s.certificate.notAfter, { time: false }),
            days: s.certificate.daysLeft,
          })}
        </p>
      )}
      {!s.builtIn && s.servedOverHttps && <p class="hint">{t('tls.proxy')}</p>}
      {s.campusCa && (
        <>
          <p>
            {t('tls.fingerprint')} <code data-testid="ca-fingerprint">{s.campusCa.fingerprint}</code>
          </p>
          <p>
            <a href="/api/v1/tls/campus-ca.crt" download="campus-ca.crt">
              {t('tls.download')}
            </a>
          </p>
        </>
      )}
      <h3>{t('tls.androidTitle')}</h3>
      <ol>
        <li>{t('tls.android1')}</li>
        <li>{t('tls.android2')}</li>
        <li>{t('tls.android3')}</li>
        <li>{t('tls.android4')}</li>
      </ol>
      <h3>{t('tls.windowsTitle')}</h3>
      <ol>
        <li>{t('tls.windows1')}</li>
        <li>{t('tls.windows2')}</li>
      </ol>
    </details>
  );
}
