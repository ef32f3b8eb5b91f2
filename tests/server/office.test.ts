import { parseCsv } from '../../server/lib/csv';
import { afterEach, describe, expect, it } from 'vitest';
import { ok } from '../../server/domain/api-result';
import { createTestApp, type TestApp } from '../helpers/app';
import { gateDay, on21, runJobs } from '../helpers/office';
import { quickRefusalEvent } from '../helpers/kiosk';

let t: TestApp;
afterEach(() => t?.cleanup());

describe('GET /api/v1/tracing/*', () => {
  it('answers who passed a gate in a window, and who was on campus with a visitor, and audits each query with its reason', async () => {
    t = createTestApp();
    const world = await gateDay(t);
    t.clock.set('2026-11-22T02:00:00Z');
    runJobs(t); // closes the stays of those never seen leaving at the end of the 21st
    const office = await t.signIn('office');
    const q = (path: string) => t.request('GET', path, { cookie: office });

    expect((await q(`/api/v1/tracing/passages?from=${on21('09:00')}&to=${on21('11:00')}`)).status).toBe(400); // no reason given
    const window = `from=${encodeURIComponent(on21('09:00'))}&to=${encodeURIComponent(on21('10:15'))}&reason=${encodeURIComponent('疾控协查函 2026-118')}`;
    const north = (await q(`/api/v1/tracing/passages?${window}&gateId=${t.campus.gateIds.north}`)).json.rows;
    expect(north.map((r: { visitorName: string; type: string }) => `${r.visitorName}:${r.type}`)).toEqual([
      '甲一:decision',
      '乙二:decision',
    ]);
    const any = (await q(`/api/v1/tracing/passages?${window}`)).json.rows;
    expect(any.map((r: { visitorName: string }) => r.visitorName).sort()).toEqual(['丁四', '乙二', '甲一']);
    // The export says it in people's words, at the campus's wall-clock time the header names.
    const [head, cols, ...passed] = parseCsv(
      (await q(`/api/v1/tracing/passages/export?${window}&gateId=${t.campus.gateIds.north}&format=csv`)).text,
    );
    expect(head![0]).toContain('time zone: Asia/Shanghai');
    expect(cols!.slice(0, 4)).toEqual(['时间 Time (Asia/Shanghai)', '校门 Gate', '类型 Type', '结果 Verdict']);
    const shanghai = (iso: string) =>
      new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(passed.map((r) => [r[0], r[2], r[4]])).toEqual(
      north.map((r: { at: string; visitorName: string }) => [shanghai(r.at), '入校 entry', r.visitorName]),
    );
    expect(passed.every((r) => ['放行 admitted', '劝返 refused'].includes(r[3]!))).toBe(true);

    // 甲一 was inside 09:30–12:00. 乙二 (from 10:00), 丙三 (10:31–16:00), 丁四 (east, 10:00) and the
    // walk-in 戊五 (11:00) overlap; nobody else was admitted.
    const day = `from=${encodeURIComponent(on21('00:00'))}&to=${encodeURIComponent('2026-11-22T00:00:00+08:00')}&reason=${encodeURIComponent('疾控协查函 2026-118')}`;
    const co = (await q(`/api/v1/tracing/co-presence?${day}&visitorId=${world.visitors.a}`)).json;
    expect(co.stays).toEqual([
      expect.objectContaining({ visitorName: '甲一', from: on21('09:30'), to: on21('12:00'), end: 'exit' }),
    ]);
    expect(
      Object.fromEntries(
        co.others.map((o: { visitorName: string; overlapFrom: string; overlapTo: string }) => [
          o.visitorName,
          [o.overlapFrom, o.overlapTo],
        ]),
      ),
    ).toEqual({
      乙二: [on21('10:00'), on21('12:00')],
      丙三: [on21('10:31'), on21('12:00')],
      丁四: [on21('10:00'), on21('12:00')],
      戊五: [on21('11:00'), on21('12:00')],
    });
    const stayB = co.others.find((o: { visitorName: string }) => o.visitorName === '乙二');
    expect(stayB).toMatchObject({
      end: 'expired_not_signed_out',
      to: new Date('2026-11-22T00:00:00+08:00').toISOString(),
    });

    const csv = await q(`/api/v1/tracing/co-presence/export?${day}&visitorId=${world.visitors.a}&format=csv`);
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(2 + 4);
    const [, coCols, ...coRows] = parseCsv(csv.text);
    expect(coCols).toContain('重叠自 Overlap from (Asia/Shanghai)');
    expect(coRows.find((r) => r[0] === '丙三')!.slice(-2)).toEqual(['2026-11-21 10:31', '2026-11-21 12:00']);
    const audits = t.sqlite
      .prepare("select action, reason, actor_label a from audit_log where action like 'tracing.%' order by id")
      .all();
    expect(audits).toEqual([
      { action: 'tracing.passages', reason: '疾控协查函 2026-118', a: 'user:office1' },
      { action: 'tracing.passages', reason: '疾控协查函 2026-118', a: 'user:office1' },
      { action: 'tracing.passages', reason: '疾控协查函 2026-118', a: 'user:office1' },
      { action: 'tracing.co_presence', reason: '疾控协查函 2026-118', a: 'user:office1' },
      { action: 'tracing.co_presence', reason: '疾控协查函 2026-118', a: 'user:office1' },
    ]);
  });
});

