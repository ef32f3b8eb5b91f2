import { INITIAL_RULES_REASON } from '../../../server/domain/initial-rules';
import { CHECK_IN_FIELDS } from '../../../server/domain/member';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner, Field } from '../components/form';
import { LevelSwitch, PolicyEditor } from '../components/levels';
import { api, ok } from '../lib/api';
import { useAction, usePaged, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import type { MessageKey } from '../lib/messages';
import type { Rules } from '../../../server/domain/rules';

/** The settings the gate and the filing apply, in the order a security officer thinks of them. */
const NUMBER_FIELDS = [
  'plausibleMinC',
  'plausibleMaxC',
  'restMinutes',
  'escortWaitMinutes',
  'snapshotMaxAgeHours',
  'tabletOfflineMinutes',
  'leadDays',
  'filingCutoffHour',
  'groupCap',
  'maxRangeDays',
  'backfillHours',
  'earlyArrivalMinutes',
  'codeStepSeconds',
  'retentionDays',
] as const satisfies readonly (keyof Rules)[];

/** Rules, risk areas, block list and commitment text: every change a new version, its impact shown first. */
export function RulesPage() {
  const state = useAppState();
  const t = state.t.value;
  const current = useResource(() => ok(api.rules.$get()));
  const history = usePaged((cursor) => ok(api.rules.history.$get({ query: cursor ? { cursor } : {} })));
  const areas = useResource(() => ok(api['risk-areas'].$get()));
  const blocked = usePaged((cursor) => ok(api.blocklist.$get({ query: cursor ? { cursor } : {} })));
  const commitment = useResource(() => ok(api.rules.commitment.$get()));
  const [draft, setDraft] = useState<Rules | null>(null);
  const [reason, setReason] = useState('');
  const [impact, setImpact] = useState<number | null>(null);
  const [notice, setNotice] = useState('');
  const [csv, setCsv] = useState('');
  const [csvReason, setCsvReason] = useState('');
  const [block, setBlock] = useState({ idNumber: '', reason: '' });
  const [text, setText] = useState<{ zh: string; en: string } | null>(null);
  const [commitmentReason, setCommitmentReason] = useState('');
  /** Publishing is a second step, after the office has read the texts as a visitor will. */
  const [previewing, setPreviewing] = useState(false);
  const action = useAction();
  useEffect(() => {
    if (current.data) setDraft(current.data.rules);
  }, [current.data]);
  useEffect(() => {
    if (commitment.data) setText({ zh: commitment.data.zh, en: commitment.data.en });
  }, [commitment.data]);
  const impactText = (n: number) => (n === 0 ? t('rules.noImpact') : t('rules.impact', { n }));
  const preview = () =>
    void action.run(async () => {
      if (draft) setImpact((await ok(api.rules.preview.$post({ json: { rules: draft, reason } }))).length);
    });
  const save = () =>
    void action.run(async () => {
      if (!draft) return;
      const saved = await ok(api.rules.$put({ json: { rules: draft, reason } }));
      setNotice(t('rules.saved', { v: saved.version }));
      setImpact(null);
      setReason('');
      current.reload();
      history.reload();
    });
  const importCsv = (dryRun: boolean) =>
    void action.run(async () => {
      const r = await ok(api['risk-areas'].import.$post({ json: { csv, reason: csvReason, dryRun } }));
      if (dryRun) setNotice(t('riskAreas.previewed', { n: r.rows, impact: impactText(r.impact.length) }));
      else {
        setNotice(t('riskAreas.imported', { n: r.rows, v: r.ruleVersion ?? 0 }));
        setCsv('');
        areas.reload();
        current.reload();
      }
    });
  const removeArea = (id: number) =>
    void action.run(async () => {
      await ok(api['risk-areas'][':id'].$delete({ param: { id: String(id) } }));
      areas.reload();
    });
  const addBlock = () =>
    void action.run(async () => {
      await ok(
        api.blocklist.$post({
          json: { idType: 'resident_id', idNumber: block.idNumber, reason: block.reason, expiresAt: null },
        }),
      );
      setBlock({ idNumber: '', reason: '' });
      blocked.reload();
    });
  const lift = (id: number) =>
    void action.run(async () => {
      await ok(api.blocklist[':id'].$delete({ param: { id: String(id) } }));
      blocked.reload();
    });
  const publish = () =>
    void action.run(async () => {
      if (!text) return;
      const r = await ok(api.rules.commitment.$put({ json: { ...text, reason: commitmentReason } }));
      setCommitmentReason('');
      setPreviewing(false);
      setNotice(t('commitment.published', { v: r.version }));
      commitment.reload();
    });
  const num = (k: (typeof NUMBER_FIELDS)[number]) => (e: { currentTarget: HTMLInputElement }) => {
    if (!draft) return;
    const v = e.currentTarget.value;
    setDraft({ ...draft, [k]: v === '' && k === 'filingCutoffHour' ? null : Number(v) });
    setImpact(null);
  };
  return (
    <section>
      {current.data && (
        <LevelSwitch
          rules={current.data.rules}
          onSwitched={() => {
            current.reload();
            history.reload();
          }}
        />
      )}
      <section class="card" data-testid="rules-card">
        <header class="row">
          <h1>{t('rules.title')}</h1>
          {current.data && <span class="status">{t('rules.version', { v: current.data.version })}</span>}
        </header>
        {notice && (
          <p class="ok" role="status">
            {notice}
          </p>
        )}
        <ErrorBanner error={action.error ?? current.error} />
        {draft && (
          <div class="grid">
            {NUMBER_FIELDS.map((k) => (
              <Field key={k} label={t(`rule.${k}` as MessageKey)} name={`rules.${k}`} error={action.error}>
                <input type="number" step={k.endsWith('C') ? '0.1' : '1'} value={draft[k] ?? ''} onInput={num(k)} />
              </Field>
            ))}
            <Field label={t('rule.campusRegionCode')} name="rules.campusRegionCode" error={action.error}>
              <input
                inputMode="numeric"
                maxLength={6}
                value={draft.campusRegionCode}
                onInput={(e) => {
                  setDraft({ ...draft, campusRegionCode: e.currentTarget.value.trim() });
                  setImpact(null);
                }}
              />
            </Field>
            <Field label={t('rule.officePhone')} name="rules.officePhone" error={action.error}>
              <input
                type="tel"
                name="officePhone"
                value={draft.officePhone}
                onInput={(e) => setDraft({ ...draft, officePhone: e.currentTarget.value })}
              />
            </Field>
            <label class="check">
              <input
                type="checkbox"
                checked={draft.printedPassAllowed}
                onChange={(e) => setDraft({ ...draft, printedPassAllowed: e.currentTarget.checked })}
              />
              {t('rule.printedPassAllowed')}
            </label>
            <fieldset class="check-group" data-testid="check-in-fields">
              <legend>{t('rule.checkInFields')}</legend>
              {CHECK_IN_FIELDS.map((f) => (
                <label key={f} class="check">
                  <input
                    type="checkbox"
                    checked={draft.checkInFields.includes(f)}
                    onChange={(e) =>
                      setDraft({
                        ...draft,
                        checkInFields: e.currentTarget.checked
                          ? CHECK_IN_FIELDS.filter((x) => x === f || draft.checkInFields.includes(x))
                          : draft.checkInFields.filter((x) => x !== f),
                      })
                    }
                  />
                  {t(`rule.checkIn.${f}`)}
                </label>
              ))}
            </fieldset>
          </div>
        )}
        {draft && (
          <PolicyEditor
            key={current.data?.rules.level}
            inForce={current.data?.rules.level ?? draft.level}
            draft={draft}
            onChange={(r) => {
              setDraft(r);
              setImpact(null);
            }}
          />
        )}
        <div class="inline-form">
          <Field label={t('rules.reason')} name="reason" error={action.error}>
            <input class="wide" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </Field>
          <button type="button" disabled={action.busy || reason.trim().length < 2} onClick={preview}>
            {t('rules.preview')}
          </button>
          <button type="button" class="primary" disabled={action.busy || impact === null} onClick={save}>
            {t('rules.save')}
          </button>
        </div>
        {impact !== null && (
          <p class={impact ? 'import-preview' : 'ok'} data-testid="rules-impact">
            {impactText(impact)}
          </p>
        )}
        <details>
          <summary>{t('rules.history')}</summary>
          <ul>
            {history.items.map((h) => (
              <li key={h.version}>
                v{h.version} · {state.at(h.at)} · {state.actorText(h.actor)} ·{' '}
                {h.reason === INITIAL_RULES_REASON && h.actor === 'system' ? t('rules.initialDefaults') : h.reason}
              </li>
            ))}
          </ul>
          {history.hasMore && (
            <button type="button" onClick={history.more}>
              {t('common.more')}
            </button>
          )}
        </details>
      </section>

      <section class="card">
        <h2>{t('riskAreas.title')}</h2>
        <table>
          <thead>
            <tr>
              <th>{t('riskAreas.region')}</th>
              <th>{t('riskAreas.level')}</th>
              <th>{t('riskAreas.dates')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {areas.data?.map((a) => (
              <tr key={a.id}>
                <td>
                  {a.regionName} ({a.regionCode})
                </td>
                <td>{t(`level.${a.level}` as MessageKey)}</td>
                <td>
                  {a.effectiveFrom} – {a.effectiveTo ?? '…'}
                </td>
                <td>
                  <button type="button" onClick={() => removeArea(a.id)}>
                    {t('riskAreas.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="hint">{t('riskAreas.hint')}</p>
        <label class="field upload">
          <span>{t('riskAreas.import')}</span>
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => void e.currentTarget.files?.[0]?.text().then(setCsv)}
          />
        </label>
        <textarea aria-label="CSV" rows={4} class="wide" value={csv} onInput={(e) => setCsv(e.currentTarget.value)} />
        <div class="inline-form">
          <Field label={t('rules.reason')} name="csvReason" error={action.error}>
            <input value={csvReason} onInput={(e) => setCsvReason(e.currentTarget.value)} />
          </Field>
          <button type="button" disabled={!csv || action.busy} onClick={() => importCsv(true)}>
            {t('riskAreas.preview')}
          </button>
          <button type="button" class="primary" disabled={!csv || action.busy} onClick={() => importCsv(false)}>
            {t('riskAreas.import')}
          </button>
        </div>
      </section>

      <section class="card">
        <h2>{t('blocklist.title')}</h2>
        <table>
          <thead>
            <tr>
              <th>{t('blocklist.who')}</th>
              <th>{t('blocklist.reason')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {blocked.items.map((b) => (
              <tr key={b.id}>
                <td>{b.idLast4 ? `****${b.idLast4}` : `${b.name ?? ''} ${b.phone ?? ''}`}</td>
                <td>{b.reason}</td>
                <td>
                  <button type="button" onClick={() => lift(b.id)}>
                    {t('blocklist.lift')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {blocked.hasMore && (
          <button type="button" onClick={blocked.more}>
            {t('common.more')}
          </button>
        )}
        <div class="inline-form">
          <Field label={t('blocklist.idNumber')} name="idNumber" error={action.error}>
            <input value={block.idNumber} onInput={(e) => setBlock({ ...block, idNumber: e.currentTarget.value })} />
          </Field>
          <Field label={t('blocklist.reason')} name="reason" error={action.error}>
            <input value={block.reason} onInput={(e) => setBlock({ ...block, reason: e.currentTarget.value })} />
          </Field>
          <button type="button" class="primary" disabled={action.busy || !block.idNumber} onClick={addBlock}>
            {t('blocklist.add')}
          </button>
        </div>
      </section>

      <section class="card">
        <h2>
          {t('commitment.title')} {commitment.data && `v${commitment.data.version}`}
        </h2>
        {text && (
          <>
            <textarea
              aria-label="中文"
              rows={5}
              class="wide"
              value={text.zh}
              onInput={(e) => {
                setText({ ...text, zh: e.currentTarget.value });
                setPreviewing(false);
              }}
            />
            <textarea
              aria-label="English"
              rows={5}
              class="wide"
              value={text.en}
              onInput={(e) => {
                setText({ ...text, en: e.currentTarget.value });
                setPreviewing(false);
              }}
            />
            <p class="hint">{t('commitment.hint')}</p>
            {previewing && commitment.data && (
              <figure class="commitment-preview" data-testid="commitment-preview">
                <figcaption>{t('commitment.previewTitle', { v: commitment.data.version + 1 })}</figcaption>
                <p lang="zh-CN">{text.zh}</p>
                <p lang="en">{text.en}</p>
              </figure>
            )}
            <div class="inline-form">
              <Field label={t('rules.reason')} name="reason" error={action.error}>
                <input
                  class="wide"
                  value={commitmentReason}
                  onInput={(e) => setCommitmentReason(e.currentTarget.value)}
                />
              </Field>
              <button
                type="button"
                disabled={
                  action.busy ||
                  commitmentReason.trim().length < 2 ||
                  text.zh.trim().length < 10 ||
                  text.en.trim().length < 10 ||
                  (text.zh === commitment.data?.zh && text.en === commitment.data?.en)
                }
                onClick={() => setPreviewing(true)}
              >
                {t('rules.preview')}
              </button>
              <button type="button" class="primary" disabled={action.busy || !previewing} onClick={publish}>
                {t('commitment.publish')}
              </button>
            </div>
          </>
        )}
      </section>
    </section>
  );
}
