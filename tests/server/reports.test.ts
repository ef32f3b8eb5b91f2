import { afterEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { ok } from '../../server/domain/api-result';
import { createTestApp, type TestApp } from '../helpers/app';
import { admitAt, gateDay, runJobs, temps } from '../helpers/office';
import { approvedRequest, enrollDevice } from '../helpers/kiosk';
import { visitorInput } from '../helpers/filing';
import { parseCsv } from '../../server/lib/csv';

let t: TestApp;
afterEach(() => t?.cleanup());

const zeroGroups = {
  courier_delivery: 0,
  no_pass: 0,
  forged_pass: 0,
  pass_invalid: 0,
  fever: 0,
  code_colour: 0,
  test_missing: 0,
  block_list: 0,
  id_mismatch: 0,
  stale_data: 0,
  other: 0,
};

async function reportsOf(day: string) {
  const office = await t.signIn('office');
  const res = await ok(t.client({ cookie: office }).reports.daily.$get({ query: { from: day, to: day } }));
  expect(res.nextCursor).toBeNull();
  return Object.fromEntries(res.items.map((r) => [r.scope, r]));
}

describe('daily reports', () => {
  it('counts a day by hand per gate and for the campus, makes zero reports for a quiet day, and follows events that sync days late', async () => {
    t = createTestApp();
    const world = await gateDay(t);
    const north = String(t.campus.gateIds.north);
    const east = String(t.campus.gateIds.east);
    const south = String(t.campus.gateIds.south);

    t.clock.set('2026-11-22T02:00:00Z'); // the job runs the next morning
    runJobs(t);
    let day21 = await reportsOf('2026-11-21');
    expect(day21[north]!.figures).toEqual({
      entrants: 9,
      admitted: 4,
      refused: 5,
      refusedBy: { ...zeroGroups, courier_delivery: 2, code_colour: 1, fever: 1, pass_invalid: 1 },
      feverRetests: 2,
      exits: 2,
      emergencyAdmits: 1,
      overrideAdmits: 0,
      // The department entered these visitors: they signed the commitment on paper at the gate.
      paperPathAdmits: 3,
      selfDeclaredAdmits: 0,
      overdueBackfills: 1,
      overstays: 2,
      expiredNotSignedOut: 2,
      tabletOfflineMinutes: 1439,
      lateEvents: 0,
      memberExits: 0,
      memberReturns: 0,
      memberExitsRefused: 0,
      memberEntriesRefused: 0,
      memberRefusedNoLeave: 0,
      memberRefusedNoCheckIn: 0,
      memberRefusedRiskHold: 0,
      overdueLeaves: 0,
      missingCheckIns: 0,
    });
    expect(day21[east]!.figures).toMatchObject({
      entrants: 1,
      admitted: 1,
      refused: 0,
      overstays: 1,
      expiredNotSignedOut: 1,
      overdueBackfills: 0,
      tabletOfflineMinutes: 1439,
    });
    expect(day21[south]!.figures).toMatchObject({ entrants: 0, tabletOfflineMinutes: 0 });
    expect(day21.campus!.figures).toMatchObject({
      entrants: 10,
      admitted: 5,
      refused: 5,
      exits: 2,
      overstays: 3,
      expiredNotSignedOut: 3,
      feverRetests: 2,
      emergencyAdmits: 1,
      overrideAdmits: 0,
      overdueBackfills: 1,
      tabletOfflineMinutes: 2878,
    });

    // The office signs the north gate off; the campus report stays open.
    const signed = await t.request('POST', `/api/v1/reports/daily/${day21[north]!.id}/sign-off`, {
      cookie: await t.signIn('office'),
    });
    expect(signed.json).toMatchObject({ status: 'signed_off', signedOffBy: 'office user' });
    expect(
      (
        await t.request('POST', `/api/v1/reports/daily/${day21[north]!.id}/sign-off`, {
          cookie: await t.signIn('office'),
        })
      ).status,
    ).toBe(409);

    // Two days later the office raises the fever threshold, and the north tablet syncs a refusal
    // of the 21st it had kept offline: the 21st is recounted, with the thresholds it was decided on.
    t.clock.set('2026-11-23T02:00:00Z');
    const office = await t.signIn('office');
    const { rules } = (await t.request('GET', '/api/v1/rules', { cookie: office })).json;
    expect(
      (
        await t.request('PUT', '/api/v1/rules', {
          cookie: office,
          body: { rules: { ...rules, feverThresholdC: 38.0 }, reason: '冬季调整' },
        })
      ).status,
    ).toBe(200);
    await t.request('POST', '/api/v1/kiosk/events', { bearer: world.north.token, body: { events: [world.late] } });
    runJobs(t);
    day21 = await reportsOf('2026-11-21');
    expect(day21[north]).toMatchObject({
      status: 'signed_off',
      lateSinceSignOff: 1,
      figures: { entrants: 9, lateEvents: 0 },
    }); // frozen, with the late event shown beside
    expect(day21.campus!.figures).toMatchObject({
      entrants: 11,
      refused: 6,
      lateEvents: 1,
      feverRetests: 2,
      refusedBy: { ...zeroGroups, courier_delivery: 3, code_colour: 1, fever: 1, pass_invalid: 1 },
    });

    expect(
      (
        await t.request('POST', `/api/v1/reports/daily/${day21[north]!.id}/reopen`, {
          cookie: await t.signIn('office'),
          body: { reason: '' },
        })
      ).status,
    ).toBe(400);
    const reopened = await t.request('POST', `/api/v1/reports/daily/${day21[north]!.id}/reopen`, {
      cookie: await t.signIn('office'),
      body: { reason: '北门平板迟到同步一条记录' },
    });
    expect(reopened.json).toMatchObject({ status: 'open', figures: { entrants: 10, lateEvents: 1 } });
    const detail = (
      await t.request('GET', `/api/v1/reports/daily/${day21[north]!.id}`, { cookie: await t.signIn('office') })
    ).json;
    expect(
      detail.history.map((h: { action: string; reason: string | null; by: string }) => [h.action, h.reason, h.by]),
    ).toEqual([
      ['signed_off', null, 'office user'],
      ['reopened', '北门平板迟到同步一条记录', 'office user'],
    ]);

    // The 22nd had no events at all: every gate and the campus still have a report, all zero.
    const day22 = await reportsOf('2026-11-22');
    expect(Object.keys(day22).sort()).toEqual(['campus', north, east, south].sort());
    for (const r of Object.values(day22))
      expect(r.figures).toMatchObject({ entrants: 0, admitted: 0, refused: 0, exits: 0, refusedBy: zeroGroups });
    expect(day22[north]!.figures.tabletOfflineMinutes).toBe(1440);
  });

  it('counts fever re-tests from the engine’s own answer: readings rounded to 0.1 °C before the threshold', async () => {
    t = createTestApp();
    const tablet = await enrollDevice(t, t.campus.gateIds.north);
    const req = await approvedRequest(t, t.campus.gateIds.north, [visitorInput({}, 1), visitorInput({}, 2)]);
    const [a, b] = req.visitors.map((v) => v.pass.id) as [string, string];
    // 37.25 °C rounds to 37.3, the threshold: a re-test (the raw reading is below it). 37.24 does not.
    const events = [
      admitAt(1, a, '10:31', {
        temperatures: temps([
          [37.25, '10:25'],
          [36.8, '10:31'],
        ]),
      }),
      admitAt(2, b, '10:40', { temperatures: temps([[37.24, '10:40']]) }),
    ];
    await ok(t.client({ bearer: tablet.token }).kiosk.events.$post({ json: { events } }));
    expect(t.sqlite.prepare('select fever_retest f from gate_events order by seq').pluck().all()).toEqual([1, 0]);
    t.clock.set('2026-11-22T02:00:00Z');
    runJobs(t);
    const day = await reportsOf('2026-11-21');
    expect(day[String(t.campus.gateIds.north)]!.figures).toMatchObject({ admitted: 2, feverRetests: 1 });
  });

  it('exports exactly the rows of the table, every page, under a header line with the filters and time zone', async () => {
    t = createTestApp();
    await gateDay(t);
    t.clock.set('2026-11-24T02:00:00Z');
    runJobs(t);
    const filter = 'from=2026-11-20&to=2026-11-23';
    const office = t.client({ cookie: await t.signIn('office') });
    const north21 = (
      await ok(office.reports.daily.$get({ query: { from: '2026-11-21', to: '2026-11-21' } }))
    ).items.find((r) => r.gateId === t.campus.gateIds.north)!;
    await ok(office.reports.daily[':id']['sign-off'].$post({ param: { id: String(north21.id) } }));
    const pages = [];
    for (let cursor: string | undefined, n = 0; n === 0 || cursor; n++) {
      const res = await ok(
        office.reports.daily.$get({
          query: { from: '2026-11-20', to: '2026-11-23', limit: '5', ...(cursor ? { cursor } : {}) },
        }),
      );
      expect(res.total).toBe(16);
      pages.push(...res.items);
      cursor = res.nextCursor ?? undefined;
    }
    expect(pages).toHaveLength(16); // 4 days × (3 gates + campus)
    const screen = pages.map((r) => [
      r.day,
      r.scope === 'campus' ? '全校 Campus' : r.gateNameEn ? `${r.gateName} ${r.gateNameEn}` : r.gateName,
      String(r.figures.entrants),
      String(r.figures.admitted),
      String(r.figures.refused),
    ]);

    const csv = await t.request('GET', `/api/v1/reports/daily/export?${filter}&format=csv`, {
      cookie: await t.signIn('office'),
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('cache-control')).toBe('no-store'); // names of visitors' hosts: no shared-PC cache keeps it
    const [headerLine, columns, ...rows] = parseCsv(csv.text);
    expect(headerLine![0]).toContain('from=2026-11-20; to=2026-11-23; scope=all');
    expect(headerLine![0]).toContain('time zone: Asia/Shanghai');
    const col = (name: string) => columns!.findIndex((c) => c.startsWith(name));
    expect(
      rows.map((r) => [r[col('日期')], r[col('范围')], r[col('入校人次')], r[col('放行')], r[col('劝返 Refused')]]),
    ).toEqual(screen);
    // People's words, not codes: labels, the zero report said outright, times in the zone named above.
    expect(columns).toContain('劝返：快递外卖 courier/delivery');
    expect(columns).toContain('签收时间 Signed off at (Asia/Shanghai)');
    const northOn21 = rows.find((r) => r[col('日期')] === '2026-11-21' && r[col('范围')]!.startsWith('北门'))!;
    expect(northOn21[col('状态')]).toBe('已签收 signed off');
    expect(northOn21[col('零报告')]).toBe('否 no');
    expect(northOn21[col('劝返：快递外卖')]).toBe('2');
    expect(northOn21[col('签收时间')]).toBe('2026-11-24 10:00');
    expect(northOn21[col('签收人')]).toBe('office user');
    const quiet = rows.filter((r) => r[col('日期')] === '2026-11-22');
    expect(quiet.map((r) => [r[col('状态')], r[col('零报告')]])).toEqual(quiet.map(() => ['待签收 open', '是 yes']));
    expect(csv.text).not.toMatch(/signed_off|courier_delivery|\d{4}-\d\d-\d\dT/);

    const xlsx = await t.app.request('http://localhost/api/v1/reports/daily/export?' + filter + '&format=xlsx', {
      headers: { cookie: await t.signIn('office') },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    const sheet = wb.worksheets[0]!;
    expect(String(sheet.getRow(1).getCell(1).value)).toContain('time zone: Asia/Shanghai');
    const xRows = sheet
      .getRows(3, sheet.rowCount - 2)!
      .map((r) =>
        [r.getCell(1).value, r.getCell(2).value, r.getCell(5).value, r.getCell(6).value, r.getCell(7).value].map(
          String,
        ),
      );
    expect(xRows).toEqual(screen);
    const audit = t.sqlite.prepare("select count(*) n from audit_log where action = 'report.export'").get();
    expect(audit).toEqual({ n: 2 });
  });

  it('answers trends for 7 and 30 days, one point per day, zero days included', async () => {
    t = createTestApp();
    await gateDay(t);
    t.clock.set('2026-11-23T02:00:00Z');
    runJobs(t);
    const week = (await t.request('GET', '/api/v1/reports/trend?days=7', { cookie: await t.signIn('office') })).json;
    expect(week).toHaveLength(7);
    expect(week.at(-1)).toEqual({ day: '2026-11-22', entrants: 0, admitted: 0, refused: 0, feverRetests: 0 });
    expect(week.find((d: { day: string }) => d.day === '2026-11-21')).toMatchObject({ entrants: 10, admitted: 5 });
    expect(
      (await t.request('GET', '/api/v1/reports/trend?days=30', { cookie: await t.signIn('office') })).json,
    ).toHaveLength(30);
    expect((await t.request('GET', '/api/v1/reports/trend?days=12', { cookie: await t.signIn('office') })).status).toBe(
      400,
    );
  });
});