describe('GET /api/v1/tracing/visitors', () => {
  it('finds whom to trace by full name, phone or ID last four, phones masked, and audits the search with its reason', async () => {
    t = createTestApp();
    const world = await gateDay(t);
    const office = await t.signIn('office');
    const find = (q: string) =>
      t.request(
        'GET',
        `/api/v1/tracing/visitors?q=${encodeURIComponent(q)}&reason=${encodeURIComponent('疾控协查函 2026-118')}`,
        {
          cookie: office,
        },
      );
    const byName = (await find('甲一')).json;
    expect(byName).toEqual([expect.objectContaining({ id: world.visitors.a, name: '甲一', phone: '138****0001' })]);
    expect((await find(byName[0].idLast4)).json.map((v: { id: number }) => v.id)).toContain(world.visitors.a);
    expect((await find('138 0000 0001')).json.map((v: { id: number }) => v.id)).toEqual([world.visitors.a]);
    expect((await find('查无此人')).json).toEqual([]);
    expect((await t.request('GET', '/api/v1/tracing/visitors?q=甲一', { cookie: office })).status).toBe(400); // no reason
    const audits = t.sqlite.prepare("select reason, after from audit_log where action = 'tracing.find_visitor'").all();
    expect(audits).toHaveLength(4);
    expect(JSON.stringify(audits)).not.toContain('甲一'); // who was searched for stays out of the log
  });
});

