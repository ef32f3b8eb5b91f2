import { afterEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { ok } from '../../server/domain/api-result';
import { parseCsv } from '../../server/lib/csv';
import { createTestApp, type TestApp } from '../helpers/app';
import { createUser } from '../helpers/builders';
import { requestInput, residentId, visitorInput } from '../helpers/filing';

let t: TestApp;
afterEach(() => t?.cleanup());

async function setup(now = '2026-11-20T02:00:00Z') {
  t = createTestApp({ now });
  return { filer: await t.signIn('filer'), office: await t.signIn('office') };
}
const file = (cookie: string, body: unknown, headers: Record<string, string> = {}) =>
  t.request('POST', '/api/v1/requests', { cookie, body, headers });
const issueCodes = (res: { json: any }) => (res.json.error?.issues ?? []).map((i: { code: string }) => i.code);

describe('POST /api/v1/requests', () => {
  it('files a request for tomorrow, keeping only the ID hash and last four', async () => {
    const { filer } = await setup();
    const res = await file(filer, requestInput(t.campus.gateIds.north));
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'pending', queue: 'normal', visitDateTo: '2026-11-21', ruleVersion: 1 });
    expect(res.json.visitors[0]).toMatchObject({ idLast4: residentId(1).slice(-4), checks: [] });
    expect(JSON.stringify(res.json)).not.toContain(residentId(1));
    expect(res.json.history[0]).toMatchObject({ action: 'filed', toStatus: 'pending' });
  });

  it('applies the lead time at campus midnight: 23:59 may file for tomorrow, 00:00 may not', async () => {
    const { filer } = await setup('2026-11-20T15:59:00Z'); // 23:59 in Shanghai
    expect((await file(filer, requestInput(t.campus.gateIds.north))).status).toBe(201);
    t.clock.set('2026-11-20T16:00:00Z'); // 00:00 on the 21st in Shanghai
    const late = await file(filer, requestInput(t.campus.gateIds.north));
    expect(late.status).toBe(400);
    expect(late.json.error.issues[0]).toMatchObject({
      path: ['visitDateFrom'],
      code: 'lead_time',
      params: { earliest: '2026-11-22' },
    });
    expect(late.json.error.issues[0].messageZh).toContain('2026-11-22');
    expect(late.json.error.issues[0].message).toContain('2026-11-22');
  });

  it('reports every problem in one round: the formats, the region not picked and the lead time, in zh and en', async () => {
    const { filer } = await setup();
    const res = await file(
      filer,
      requestInput(t.campus.gateIds.north, {
        visitDateFrom: '2026-11-20', // today: breaks the lead time
        purpose: '谈',
        escortPhone: 'call me',
        visitors: [visitorInput({ fromRegion: '' }, 1), visitorInput({ closeContact: true }, 2)],
      }),
    );
    expect(res.status).toBe(400);
    const byPath = Object.fromEntries(
      res.json.error.issues.map((i: { path: unknown[] }) => [i.path.join('.'), i]),
    ) as Record<string, { code: string; message: string; messageZh?: string; params?: Record<string, unknown> }>;
    expect(Object.keys(byPath).sort()).toEqual(
      ['escortPhone', 'purpose', 'visitDateFrom', 'visitors.0.fromRegion', 'visitors.1.closeContact'].sort(),
    );
    expect(byPath.purpose).toMatchObject({ code: 'too_small', messageZh: '至少填写 2 个字', params: { min: 2 } });
    expect(byPath['visitors.0.fromRegion']).toMatchObject({
      messageZh: '请选择来源地',
      params: { reason: 'region_required' },
    });
    expect(byPath.escortPhone!.messageZh).toBe('请填写正确的手机号码');
    // The rules ran on what did parse: the dates, and the second visitor (reported at its own place).
    expect(byPath.visitDateFrom).toMatchObject({ code: 'lead_time', params: { earliest: '2026-11-21' } });
    expect(byPath['visitors.1.closeContact']!.code).toBe('close_contact');
    for (const i of Object.values(byPath)) {
      expect(i.messageZh, i.code).toMatch(/[\u4e00-\u9fff]/);
      expect(i.message, i.code).not.toMatch(/[\u4e00-\u9fff]|Too small|Invalid|expected/);
    }
  });

  it('reports the rules beside the formats on an edit too', async () => {
    const { filer } = await setup();
    const filed = await file(filer, requestInput(t.campus.gateIds.north));
    const res = await t.request('PUT', `/api/v1/requests/${filed.json.id}`, {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, { timeFrom: '18:00', timeTo: '09:00', destination: '' }),
    });
    expect(res.status).toBe(400);
    expect(issueCodes(res).sort()).toEqual(['time_order', 'too_small']);
  });

  it('refuses a wrong check digit as a field error at the visitor’s idNumber', async () => {
    const { filer } = await setup();
    const bad = residentId(1).slice(0, 17) + (residentId(1).endsWith('1') ? '2' : '1');
    const res = await file(
      filer,
      requestInput(t.campus.gateIds.north, { visitors: [visitorInput({ idNumber: bad })] }),
    );
    expect(res.status).toBe(400);
    expect(res.json.error.issues[0]).toMatchObject({ path: ['visitors', 0, 'idNumber'], code: 'id_check_digit' });
  });

  it('requires a test within 48 hours before the visit for an out-of-city visitor', async () => {
    const { filer } = await setup();
    const body = (testTakenAt: string) =>
      requestInput(t.campus.gateIds.north, {
        visitors: [visitorInput({ fromRegion: '110101', testTakenAt, testResult: 'negative' })],
      });
    expect((await file(filer, body('2026-11-19T09:00:00+08:00'))).status).toBe(201);
    const stale = await file(filer, body('2026-11-19T08:59:00+08:00'));
    expect(issueCodes(stale)).toEqual(['test_outside_window']);
  });

  it('sends a group over the cap to the group queue, only with a prevention plan', async () => {
    const { filer } = await setup();
    const many = Array.from({ length: 51 }, (_, i) => visitorInput({}, i + 1));
    expect(issueCodes(await file(filer, requestInput(t.campus.gateIds.north, { visitors: many })))).toEqual([
      'prevention_plan_required',
    ]);
    const ok = await file(
      filer,
      requestInput(t.campus.gateIds.north, { visitors: many, preventionPlan: '分两批入校，间隔30分钟' }),
    );
    expect(ok.json).toMatchObject({ queue: 'group', visitorCount: 51 });
  });

  it('refuses a visitor from a risk area by its effective dates', async () => {
    const { filer, office } = await setup();
    const add = (effectiveFrom: string, effectiveTo: string | null) =>
      t.request('POST', '/api/v1/risk-areas', {
        cookie: office,
        body: { regionCode: '410105', level: 'medium', effectiveFrom, effectiveTo, reason: '通报' },
      });
    expect((await add('2026-10-01', '2026-11-05')).status).toBe(201); // ended before the 14-day look-back
    expect((await file(filer, requestInput(t.campus.gateIds.north))).status).toBe(201);
    await add('2026-11-21', null); // in force on the visit day
    expect(issueCodes(await file(filer, requestInput(t.campus.gateIds.north)))).toEqual(['risk_area_home']);
  });

  it('matches the block list by ID hash, and by name and phone after normalising', async () => {
    const { filer, office } = await setup();
    await t.request('POST', '/api/v1/blocklist', {
      cookie: office,
      body: { idType: 'resident_id', idNumber: residentId(7), reason: '提供虚假信息' },
    });
    await t.request('POST', '/api/v1/blocklist', {
      cookie: office,
      body: { name: 'ＷＡＮＧ　Ｗｅｉ', phone: '+86 139 0000 0001', reason: '隔离未解除' },
    });
    expect(
      issueCodes(await file(filer, requestInput(t.campus.gateIds.north, { visitors: [visitorInput({}, 7)] }))),
    ).toEqual(['block_list']);
    const byName = await file(
      filer,
      requestInput(t.campus.gateIds.north, { visitors: [visitorInput({ name: 'wang wei', phone: '13900000001' }, 8)] }),
    );
    expect(issueCodes(byName)).toEqual(['block_list']);
    expect(
      (
        await file(
          filer,
          requestInput(t.campus.gateIds.north, {
            visitors: [visitorInput({ name: 'wang wei', phone: '13900000002' }, 9)],
          }),
        )
      ).status,
    ).toBe(201);
  });

  it('no longer takes the commitment from the department: a ticked box sent anyway is dropped, the visitor signs at the gate', async () => {
    const { filer } = await setup();
    const res = await file(
      filer,
      requestInput(t.campus.gateIds.north, {
        visitors: [
          { ...visitorInput(), commitmentAccepted: true, commitmentVersion: 1 } as ReturnType<typeof visitorInput>,
        ],
      }),
    );
    expect(res.status).toBe(201);
    expect(res.json.visitors[0]).toMatchObject({ declaredBy: 'filer', commitment: null });
  });

  it('files once for a retried Idempotency-Key, and refuses the key for another body', async () => {
    const { filer } = await setup();
    const body = requestInput(t.campus.gateIds.north);
    const first = await file(filer, body, { 'idempotency-key': 'oa-2026-0001' });
    const retry = await file(filer, body, { 'idempotency-key': 'oa-2026-0001' });
    expect(retry.status).toBe(201);
    expect(retry.json.id).toBe(first.json.id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await ok(t.client({ cookie: filer }).requests.$get({ query: {} }))).items).toHaveLength(1);
    const other = await file(filer, { ...body, purpose: '另一件事' }, { 'idempotency-key': 'oa-2026-0001' });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe('idempotency_key_reused');
  });

  it('lets a department token file through the API, idempotently', async () => {
    const { filer } = await setup();
    void filer;
    const admin = await t.signIn('admin');
    const token = (
      await t.request('POST', '/api/v1/tokens', {
        cookie: admin,
        body: { name: 'OA', scopes: ['requests:file'], departmentId: t.campus.departmentIds.cs, expiresInDays: 365 },
      })
    ).json.token;
    const send = () =>
      t.request('POST', '/api/v1/requests', {
        bearer: token,
        body: requestInput(t.campus.gateIds.north),
        headers: { 'idempotency-key': 'k1' },
      });
    const a = await send();
    const b = await send();
    expect(a.status).toBe(201);
    expect(b.json.id).toBe(a.json.id);
    expect(a.json.filedBy).toBe('token:OA');
  });
});

