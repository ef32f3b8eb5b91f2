import { useState } from 'preact/hooks';
import { ErrorBanner, Field } from './form';
import { api, ok } from '../lib/api';
import { useAction } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import { ENTRANT_TYPES, TEST_SCOPES, levelOf, type EntrantPolicy, type Level } from '../../../server/domain/policy';
import type { MessageKey } from '../lib/messages';
import type { Rules } from '../../../server/domain/rules';

/**
 * The campus alert level in force and the one-step switch: pick a level, say why, see which approved
 * visits it sends back to review, switch. Tablets take the new level with their next snapshot.
 */
export function LevelSwitch({ rules, onSwitched }: { rules: Rules; onSwitched: () => void }) {
  const state = useAppState();
  const t = state.t.value;
  const en = state.lang.value === 'en';
  const current = levelOf(rules);
  const [target, setTarget] = useState(rules.levels.find((l) => l.id !== current.id)?.id ?? current.id);
  const [reason, setReason] = useState('');
  const [impact, setImpact] = useState<number | null>(null);
  const [switched, setSwitched] = useState<{ level: Level; v: number; n: number } | null>(null);
  const action = useAction();
  const name = (l: Level) => (en ? l.nameEn : l.nameZh);
  const preview = () =>
    void action.run(async () => {
      setImpact((await ok(api.rules.level.preview.$post({ json: { level: target, reason } }))).length);
    });
  const change = () =>
    void action.run(async () => {
      const saved = await ok(api.rules.level.$put({ json: { level: target, reason } }));
      setSwitched({ level: levelOf(saved.rules), v: saved.version, n: saved.impact.length });
      setTarget(current.id);
      setImpact(null);
      setReason('');
      onSwitched();
    });
  return (
    <section class="card" data-testid="level-card">
      <header class="row">
        <h1>{t('level.title')}</h1>
        <span class={`status level-${current.id}`} data-testid="level-current" data-level={current.id}>
          {name(current)}
        </span>
      </header>
      {switched && (
        <p class="ok" role="status">
          {t('level.switched', { level: name(switched.level), v: switched.v, n: switched.n })}
        </p>
      )}
      <ErrorBanner error={action.error} />
      <div class="inline-form">
        <Field label={t('level.to')} name="level" error={action.error}>
          <select
            value={target}
            onChange={(e) => {
              setTarget(e.currentTarget.value);
              setImpact(null);
            }}
          >
            {rules.levels.map((l) => (
              <option key={l.id} value={l.id} disabled={l.id === current.id}>
                {name(l)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('rules.reason')} name="reason" error={action.error}>
          <input class="wide" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
        <button
          type="button"
          disabled={action.busy || target === current.id || reason.trim().length < 2}
          onClick={preview}
        >
          {t('rules.preview')}
        </button>
        <button type="button" class="primary" disabled={action.busy || impact === null} onClick={change}>
          {t('level.switch')}
        </button>
      </div>
      {impact !== null && (
        <p class={impact ? 'import-preview' : 'ok'} data-testid="level-impact">
          {impact === 0 ? t('rules.noImpact') : t('rules.impact', { n: impact })}
        </p>
      )}
    </section>
  );
}

type Cell =
  | { kind: 'bool'; get: (p: EntrantPolicy) => boolean; set: (p: EntrantPolicy, v: boolean) => EntrantPolicy }
  | {
      kind: 'number';
      step: number;
      get: (p: EntrantPolicy) => number;
      set: (p: EntrantPolicy, v: number) => EntrantPolicy;
    }
  | {
      kind: 'choice';
      options: readonly string[];
      get: (p: EntrantPolicy) => string;
      set: (p: EntrantPolicy, v: string) => EntrantPolicy;
    };

/** One row per check or parameter; the block list is always on and has no row. */
const ROWS: [string, Cell][] = [
  [
    'idMatch',
    {
      kind: 'choice',
      options: ['optional', 'required'],
      get: (p) => p.idMatch,
      set: (p, v) => ({ ...p, idMatch: v as EntrantPolicy['idMatch'] }),
    },
  ],
  ['healthCode', { kind: 'bool', get: (p) => p.healthCode, set: (p, v) => ({ ...p, healthCode: v }) }],
  [
    'temperature',
    {
      kind: 'bool',
      get: (p) => p.temperature.required,
      set: (p, v) => ({ ...p, temperature: { ...p.temperature, required: v } }),
    },
  ],
  [
    'thresholdC',
    {
      kind: 'number',
      step: 0.1,
      get: (p) => p.temperature.thresholdC,
      set: (p, v) => ({ ...p, temperature: { ...p.temperature, thresholdC: v } }),
    },
  ],
  [
    'retest',
    {
      kind: 'bool',
      get: (p) => p.temperature.retest,
      set: (p, v) => ({ ...p, temperature: { ...p.temperature, retest: v } }),
    },
  ],
  [
    'testScope',
    {
      kind: 'choice',
      options: TEST_SCOPES,
      get: (p) => p.nucleicTest.scope,
      set: (p, v) => ({ ...p, nucleicTest: { ...p.nucleicTest, scope: v as EntrantPolicy['nucleicTest']['scope'] } }),
    },
  ],
  [
    'testHours',
    {
      kind: 'number',
      step: 1,
      get: (p) => p.nucleicTest.hours,
      set: (p, v) => ({ ...p, nucleicTest: { ...p.nucleicTest, hours: v } }),
    },
  ],
  [
    'riskAreaDeclaration',
    { kind: 'bool', get: (p) => p.riskAreaDeclaration, set: (p, v) => ({ ...p, riskAreaDeclaration: v }) },
  ],
  [
    'closeContactDeclaration',
    { kind: 'bool', get: (p) => p.closeContactDeclaration, set: (p, v) => ({ ...p, closeContactDeclaration: v }) },
  ],
  ['lookbackDays', { kind: 'number', step: 1, get: (p) => p.lookbackDays, set: (p, v) => ({ ...p, lookbackDays: v }) }],
  ['commitment', { kind: 'bool', get: (p) => p.commitment, set: (p, v) => ({ ...p, commitment: v }) }],
  ['escort', { kind: 'bool', get: (p) => p.escort, set: (p, v) => ({ ...p, escort: v }) }],
  ['exitNeedsLeave', { kind: 'bool', get: (p) => p.exitNeedsLeave, set: (p, v) => ({ ...p, exitNeedsLeave: v }) }],
  ['dailyCheckIn', { kind: 'bool', get: (p) => p.dailyCheckIn, set: (p, v) => ({ ...p, dailyCheckIn: v }) }],
  [
    'entriesPerDay',
    { kind: 'number', step: 1, get: (p) => p.entriesPerDay, set: (p, v) => ({ ...p, entriesPerDay: v }) },
  ],
];

/**
 * Each level's policy as a table, checks by kind of entrant. Edits change the draft rules; they are
 * saved, with a reason and a preview, as a new rule version like every other setting.
 */
export function PolicyEditor({
  draft,
  inForce,
  onChange,
}: {
  draft: Rules;
  /** The level in force: its policy is shown first. */
  inForce: string;
  onChange: (r: Rules) => void;
}) {
  const state = useAppState();
  const t = state.t.value;
  const en = state.lang.value === 'en';
  const [shown, setShown] = useState(inForce);
  const level = draft.levels.find((l) => l.id === shown) ?? levelOf(draft);
  const edit = (entrant: (typeof ENTRANT_TYPES)[number], p: EntrantPolicy) =>
    onChange({
      ...draft,
      levels: draft.levels.map((l) => (l.id === level.id ? { ...l, policies: { ...l.policies, [entrant]: p } } : l)),
    });
  return (
    <div class="policy" data-testid="policy-editor">
      <div class="tabs" role="tablist" aria-label={t('policy.levels')}>
        {draft.levels.map((l) => (
          <button
            key={l.id}
            type="button"
            role="tab"
            aria-selected={l.id === level.id}
            class={l.id === level.id ? 'tab active' : 'tab'}
            onClick={() => setShown(l.id)}
          >
            {en ? l.nameEn : l.nameZh}
            {l.id === draft.level ? ` · ${t('policy.inForce')}` : ''}
          </button>
        ))}
      </div>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>{t('policy.check')}</th>
              {ENTRANT_TYPES.map((e) => (
                <th key={e}>{t(`entrant.${e}` as MessageKey)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ROWS.map(([row, cell]) => (
              <tr key={row}>
                <th scope="row">{t(`policy.${row}` as MessageKey)}</th>
                {ENTRANT_TYPES.map((e) => {
                  const p = level.policies[e];
                  const label = `${t(`policy.${row}` as MessageKey)} · ${t(`entrant.${e}` as MessageKey)}`;
                  return (
                    <td key={e}>
                      {cell.kind === 'bool' ? (
                        <input
                          type="checkbox"
                          aria-label={label}
                          checked={cell.get(p)}
                          onChange={(ev) => edit(e, cell.set(p, ev.currentTarget.checked))}
                        />
                      ) : cell.kind === 'number' ? (
                        <input
                          type="number"
                          class="narrow"
                          aria-label={label}
                          step={cell.step}
                          value={cell.get(p)}
                          onInput={(ev) => edit(e, cell.set(p, Number(ev.currentTarget.value)))}
                        />
                      ) : (
                        <select
                          aria-label={label}
                          value={cell.get(p)}
                          onChange={(ev) => edit(e, cell.set(p, ev.currentTarget.value))}
                        >
                          {cell.options.map((o) => (
                            <option key={o} value={o}>
                              {t(`policy.${row}.${o}` as MessageKey)}
                            </option>
                          ))}
                        </select>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="hint">{t('policy.hint')}</p>
    </div>
  );
}