describe('retention', () => {
  it('removes visitors’ personal data after 28 days with a fake clock, logs counts only, and leaves the report figures unchanged', async () => {
    t = createTestApp();
    await gateDay(t);
    t.clock.set('2026-11-22T02:00:00Z');
    runJobs(t);
    const before = t.sqlite
      .prepare("select scope, figures from daily_reports where day = '2026-11-21' order by scope")
      .all();
    const names = () =>
      t.sqlite.prepare('select name, phone, id_hash h, purged_at p from visitors order by id').all() as {
        name: string;
        phone: string;
        h: string;
        p: number | null;
      }[];
    expect(names().every((v) => v.p === null)).toBe(true);

    t.clock.set('2026-12-19T02:00:00Z'); // 28 days after the visit day (the 21st) is the 19th: not yet
    expect(runJobs(t).purged.visitors).toBe(0);
    t.clock.set('2026-12-20T02:00:00Z');
    const { purged } = runJobs(t);
    expect(purged).toMatchObject({ visitors: 5, cutoffDay: '2026-11-22' });
    for (const v of names())
      expect(v).toMatchObject({
        name: '（已删除）',
        phone: '',
        h: expect.stringMatching(/^erased:\d+$/),
        p: expect.any(Number),
      });
    expect(t.sqlite.prepare('select count(*) n from gate_events where input is not null').get()).toEqual({ n: 0 });
    expect(
      t.sqlite.prepare("select scope, figures from daily_reports where day = '2026-11-21' order by scope").all(),
    ).toEqual(before);
    const office = await t.signIn('office');
    const reports = (
      await ok(
        t
          .client({ cookie: office })
          .reports.daily.$get({ query: { from: '2026-11-21', to: '2026-11-21', scope: 'campus' } }),
      )
    ).items;
    expect(reports[0]?.figures).toMatchObject({ entrants: 10, admitted: 5, feverRetests: 2 });
  });

  it('erases one visitor on request, with who, when and why in the audit log and no values', async () => {
    t = createTestApp();
    const world = await gateDay(t);
    const office = await t.signIn('office');
    expect(
      (await t.request('POST', `/api/v1/visitors/${world.visitors.a}/erase`, { cookie: office, body: {} })).status,
    ).toBe(400);
    const res = await t.request('POST', `/api/v1/visitors/${world.visitors.a}/erase`, {
      cookie: office,
      body: { reason: '本人书面申请删除' },
    });
    expect(res.status).toBe(200);
    expect(t.sqlite.prepare('select name, phone from visitors where id = ?').get(world.visitors.a)).toEqual({
      name: '（已删除）',
      phone: '',
    });
    const audit = t.sqlite
      .prepare(`select actor_label a, reason, "before" b, "after" af from audit_log where action = 'visitor.erase'`)
      .get() as Record<string, string>;
    expect(audit).toMatchObject({ a: 'user:office1', reason: '本人书面申请删除' });
    expect(JSON.stringify(audit)).not.toContain('甲一');
    expect(
      (
        await t.request('POST', `/api/v1/visitors/${world.visitors.a}/erase`, {
          cookie: office,
          body: { reason: '本人书面申请删除' },
        })
      ).status,
    ).toBe(409);
  });
});

