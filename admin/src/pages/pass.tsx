import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, ok } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import { fromBase64Url, liveQrText, timeStep } from '../../../server/domain/pass';

/**
 * The visitor's pass on their phone, no sign-in: a QR of the signed token plus a time-step code
 * computed here every second, so a screenshot goes stale within a minute.
 */
export function PassPage() {
  const link = useRoute().params.link ?? '';
  const state = useAppState();
  const t = state.t.value;
  useEffect(() => {
    document.title = t('pass.title');
  }, [t]);
  const pass = useResource(() => ok(api.passes.view[':link'].$get({ param: { link } })), [link]);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [now, setNow] = useState(() => new Date());
  const [printing, setPrinting] = useState(false);
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  const p = pass.data;
  const step = p ? timeStep(now, p.stepSeconds) : 0;
  useEffect(() => {
    if (!p || !p.token || !p.codeSecret || !canvas.current) return;
    const secret = fromBase64Url(p.codeSecret);
    if (!secret) return;
    const text = printing ? p.token : liveQrText(p.token, secret, new Date(step * p.stepSeconds * 1000), p.stepSeconds);
    void QRCode.toCanvas(canvas.current, text, { errorCorrectionLevel: 'M', margin: 2, width: 300 });
    canvas.current.dataset.qr = text;
  }, [p, step, printing]);
  if (pass.error)
    return (
      <main class="pass">
        <p class="error" role="alert">
          {t('pass.notFound')}
        </p>
      </main>
    );
  if (!p)
    return (
      <main class="pass">
        <p>{t('common.loading')}</p>
      </main>
    );
  const en = state.lang.value === 'en';
  const secondsLeft = p.stepSeconds - (Math.floor(now.getTime() / 1000) % p.stepSeconds);
  return (
    <main class="pass" data-status={p.status}>
      <header class="row">
        <h1>{t('pass.title')}</h1>
        <button type="button" class="link" onClick={() => state.setLang(en ? 'zh' : 'en')}>
          {t('lang.switch')}
        </button>
      </header>
      {p.status === 'valid' ? (
        <figure class="qr">
          <canvas ref={canvas} aria-label={t('pass.title')} />
          {!printing && (
            <figcaption>
              {t('pass.live', { seconds: p.stepSeconds })} · {secondsLeft}s
            </figcaption>
          )}
        </figure>
      ) : (
        <p class="error" role="alert">
          {p.status === 'revoked'
            ? t('pass.revoked')
            : p.status === 'cancelled'
              ? t('pass.cancelled')
              : t('pass.expired')}
        </p>
      )}
      <dl class="facts">
        <dt>{t('pass.visitor')}</dt>
        <dd>{p.visitor.name}</dd>
        <dt>{t('pass.when')}</dt>
        <dd>
          {p.visit.dateFrom}
          {p.visit.dateTo !== p.visit.dateFrom && ` – ${p.visit.dateTo}`} {p.visit.timeFrom}–{p.visit.timeTo}
        </dd>
        <dt>{t('pass.gates')}</dt>
        <dd>{p.gates.map((g) => (en && g.nameEn ? g.nameEn : g.name)).join(en ? ', ' : '、')}</dd>
        <dt>{t('pass.host')}</dt>
        <dd>{en && p.host.departmentEn ? p.host.departmentEn : p.host.department}</dd>
        <dt>{t('pass.escort')}</dt>
        <dd>
          {p.host.escortName} {p.host.escortPhone}
        </dd>
        <dt>{t('pass.purpose')}</dt>
        <dd>
          {p.visit.purpose} · {p.visit.destination}
        </dd>
      </dl>
      <section>
        <h2>{t('pass.rules')}</h2>
        <ol>
          <li>{t('pass.rule1')}</li>
          <li>{t('pass.rule2')}</li>
          <li>{t('pass.rule3')}</li>
        </ol>
      </section>
      {p.printable && p.status === 'valid' && <p class="hint">{t('pass.printAllowed')}</p>}
      {p.printable && p.status === 'valid' && (
        <button
          type="button"
          class="no-print"
          onClick={() => {
            setPrinting(true);
            setTimeout(() => {
              window.print();
              setPrinting(false);
            }, 100);
          }}
        >
          {t('pass.print')}
        </button>
      )}
    </main>
  );
}