describe('department isolation', () => {
  it('hides another department’s requests, including by guessing ids', async () => {
    const { filer, office } = await setup();
    const mine = await file(filer, requestInput(t.campus.gateIds.north));
    createUser(t.db, t.campus, 'filer', { username: 'mathfiler', departmentId: t.campus.departmentIds.math });
    const other = await t.signIn({ username: 'mathfiler' });
    expect(await ok(t.client({ cookie: other }).requests.$get({ query: {} }))).toEqual({ items: [], nextCursor: null });
    for (let id = 1; id <= mine.json.id + 2; id++) {
      expect((await t.request('GET', `/api/v1/requests/${id}`, { cookie: other })).status).toBe(404);
      expect(
        (
          await t.request('PUT', `/api/v1/requests/${id}`, {
            cookie: other,
            body: requestInput(t.campus.gateIds.north),
          })
        ).status,
      ).toBe(404);
      expect((await t.request('POST', `/api/v1/requests/${id}/cancel`, { cookie: other, body: {} })).status).toBe(404);
    }
    expect(
      (
        await ok(
          t.client({ cookie: other }).requests.$get({ query: { departmentId: String(t.campus.departmentIds.cs) } }),
        )
      ).items,
    ).toEqual([]);
    expect((await t.request('GET', `/api/v1/requests/${mine.json.id}`, { cookie: office })).status).toBe(200);
  });
});