describe('the live wall', () => {
  it('shows each gate’s counts, pace, latest decisions and tablets, and who is on campus with overstays', async () => {
    t = createTestApp();
    await gateDay(t);
    t.clock.set('2026-11-21T09:02:00Z'); // 17:02: the window of the three filed visits ended at 17:00
    const office = await t.signIn('office');
    const wall = (await t.request('GET', '/api/v1/live/wall', { cookie: office })).json;
    const north = wall.gates.find((g: { id: number }) => g.id === t.campus.gateIds.north);
    expect(north.figures).toMatchObject({ entrants: 9, admitted: 4, refused: 5 });
    expect(north.latest[0]).toMatchObject({ type: 'exit', name: '丙*' });
    expect(north.tablets).toEqual([expect.objectContaining({ online: true, outboxPending: 0 })]);
    expect(wall.onCampus).toBe(3); // 乙二 and 戊五 at the north gate, 丁四 at the east
    expect(wall.overstays).toBe(2); // 乙二 and 丁四 (their window ended at 17:00); 戊五's runs to 23:59
    const presence = (await t.request('GET', '/api/v1/presence', { cookie: office })).json;
    expect(presence.map((p: { visitorName: string; overstay: boolean }) => [p.visitorName, p.overstay])).toEqual([
      ['乙二', true],
      ['丁四', true],
      ['戊五', false],
    ]);
    expect(wall.alerts.map((a: { type: string }) => a.type)).toEqual(
      expect.arrayContaining(['fever', 'overstay', 'escort_overdue']),
    );
  });

  it('acknowledges many alerts at once with one note, each audit-logged; earlier acknowledgements stand', async () => {
    t = createTestApp();
    await gateDay(t);
    const office = await t.signIn('office');
    const open = async () =>
      (await t.request('GET', '/api/v1/alerts', { cookie: office })).json.filter(
        (a: { acknowledged: unknown }) => a.acknowledged === null,
      ) as { key: string }[];
    const keys = (await open()).map((a) => a.key);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    await t.request('POST', '/api/v1/alerts/ack', { cookie: office, body: { key: keys[0], note: '先处理' } });
    const bulk = await t.request('POST', '/api/v1/alerts/ack-bulk', {
      cookie: office,
      body: { keys, note: '演练后统一确认' },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.json).toEqual({ acknowledged: keys.slice(1), already: [keys[0]] });
    expect(await open()).toEqual([]);
    expect(
      t.sqlite
        .prepare("select count(*) n from audit_log where action = 'alert.acknowledge' and reason = '演练后统一确认'")
        .get(),
    ).toEqual({ n: keys.length - 1 });
    const empty = await t.request('POST', '/api/v1/alerts/ack-bulk', { cookie: office, body: { keys: [] } });
    expect(empty.status).toBe(400);
  });

  it('lets a named office user acknowledge an alert; the first acknowledgement stands', async () => {
    t = createTestApp();
    await gateDay(t);
    const office = await t.signIn('office');
    const fever = (await t.request('GET', '/api/v1/alerts', { cookie: office })).json.find(
      (a: { type: string }) => a.type === 'fever',
    );
    expect(fever.acknowledged).toBeNull();
    expect(
      (
        await t.request('POST', '/api/v1/alerts/ack', {
          cookie: office,
          body: { key: fever.key, note: '已通知校医院' },
        })
      ).status,
    ).toBe(200);
    await t.request('POST', '/api/v1/alerts/ack', { cookie: office, body: { key: fever.key, note: 'again' } });
    const after = (await t.request('GET', '/api/v1/alerts', { cookie: office })).json.find(
      (a: { key: string }) => a.key === fever.key,
    );
    expect(after.acknowledged).toEqual({ by: 'office user', at: t.clock.now().toISOString(), note: '已通知校医院' });
  });

  it('streams a new wall over server-sent events after a tablet syncs', async () => {
    t = createTestApp();
    const world = await gateDay(t);
    const office = await t.signIn('office');
    const controller = new AbortController();
    const res = await t.app.request('http://localhost/api/v1/live/stream', {
      headers: { cookie: office },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache'); // the stream's own, not replaced by the API default
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextWall = async () => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: wall') && data) return JSON.parse(data.slice(6));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextWall();
    const northOf = (w: { gates: { id: number; figures: { entrants: number } }[] }) =>
      w.gates.find((g) => g.id === t.campus.gateIds.north)!.figures.entrants;
    expect(northOf(first)).toBe(9);
    await t.request('POST', '/api/v1/kiosk/events', {
      bearer: world.north.token,
      body: { events: [quickRefusalEvent(13, 'courier', t.clock.now().toISOString())] },
    });
    const second = await nextWall();
    expect(northOf(second)).toBe(10);
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });
});

describe('POST /api/v1/risk-areas/import', () => {
  it('imports every row or none, as one new rule version, and names the bad row', async () => {
    t = createTestApp();
    const office = await t.signIn('office');
    const bad =
      'region_code,level,effective_from,effective_to,note\n110105,high,2026-11-21,,朝阳\n999999,medium,2026-11-21,,\n';
    const refused = await t.request('POST', '/api/v1/risk-areas/import', {
      cookie: office,
      body: { csv: bad, reason: '省卫健委通报' },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.issues).toEqual([
      expect.objectContaining({ path: ['csv', 2, 'regionCode'], code: 'unknown_region' }),
    ]);
    expect((await t.request('GET', '/api/v1/risk-areas', { cookie: office })).json).toEqual([]);

    const good =
      'region_code,level,effective_from,effective_to,note\n110105,high,2026-11-21,,朝阳\n310115,medium,2026-11-21,2026-12-05,浦东\n';
    const preview = await t.request('POST', '/api/v1/risk-areas/import', {
      cookie: office,
      body: { csv: good, reason: '省卫健委通报', dryRun: true },
    });
    expect(preview.json).toEqual({ rows: 2, ruleVersion: null, impact: [] });
    const done = await t.request('POST', '/api/v1/risk-areas/import', {
      cookie: office,
      body: { csv: good, reason: '省卫健委通报' },
    });
    expect(done.json).toMatchObject({ rows: 2, ruleVersion: 2 });
    expect(
      (await t.request('GET', '/api/v1/risk-areas', { cookie: office })).json
        .map((a: { regionCode: string; level: string }) => `${a.regionCode}:${a.level}`)
        .sort(),
    ).toEqual(['110105:high', '310115:medium']);
  });
});
