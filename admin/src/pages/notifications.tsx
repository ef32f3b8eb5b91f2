import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner, Field } from '../components/form';
import { Tabs } from '../components/tabs';
import { api, ok } from '../lib/api';
import { useAction, usePaged, useResource } from '../lib/use-resource';
import { useAppState } from '../lib/state';
import { NOTIFICATION_EVENTS, type Audience, type NotificationEvent } from '../../../server/domain/notifications';
import type { MessageKey } from '../lib/messages';

type Channel = Awaited<ReturnType<typeof loadChannels>>['items'][number];
type Kind = Channel['kind'];
const KINDS: Kind[] = ['smtp', 'wecom', 'dingtalk', 'feishu', 'webhook'];
const loadChannels = () => ok(api.notifications.channels.$get());
const TABS = ['channels', 'routing', 'deliveries'] as const;

interface Draft {
  kind: Kind;
  name: string;
  departmentId: string;
  locale: 'zh' | 'en';
  host: string;
  port: string;
  security: 'starttls' | 'tls' | 'none';
  username: string;
  password: string;
  from: string;
  tlsCa: string;
  webhookUrl: string;
  signSecret: string;
  url: string;
  events: NotificationEvent[];
}
const blank = (kind: Kind = 'wecom'): Draft => ({
  kind,
  name: '',
  departmentId: '',
  locale: 'zh',
  host: '',
  port: '587',
  security: 'starttls',
  username: '',
  password: '',
  from: '',
  tlsCa: '',
  webhookUrl: '',
  signSecret: '',
  url: '',
  events: [],
});

/** The body the API takes for a new channel (POST) or a change (PATCH: empty secrets mean unchanged). */
function bodyOf(d: Draft, editing: boolean) {
  const common = {
    name: d.name,
    departmentId: d.departmentId ? Number(d.departmentId) : null,
    locale: d.locale,
  };
  const keep = <T,>(v: string, f: (s: string) => T) => (editing && !v ? undefined : f(v));
  switch (d.kind) {
    case 'smtp':
      return {
        ...common,
        host: d.host,
        port: Number(d.port),
        security: d.security,
        username: d.username || null,
        password: keep(d.password, (s) => s || null),
        from: d.from,
        tlsCa: d.tlsCa.trim() || null,
      };
    case 'webhook':
      return { ...common, url: d.url, events: d.events };
    case 'wecom':
      return { ...common, webhookUrl: keep(d.webhookUrl, (s) => s) };
    default:
      return { ...common, webhookUrl: keep(d.webhookUrl, (s) => s), signSecret: keep(d.signSecret, (s) => s || null) };
  }
}