describe('review', () => {
  it('approves with accountability and gives each visitor a pass; cancelling revokes it', async () => {
    const { filer, office } = await setup();
    const filed = await file(
      filer,
      requestInput(t.campus.gateIds.north, { visitors: [visitorInput({}, 1), visitorInput({}, 2)] }),
    );
    const queue = await ok(t.client({ cookie: office }).review.queue.$get({ query: {} }));
    expect(queue.items.map((q) => q.id)).toEqual([filed.json.id]);
    const approved = await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, {
      cookie: office,
      body: { note: '同意' },
    });
    expect(approved.json.status).toBe('approved');
    expect(approved.json.visitors.every((v: { pass: unknown }) => v.pass)).toBe(true);
    expect(approved.json.history.at(-1)).toMatchObject({ action: 'approved', actor: 'user:office1' });
    // Approved visitors hold passes: cancelling says why, or is refused.
    const silent = await t.request('POST', `/api/v1/requests/${filed.json.id}/cancel`, { cookie: filer, body: {} });
    expect(silent.status).toBe(400);
    expect(silent.json.error.issues[0]).toMatchObject({ path: ['note'], code: 'reason_required' });
    const cancelled = await t.request('POST', `/api/v1/requests/${filed.json.id}/cancel`, {
      cookie: filer,
      body: { note: '会议取消' },
    });
    expect(cancelled.json.visitors.every((v: { pass: { revoked: boolean } }) => v.pass.revoked)).toBe(true);
    expect(cancelled.json.history.at(-1)).toMatchObject({ action: 'cancelled', note: '会议取消' });
  });

  it('rejects with a reason code', async () => {
    const { filer, office } = await setup();
    const filed = await file(filer, requestInput(t.campus.gateIds.north));
    const res = await t.request('POST', `/api/v1/review/${filed.json.id}/reject`, {
      cookie: office,
      body: { reasonCode: 'insufficient_reason', note: '来访事由不充分' },
    });
    expect(res.json).toMatchObject({ status: 'rejected', decisionReasonCode: 'insufficient_reason' });
  });

  it('bulk-approves, each request on its own', async () => {
    const { filer, office } = await setup();
    const a = await file(filer, requestInput(t.campus.gateIds.north));
    const b = await file(filer, requestInput(t.campus.gateIds.north, { visitors: [visitorInput({}, 2)] }));
    const res = await t.request('POST', '/api/v1/review/approve-bulk', {
      cookie: office,
      body: { ids: [a.json.id, b.json.id, 999] },
    });
    expect(res.json.approved).toEqual([a.json.id, b.json.id]);
    expect(res.json.failed).toEqual([expect.objectContaining({ id: 999, code: 'not_found' })]);
  });

  it('exports the list with the screen’s filters: every match, status labels, times in the campus zone', async () => {
    const { filer, office } = await setup();
    const a = await file(filer, requestInput(t.campus.gateIds.north, { purpose: '学术交流' }));
    await file(filer, requestInput(t.campus.gateIds.north, { purpose: '设备维修' }));
    await t.request('POST', `/api/v1/review/${a.json.id}/approve`, { cookie: office, body: {} });
    const res = await t.request('GET', '/api/v1/requests/export?format=csv&status=approved', { cookie: filer });
    expect(res.status).toBe(200);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('status=approved');
    expect(lines[0]).toContain('time zone: Asia/Shanghai');
    expect(lines[1]).toContain('提交时间 Filed at (Asia/Shanghai)');
    expect(lines).toHaveLength(3); // the header line, the column names, the one approved request
    expect(lines[2]).toContain('学术交流');
    expect(lines[2]).toContain('已批准 approved');
    expect(lines[2]).toContain('2026-11-20 10:00'); // filed at 02:00 UTC: 10:00 on campus
    expect(lines[2]).not.toContain('T02:00');
  });

  it('exports a request’s visitors: pass state, full links to paste into a message, ID numbers only as last four', async () => {
    const { filer, office } = await setup();
    const two = [1, 2].map((i) => visitorInput({}, i));
    const filed = await file(filer, requestInput(t.campus.gateIds.north, { visitors: two }));
    const approved = await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} });
    const url = `/api/v1/requests/${filed.json.id}/visitors/export`;
    const res = await t.request('GET', `${url}?format=csv`, { cookie: filer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`gatehouse-request-${filed.json.id}-visitors.csv`);
    const [head, columns, ...rows] = parseCsv(res.text);
    expect(head![0]).toContain('time zone: Asia/Shanghai');
    const col = (name: string) => columns!.findIndex((c) => c.startsWith(name));
    const shown = approved.json.visitors as { name: string; idLast4: string; pass: { link: string } }[];
    expect(
      rows.map((r) => [
        r[col('姓名')],
        r[col('证件类型')],
        r[col('证件后四位')],
        r[col('来源地')],
        r[col('通行码 Pass')],
      ]),
    ).toEqual(shown.map((v) => [v.name, '居民身份证 resident ID', v.idLast4, '河南省 郑州市 金水区', '有效 valid']));
    expect(rows.map((r) => new URL(r[col('通行码链接')]!).pathname)).toEqual(shown.map((v) => v.pass.link));
    for (const v of two) expect(res.text).not.toContain(v.idNumber);
    const xlsx = await t.app.request(`http://localhost${url}?format=xlsx`, { headers: { cookie: office } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    expect(wb.worksheets[0]!.rowCount).toBe(2 + 2);
    // Another department cannot have it, even by guessing the number; the export is in the audit log.
    createUser(t.db, t.campus, 'filer', { username: 'mathfiler', departmentId: t.campus.departmentIds.math });
    const other = await t.signIn({ username: 'mathfiler' });
    expect((await t.request('GET', `${url}?format=csv`, { cookie: other })).status).toBe(404);
    expect(t.sqlite.prepare("select count(*) n from audit_log where action = 'request.visitors_export'").get()).toEqual(
      { n: 2 },
    );
  });

  it('keeps the visitors an edit names by id, ID number, link and all; only a new or changed number is typed', async () => {
    const { filer } = await setup();
    const three = [1, 2, 3].map((i) => visitorInput({}, i));
    const filed = await file(filer, requestInput(t.campus.gateIds.north, { visitors: three }));
    const [a, , c] = filed.json.visitors as { id: number; idLast4: string }[];
    const kept = (v: { id: number }, i: number) => {
      const { idNumber: _omitted, ...rest } = visitorInput({}, i);
      return { ...rest, id: v.id };
    };
    const put = (body: unknown) => t.request('PUT', `/api/v1/requests/${filed.json.id}`, { cookie: filer, body });
    // The second visitor is dropped; the other two are named by id, their numbers not typed again.
    const edited = await put(requestInput(t.campus.gateIds.north, { visitors: [kept(a!, 1), kept(c!, 3)] }));
    expect(edited.status).toBe(200);
    expect(edited.json.visitors.map((v: { id: number; idLast4: string }) => [v.id, v.idLast4])).toEqual([
      [a!.id, a!.idLast4],
      [c!.id, c!.idLast4],
    ]);
    // A new visitor still needs a number; an id from elsewhere, or a new document type without its number, is refused.
    const { idNumber: _n, ...noNumber } = visitorInput({}, 4);
    expect(issueCodes(await put(requestInput(t.campus.gateIds.north, { visitors: [noNumber] })))).toEqual(['required']);
    expect(
      issueCodes(await put(requestInput(t.campus.gateIds.north, { visitors: [{ ...kept(a!, 1), id: 99_999 }] }))),
    ).toEqual(['unknown_visitor']);
    expect(
      issueCodes(
        await put(requestInput(t.campus.gateIds.north, { visitors: [{ ...kept(a!, 1), idType: 'passport' }] })),
      ),
    ).toEqual(['required']);
    expect(issueCodes(await file(filer, requestInput(t.campus.gateIds.north, { visitors: [kept(a!, 1)] })))).toEqual([
      'unknown_visitor',
    ]);
  });

  it('needs the department approver first when the department asks for it', async () => {
    const { office } = await setup();
    const admin = await t.signIn('admin');
    await t.request('PATCH', `/api/v1/departments/${t.campus.departmentIds.cs}`, {
      cookie: admin,
      body: { requiresDeptApproval: true },
    });
    const approver = createUser(t.db, t.campus, 'filer', { username: 'head' });
    expect(
      (await t.request('PATCH', `/api/v1/users/${approver.id}`, { cookie: admin, body: { deptApprover: true } })).json
        .deptApprover,
    ).toBe(true);
    const filer = await t.signIn('filer');
    const filed = await file(filer, requestInput(t.campus.gateIds.north));
    expect(filed.json.status).toBe('pending_dept');
    expect(
      (await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} })).status,
    ).toBe(403);
    expect(
      (await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: filer, body: {} })).status,
    ).toBe(403);
    const head = await t.signIn({ username: 'head' });
    expect(
      (await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: head, body: {} })).json.status,
    ).toBe('pending');
    expect(
      (await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} })).json.status,
    ).toBe('approved');
    // The approver rejects at the first level only: a filer who is not one, or a request past it, is refused.
    expect((await t.request('GET', '/api/v1/auth/me', { cookie: head })).json.deptApprover).toBe(true);
    const second = await file(filer, requestInput(t.campus.gateIds.north));
    const reject = (cookie: string, id: number) =>
      t.request('POST', `/api/v1/review/${id}/reject`, {
        cookie,
        body: { reasonCode: 'other', note: '与本部门工作无关' },
      });
    expect((await reject(filer, second.json.id)).status).toBe(403);
    expect((await reject(head, filed.json.id)).status).toBe(403);
    const rejected = await reject(head, second.json.id);
    expect(rejected.json).toMatchObject({ status: 'rejected', decisionReasonCode: 'other' });
    expect(rejected.json.history.at(-1)).toMatchObject({ action: 'rejected', actorName: expect.any(String) });
  });

  it('re-checks approved future visits when a risk area is added, after showing the impact', async () => {
    const { filer, office } = await setup();
    const filed = await file(filer, requestInput(t.campus.gateIds.north));
    await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} });
    const area = {
      regionCode: '410100',
      level: 'high',
      effectiveFrom: '2026-11-20',
      effectiveTo: null,
      reason: '市疫情通报',
    };
    const preview = await t.request('POST', '/api/v1/risk-areas/preview', { cookie: office, body: area });
    expect(preview.json).toEqual([expect.objectContaining({ requestId: filed.json.id, reasons: ['risk_area_home'] })]);
    expect((await t.request('GET', `/api/v1/requests/${filed.json.id}`, { cookie: filer })).json.status).toBe(
      'approved',
    ); // preview saved nothing
    const saved = await t.request('POST', '/api/v1/risk-areas', { cookie: office, body: area });
    expect(saved.json.ruleVersion).toBe(2);
    const after = (await t.request('GET', `/api/v1/requests/${filed.json.id}`, { cookie: filer })).json;
    expect(after).toMatchObject({ status: 'needs_review', reviewReasons: ['risk_area_home'] });
    expect(after.visitors[0].pass.revoked).toBe(true);
    expect(after.history.at(-1)).toMatchObject({ action: 'recheck_failed' });
    expect(
      (await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} })).json.error
        .code,
    ).toBe('checks_failed');
  });

  it('records an emergency admit with a backfill deadline, overdue when it passes', async () => {
    const { filer, office } = await setup();
    const res = await t.request('POST', '/api/v1/review/emergency', {
      cookie: office,
      body: {
        departmentId: t.campus.departmentIds.cs,
        gateId: t.campus.gateIds.north,
        visitorName: '维修工 赵',
        visitorPhone: '13700000000',
        purpose: '抢修水管',
        reason: '实验楼水管爆裂',
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ emergency: true, status: 'approved', backfilledAt: null });
    const due = new Date(res.json.backfillDueAt).getTime() - t.clock.now().getTime();
    expect(due).toBe(8 * 3_600_000);
    t.clock.advance(8 * 3_600_000 + 60_000);
    const queue = await ok(
      t.client({ cookie: await t.signIn('office') }).review.queue.$get({ query: { queue: 'backfill' } }),
    );
    expect(queue.items[0]).toMatchObject({ id: res.json.id, backfillOverdue: true });
    void filer;
    const backfill = await t.request('PUT', `/api/v1/requests/${res.json.id}`, {
      cookie: await t.signIn('filer'),
      body: requestInput(t.campus.gateIds.north, {
        visitDateFrom: '2026-11-20',
        visitors: [visitorInput({ name: '赵师傅' })],
      }),
    });
    expect(backfill.status).toBe(200);
    expect(backfill.json.backfilledAt).not.toBeNull();
  });
});

describe('GET /api/v1/regions', () => {
  it('finds GB/T 2260 regions by Chinese name and by code', async () => {
    const { filer } = await setup();
    const byName = await t.request('GET', `/api/v1/regions?q=${encodeURIComponent('金水')}`, { cookie: filer });
    expect(byName.json).toContainEqual(expect.objectContaining({ code: '410105', fullName: '河南省 郑州市 金水区' }));
    const byCode = await t.request('GET', '/api/v1/regions?q=4101', { cookie: filer });
    expect(byCode.json[0].code).toMatch(/^4101/);
  });

  it('finds them by pinyin, by an English name and by initials, as someone without a Chinese keyboard types', async () => {
    const { filer } = await setup();
    const codes = async (q: string) =>
      (
        (await t.request('GET', `/api/v1/regions?q=${encodeURIComponent(q)}`, { cookie: filer })).json as {
          code: string;
        }[]
      ).map((r) => r.code);
    expect(await codes('jinshui')).toEqual(['410105']);
    expect(await codes('Jinshui District')).toEqual(['410105']);
    expect(await codes('jsq')).toContain('410105');
    expect(await codes('chaoyang')).toEqual(expect.arrayContaining(['110105', '220104'])); // Beijing's and Changchun's
  });
});

describe('rules a deliberate bug could break unnoticed', () => {
  it('holds an edit to the lead time: a pending request cannot be moved to today', async () => {
    const { filer } = await setup();
    const filed = await file(filer, requestInput(t.campus.gateIds.north, { visitDateFrom: '2026-11-21' }));
    expect(filed.status).toBe(201);
    const moved = await t.request('PUT', `/api/v1/requests/${filed.json.id}`, {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, { visitDateFrom: '2026-11-20' }),
    });
    expect(moved.status).toBe(400);
    expect(moved.json.error.issues.map((i: { code: string }) => i.code)).toContain('lead_time');
    expect((await t.request('GET', `/api/v1/requests/${filed.json.id}`, { cookie: filer })).json.visitDateFrom).toBe(
      '2026-11-21',
    );
  });

  it('refuses an edit after approval and leaves the live passes as they were', async () => {
    const { filer, office } = await setup();
    const filed = await file(filer, requestInput(t.campus.gateIds.north));
    const approved = await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} });
    const pass = approved.json.visitors[0].pass as { id: string; link: string };
    const edit = await t.request('PUT', `/api/v1/requests/${filed.json.id}`, {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, { purpose: '改了目的' }),
    });
    expect(edit.status).toBe(409);
    expect(edit.json.error.code).toBe('not_editable');
    const after = (await t.request('GET', `/api/v1/requests/${filed.json.id}`, { cookie: filer })).json;
    expect(after).toMatchObject({ status: 'approved', purpose: filed.json.purpose });
    expect(after.visitors[0].pass).toMatchObject({ id: pass.id, link: pass.link, revoked: false });
    const view = await t.request('GET', `/api/v1/visit/${pass.link.split('/').pop()}`);
    expect(view.json.pass.token).toEqual(expect.any(String));
  });

  it('does not let a filer revoke another department’s pass, nor learn that it exists', async () => {
    const { filer, office } = await setup();
    const filed = await file(filer, requestInput(t.campus.gateIds.north));
    const approved = await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} });
    const passId = approved.json.visitors[0].pass.id as string;
    createUser(t.db, t.campus, 'filer', { username: 'mathfiler2', departmentId: t.campus.departmentIds.math });
    const other = await t.signIn({ username: 'mathfiler2' });
    const res = await t.request('POST', `/api/v1/passes/${passId}/revoke`, {
      cookie: other,
      body: { reason: '不是我们的' },
    });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('not_found');
    expect(t.sqlite.prepare('select revoked_at from passes where id = ?').pluck().get(passId)).toBeNull();
    expect(
      (await t.request('POST', `/api/v1/passes/${passId}/revoke`, { cookie: filer, body: { reason: '会议取消' } }))
        .status,
    ).toBe(200);
    const twice = await t.request('POST', `/api/v1/passes/${passId}/revoke`, {
      cookie: filer,
      body: { reason: '再次' },
    });
    expect(twice.json.error.code).toBe('already_revoked');
  });
});