function ChannelForm({
  editing,
  departments,
  onDone,
}: {
  editing: Channel | null;
  departments: { id: number; name: string; nameEn: string }[];
  onDone: (secret: string | null) => void;
}) {
  const state = useAppState();
  const t = state.t.value;
  const [d, setD] = useState<Draft>(() =>
    editing
      ? {
          ...blank(editing.kind),
          name: editing.name,
          departmentId: editing.departmentId ? String(editing.departmentId) : '',
          locale: editing.locale,
          host: editing.settings.host ?? '',
          port: String(editing.settings.port ?? 587),
          security: (editing.settings.security as Draft['security']) ?? 'starttls',
          username: editing.settings.username ?? '',
          from: editing.settings.from ?? '',
          url: editing.settings.url ?? '',
          events: editing.events,
        }
      : blank(),
  );
  const action = useAction();
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const keep = editing ? t('notify.keep') : '';
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (editing) {
        await ok(
          api.notifications.channels[':id'].$patch({
            param: { id: String(editing.id) },
            json: bodyOf(d, true) as never,
          }),
        );
        onDone(null);
      } else {
        const created = await ok(
          api.notifications.channels.$post({ json: { kind: d.kind, ...bodyOf(d, false) } as never }),
        );
        onDone(created.secret);
      }
    });
  };
  const input = (name: keyof Draft, label: string, extra: Record<string, unknown> = {}) => (
    <Field label={label} name={name} error={action.error}>
      <input
        name={name}
        value={d[name] as string}
        onInput={(e) => set({ [name]: e.currentTarget.value } as Partial<Draft>)}
        {...extra}
      />
    </Field>
  );
  return (
    <form class="card" onSubmit={submit} data-form="channel">
      <h2>{editing ? t('notify.edit', { name: editing.name }) : t('notify.add')}</h2>
      <div class="grid">
        {!editing && (
          <Field label={t('notify.kind')} name="kind" error={action.error}>
            <select name="kind" value={d.kind} onChange={(e) => set(blank(e.currentTarget.value as Kind))}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`notify.kind.${k}`)}
                </option>
              ))}
            </select>
          </Field>
        )}
        {input('name', t('common.name'), { required: true })}
        {d.kind !== 'smtp' && (
          <Field label={t('notify.owner')} name="departmentId" error={action.error}>
            <select
              name="departmentId"
              value={d.departmentId}
              onChange={(e) => set({ departmentId: e.currentTarget.value })}
            >
              <option value="">{t('notify.owner.office')}</option>
              {departments.map((x) => (
                <option key={x.id} value={x.id}>
                  {state.lang.value === 'en' ? x.nameEn || x.name : x.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        {d.kind !== 'smtp' && (
          <Field label={t('notify.locale')} name="locale" error={action.error}>
            <select
              name="locale"
              value={d.locale}
              onChange={(e) => set({ locale: e.currentTarget.value as 'zh' | 'en' })}
            >
              <option value="zh">{t('lang.zh')}</option>
              <option value="en">{t('lang.en')}</option>
            </select>
          </Field>
        )}
      </div>
      {d.kind === 'smtp' && (
        <div class="grid">
          {input('host', t('notify.host'), { required: true, placeholder: 'smtp.example.edu.cn' })}
          {input('port', t('notify.port'), { required: true, inputMode: 'numeric' })}
          <Field label={t('notify.security')} name="security" error={action.error}>
            <select
              name="security"
              value={d.security}
              onChange={(e) => set({ security: e.currentTarget.value as Draft['security'] })}
            >
              {(['starttls', 'tls', 'none'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`notify.security.${s}`)}
                </option>
              ))}
            </select>
          </Field>
          {input('username', t('notify.username'), { autocomplete: 'off' })}
          {input('password', t('notify.password') + keep, { type: 'password', autocomplete: 'new-password' })}
          {input('from', t('notify.from'), { required: true, placeholder: 'Gatehouse <gatehouse@example.edu.cn>' })}
          <Field label={t('notify.tlsCa')} name="tlsCa" error={action.error}>
            <textarea name="tlsCa" rows={3} value={d.tlsCa} onInput={(e) => set({ tlsCa: e.currentTarget.value })} />
          </Field>
        </div>
      )}
      {(d.kind === 'wecom' || d.kind === 'dingtalk' || d.kind === 'feishu') && (
        <div class="grid">
          {input('webhookUrl', t('notify.webhookUrl') + keep, {
            type: 'url',
            required: !editing,
            autocomplete: 'off',
            placeholder:
              d.kind === 'wecom'
                ? 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…'
                : d.kind === 'dingtalk'
                  ? 'https://oapi.dingtalk.com/robot/send?access_token=…'
                  : 'https://open.feishu.cn/open-apis/bot/v2/hook/…',
          })}
          {d.kind !== 'wecom' &&
            input('signSecret', t('notify.signSecret') + keep, { type: 'password', autocomplete: 'off' })}
        </div>
      )}
      {d.kind === 'webhook' && (
        <>
          {input('url', t('notify.url'), { type: 'url', required: true, placeholder: 'https://…' })}
          <fieldset class="field" data-field="events">
            <legend>{t('notify.events')}</legend>
            <div class="checks">
              {NOTIFICATION_EVENTS.map((ev) => (
                <label key={ev} class="check">
                  <input
                    type="checkbox"
                    name="events"
                    value={ev}
                    checked={d.events.includes(ev)}
                    onChange={(e) =>
                      set({
                        events: e.currentTarget.checked ? [...d.events, ev] : d.events.filter((x) => x !== ev),
                      })
                    }
                  />
                  {t(`notify.event.${ev}` as MessageKey)}
                </label>
              ))}
            </div>
          </fieldset>
        </>
      )}
      <ErrorBanner error={action.error} />
      <div class="row-actions">
        <button type="submit" class="primary" disabled={action.busy}>
          {editing ? t('common.save') : t('common.create')}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function ChannelsTab() {
  const state = useAppState();
  const t = state.t.value;
  const channels = useResource(loadChannels);
  const departments = useResource(() => ok(api.departments.$get()));
  const [form, setForm] = useState<'new' | Channel | null>(null);
  const [secret, setSecret] = useState<{ secret: string; until?: string } | null>(null);
  const [answers, setAnswers] = useState<Record<number, { outcome: string; answer: string }>>({});
  const [testTo, setTestTo] = useState('');
  const action = useAction();
  const deptName = (id: number | null) => {
    const x = departments.data?.find((d) => d.id === id);
    return x ? (state.lang.value === 'en' ? x.nameEn || x.name : x.name) : t('notify.owner.office');
  };
  const test = (c: Channel) =>
    void action.run(async () => {
      const r = await ok(
        api.notifications.channels[':id'].test.$post({
          param: { id: String(c.id) },
          json: c.kind === 'smtp' && testTo ? { to: testTo } : {},
        }),
      );
      setAnswers({ ...answers, [c.id]: r });
      channels.reload();
    });
  const toggle = (c: Channel) =>
    void action.run(async () => {
      await ok(api.notifications.channels[':id'].$patch({ param: { id: String(c.id) }, json: { active: !c.active } }));
      channels.reload();
    });
  const rotate = (c: Channel) =>
    void action.run(async () => {
      const r = await ok(api.notifications.channels[':id']['rotate-secret'].$post({ param: { id: String(c.id) } }));
      setSecret({ secret: r.secret, until: r.previousSecretUntil });
      channels.reload();
    });
  const when = (iso: string) => state.at(iso);
  const data = channels.data;
  return (
    <>
      {data && !data.items.some((c) => c.kind === 'smtp' && c.active) && (
        <p class="hint warn" role="note">
          {t('notify.noMailServer')}
        </p>
      )}
      {data && !data.originSet && (
        <p class="hint warn" role="note">
          {t('notify.noOrigin', { origin: data.origin })}
        </p>
      )}
      {secret && (
        <div class="ok secret-once" role="status">
          <p>{t('notify.secretOnce')}</p>
          <code data-testid="webhook-secret">{secret.secret}</code>
          {secret.until && <p>{t('notify.rotated', { until: when(secret.until) })}</p>}
        </div>
      )}
      <ErrorBanner error={action.error ?? channels.error} />
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>{t('common.name')}</th>
              <th>{t('notify.kind')}</th>
              <th>{t('notify.owner')}</th>
              <th>{t('common.status')}</th>
              <th>{t('notify.tab.deliveries')}</th>
              <th>{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.length === 0 && (
              <tr>
                <td colSpan={6}>{t('common.empty')}</td>
              </tr>
            )}
            {data?.items.map((c) => (
              <tr key={c.id} data-channel={c.id}>
                <td>
                  <strong>{c.name}</strong>
                  <div class="hint">
                    {c.settings.hint ?? c.settings.url ?? `${c.settings.host}:${c.settings.port}`}
                    {c.signed && c.kind !== 'webhook' && ` · ${t('notify.signed')}`} · {t('notify.secretHidden')}
                  </div>
                  {answers[c.id] && (
                    <div
                      class={answers[c.id]!.outcome === 'sent' ? 'ok-text' : 'danger-text'}
                      role="status"
                      data-test-answer={answers[c.id]!.outcome}
                    >
                      {t(`notify.test.${answers[c.id]!.outcome}` as MessageKey, { answer: answers[c.id]!.answer })}
                    </div>
                  )}
                </td>
                <td>{t(`notify.kind.${c.kind}`)}</td>
                <td>{c.kind === 'smtp' ? '—' : deptName(c.departmentId)}</td>
                <td>{c.active ? t('common.active') : t('common.inactive')}</td>
                <td>{t('notify.counts', c.deliveries)}</td>
                <td class="row-actions">
                  <button type="button" onClick={() => test(c)} disabled={action.busy || !c.active}>
                    {t('notify.test')}
                  </button>
                  <button type="button" onClick={() => setForm(c)}>
                    {t('common.edit')}
                  </button>
                  <button type="button" onClick={() => toggle(c)} disabled={action.busy}>
                    {c.active ? t('notify.deactivate') : t('notify.activate')}
                  </button>
                  {c.kind === 'webhook' && (
                    <button type="button" onClick={() => rotate(c)} disabled={action.busy}>
                      {t('notify.rotate')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="inline-form">
        {data?.items.some((c) => c.kind === 'smtp') && (
          <label class="field">
            <span>{t('notify.testTo')}</span>
            <input type="email" name="testTo" value={testTo} onInput={(e) => setTestTo(e.currentTarget.value)} />
          </label>
        )}
        {!form && (
          <button type="button" class="primary" onClick={() => setForm('new')}>
            {t('notify.add')}
          </button>
        )}
      </div>
      {form && (
        <ChannelForm
          key={form === 'new' ? 'new' : form.id}
          editing={form === 'new' ? null : form}
          departments={departments.data ?? []}
          onDone={(s) => {
            setForm(null);
            if (s) setSecret({ secret: s });
            channels.reload();
          }}
        />
      )}
    </>
  );
}

function RoutingTab() {
  const state = useAppState();
  const t = state.t.value;
  const routing = useResource(() => ok(api.notifications.routing.$get()));
  const departments = useResource(() => ok(api.departments.$get()));
  const [dept, setDept] = useState<number | null>(null);
  const action = useAction();
  const save = (event: NotificationEvent, audiences: Audience[] | null) =>
    void action.run(async () => {
      await ok(api.notifications.routing.$put({ json: { event, departmentId: dept, audiences } }));
      routing.reload();
    });
  const audiences: Audience[] = ['office', 'dept_approver', 'filer', 'visitor', 'escort', 'department'];
  return (
    <>
      <p class="hint">{t('notify.routing.hint')}</p>
      <label class="field inline">
        <span>{t('notify.routing.scope')}</span>
        <select
          name="scope"
          value={dept ?? ''}
          onChange={(e) => setDept(e.currentTarget.value ? Number(e.currentTarget.value) : null)}
        >
          <option value="">{t('notify.routing.campus')}</option>
          {departments.data?.map((x) => (
            <option key={x.id} value={x.id}>
              {state.lang.value === 'en' ? x.nameEn || x.name : x.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorBanner error={action.error ?? routing.error} />
      <div class="table-scroll">
        <table class="routing">
          <thead>
            <tr>
              <th>{t('notify.routing.event')}</th>
              {audiences.map((a) => (
                <th key={a}>{t(`notify.audience.${a}`)}</th>
              ))}
              {dept !== null && <th />}
            </tr>
          </thead>
          <tbody>
            {routing.data?.events.map((row) => {
              const own =
                dept === null ? null : (row.departments.find((x) => x.departmentId === dept)?.audiences ?? null);
              const current = own ?? row.campus ?? row.defaults;
              return (
                <tr key={row.event} data-event={row.event}>
                  <th scope="row">
                    {t(`notify.event.${row.event}` as MessageKey)}
                    {dept !== null && (
                      <div class="hint">{own ? t('notify.routing.custom') : t('notify.routing.inherits')}</div>
                    )}
                  </th>
                  {audiences.map((a) => (
                    <td key={a} class="center">
                      {row.allowed.includes(a) ? (
                        <input
                          type="checkbox"
                          aria-label={`${t(`notify.event.${row.event}` as MessageKey)} · ${t(`notify.audience.${a}`)}`}
                          checked={current.includes(a)}
                          disabled={action.busy}
                          onChange={(e) =>
                            save(row.event, e.currentTarget.checked ? [...current, a] : current.filter((x) => x !== a))
                          }
                        />
                      ) : (
                        '—'
                      )}
                    </td>
                  ))}
                  {dept !== null && (
                    <td>
                      {own && (
                        <button type="button" class="link" onClick={() => save(row.event, null)}>
                          {t('notify.routing.reset')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function DeliveriesTab() {
  const state = useAppState();
  const t = state.t.value;
  const [status, setStatus] = useState<'' | 'pending' | 'sent' | 'dead'>('');
  const list = usePaged(
    (cursor) =>
      ok(
        api.notifications.deliveries.$get({
          query: { limit: '50', ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) },
        }),
      ),
    [status],
  );
  const action = useAction();
  const resend = (id: number) =>
    void action.run(async () => {
      await ok(api.notifications.deliveries[':id'].resend.$post({ param: { id: String(id) } }));
      list.reload();
    });
  const when = (iso: string | null) => state.at(iso);
  const rows = list.items;
  // While something waits to be sent, the log looks again every few seconds: a re-send shows its outcome.
  const waiting = rows.some((d) => d.status === 'pending');
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(list.reload, 2000);
    return () => clearTimeout(timer);
  }, [rows]);
  return (
    <>
      <div class="tabs" role="group" aria-label={t('common.status')}>
        {(['', 'pending', 'sent', 'dead'] as const).map((s) => (
          <button
            key={s || 'all'}
            type="button"
            class={status === s ? 'tab active' : 'tab'}
            aria-pressed={status === s}
            onClick={() => setStatus(s)}
          >
            {s ? t(`notify.status.${s}`) : t('notify.deliveries.all')}
          </button>
        ))}
      </div>
      <ErrorBanner error={action.error ?? list.error} />
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>{t('notify.deliveries.at')}</th>
              <th>{t('notify.deliveries.message')}</th>
              <th>{t('notify.deliveries.channel')}</th>
              <th>{t('notify.deliveries.recipient')}</th>
              <th>{t('common.status')}</th>
              <th>{t('notify.deliveries.answer')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.loaded && rows.length === 0 && (
              <tr>
                <td colSpan={7}>{t('common.empty')}</td>
              </tr>
            )}
            {rows.map((d) => (
              <tr key={d.id} data-delivery={d.id} data-status={d.status}>
                <td>{when(d.createdAt)}</td>
                <td>
                  {d.title}
                  <div class="hint">{t(`notify.event.${d.event}` as MessageKey)}</div>
                </td>
                <td>{d.channelName}</td>
                <td>{d.recipient || t(`notify.audience.${d.audience}` as MessageKey)}</td>
                <td class={d.status === 'dead' ? 'danger-text' : d.status === 'sent' ? 'ok-text' : ''}>
                  {t(`notify.status.${d.status}`)} · {d.attempts}
                  {d.nextAttemptAt && (
                    <div class="hint">{t('notify.deliveries.next', { time: when(d.nextAttemptAt) })}</div>
                  )}
                </td>
                <td class="answer">{d.lastAnswer ?? d.lastError ?? '—'}</td>
                <td>
                  {d.status !== 'pending' && (
                    <button type="button" onClick={() => resend(d.id)} disabled={action.busy}>
                      {t('notify.resend')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.hasMore && (
        <button type="button" onClick={list.more}>
          {t('common.more')}
        </button>
      )}
    </>
  );
}

/** The office's notification settings: channels and their test, who is told of what, the delivery log. */
export function NotificationsPage() {
  const state = useAppState();
  const t = state.t.value;
  const [tab, setTab] = useState<(typeof TABS)[number]>('channels');
  return (
    <section class="card">
      <h1>{t('notify.title')}</h1>
      <Tabs tabs={TABS} current={tab} onChange={setTab} label={(x) => t(`notify.tab.${x}`)} />
      {tab === 'channels' && <ChannelsTab />}
      {tab === 'routing' && <RoutingTab />}
      {tab === 'deliveries' && <DeliveriesTab />}
    </section>
  );
}
