import { randomBytes, randomUUID } from 'node:crypto';
import { uuidv7 } from '../server/domain/ids';
import { addDays, campusDate, instantAt } from '../server/domain/dates';
import { currentRules } from '../server/rules/store';
import { computeDay } from '../server/reports/figures';
import { ensureDailyReports } from '../server/reports/store';
import { coPresence, passages } from '../server/tracing/queries';
import { buildWall } from '../server/live/wall';
import { createTestApp } from '../tests/helpers/app';
import { row, timeEach } from './lib';

const DAYS = 90;
const EVENTS = 1_000_000;

/**
 * The office's heavy reads over 1,000,000 seeded gate events (90 days, 3 gates, ~11,000 a day),
 * each against a baseline measured in the same run on the same file: the least any answer must
 * do, a bare indexed scan of the same rows.
 */
export async function benchOffice() {
  const t = createTestApp({ now: '2026-11-22T02:00:00Z' });
  const { rules } = currentRules(t.db);
  const today = campusDate(t.clock.now(), rules.timezone);
  const first = addDays(today, -DAYS);
  const gates = Object.values(t.campus.gateIds);
  const started = performance.now();
  t.sqlite.pragma('synchronous = OFF'); // seeding only; every measurement below reads
  const seed = t.sqlite.transaction(() => {
    const token = t.sqlite.prepare(
      "insert into api_tokens (name, token_hash, role, gate_id) values ('device', ?, 'guard', ?)",
    );
    const device = t.sqlite.prepare(
      "insert into devices (gate_id, name, api_token_id, enrolled_at) values (?, 'bench', ?, ?)",
    );
    const deviceIds = gates.map((g) =>
      Number(
        device.run(
          g,
          Number(token.run(randomBytes(16).toString('hex'), g).lastInsertRowid),
          instantAt(first, '00:00', rules.timezone).getTime(),
        ).lastInsertRowid,
      ),
    );
    const req = t.sqlite.prepare(
      "insert into visit_requests (department_id, filed_by_label, status, visit_date_from, visit_date_to, time_from, time_to, gate_ids, purpose, destination, escort_name, escort_phone, rule_version, created_at, updated_at) values (?, 'bench', 'approved', ?, ?, '08:00', '18:00', ?, '交流', '主楼', '李老师', '13911112222', 1, ?, ?)",
    );
    const vis = t.sqlite.prepare(
      "insert into visitors (request_id, name, name_norm, id_type, id_hash, id_last4, phone, from_region, visited_regions, close_contact, out_of_city, checks, link_token) values (?, ?, ?, 'resident_id', ?, '1234', '13800000000', '410105', '[]', 0, 0, '[]', ?)",
    );
    const pass = t.sqlite.prepare(
      "insert into passes (id, visitor_id, request_id, kid, token, code_secret, valid_from, valid_to, gate_ids, entries_allowed, printable, created_at) values (?, ?, ?, 1, 't', 's', ?, ?, ?, 1, 1, ?)",
    );
    const insertEvent = t.sqlite.prepare(
      "insert into gate_events (id, device_id, gate_id, seq, type, at, received_at, pass_id, verdict, reasons, checks, input, rule_version, disagreement, fever_retest) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, 1, 0, ?)",
    );
    // fever_retest as ingest records it (the engine's answer): set on the fever refusals.
    const ev = { run: (...a: unknown[]) => insertEvent.run(...a, a[9] === '["fever"]' ? 1 : 0) };
    const inside: string[] = [];
    const seqs = new Map<number, number>();
    const input = JSON.stringify({
      pass: { ok: true },
      healthCode: { colour: 'green', method: 'seen_by_guard' },
      temperatures: [{ celsius: 36.5, method: 'forehead_ir', at: '2026-01-01T00:00:00Z' }],
      testRequired: false,
      testConfirmed: null,
      idConfirmed: null,
      snapshotFresh: true,
    });
    const fever = JSON.stringify({
      pass: { ok: true },
      healthCode: { colour: 'green', method: 'seen_by_guard' },
      temperatures: [
        { celsius: 37.6, method: 'forehead_ir', at: '2026-01-01T00:00:00Z' },
        { celsius: 37.5, method: 'forehead_ir', at: '2026-01-01T00:06:00Z' },
      ],
      testRequired: false,
      testConfirmed: null,
      idConfirmed: null,
      snapshotFresh: true,
    });
    const perDay = Math.ceil(EVENTS / DAYS);
    let n = 0;
    for (let d = 0; d < DAYS && n < EVENTS; d++) {
      const day = addDays(first, d);
      const dayStart = instantAt(day, '07:00', rules.timezone).getTime();
      const now = instantAt(day, '20:00', rules.timezone).getTime();
      // A quarter of the day's events are admits with their pass and visitor, a quarter exits, half refusals.
      for (let i = 0; i < perDay && n < EVENTS; i++, n++) {
        const g = i % gates.length;
        const at = dayStart + Math.floor((i / perDay) * 12 * 3_600_000);
        const deviceId = deviceIds[g]!;
        const seq = (seqs.get(deviceId) ?? 0) + 1;
        seqs.set(deviceId, seq);
        const kind = i % 4;
        if (kind === 0 || kind === 1) {
          const passId = randomBytes(8).toString('hex');
          if (kind === 0) {
            const r = Number(
              req.run(t.campus.departmentIds.cs, day, day, JSON.stringify([gates[g]]), at, at).lastInsertRowid,
            );
            const v = Number(vis.run(r, `访客${n}`, `访客${n}`, randomUUID(), randomUUID()).lastInsertRowid);
            pass.run(
              passId,
              v,
              r,
              instantAt(day, '07:00', rules.timezone).getTime(),
              instantAt(day, '18:00', rules.timezone).getTime(),
              JSON.stringify([gates[g]]),
              at,
            );
            ev.run(uuidv7(at), deviceId, gates[g], seq, 'decision', at, now, passId, 'admit', '[]', input);
            inside.push(passId);
          } else
            ev.run(
              uuidv7(at),
              deviceId,
              gates[g],
              seq,
              'decision',
              at,
              now,
              null,
              'refuse',
              i % 40 === 1 ? '["fever"]' : '["courier"]',
              i % 40 === 1 ? fever : input,
            );
        } else if (kind === 2) {
          ev.run(uuidv7(at), deviceId, gates[g], seq, 'decision', at, now, null, 'refuse', '["pass_expired"]', input);
        } else {
          // The earliest visitor still inside leaves (by whichever gate), an hour after this slot.
          ev.run(
            uuidv7(at + 3_600_000),
            deviceId,
            gates[g],
            seq,
            'exit',
            at + 3_600_000,
            now,
            inside.shift() ?? null,
            null,
            '[]',
            null,
          );
        }
      }
    }
    return n;
  });
  const seeded = seed();
  t.sqlite.pragma('synchronous = FULL');
  t.sqlite.pragma('analysis_limit = 1000');
  t.sqlite.exec('analyze');
  console.log(
    `\nOffice reads over ${seeded.toLocaleString()} seeded events (${DAYS} days, ${gates.length} gates), seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const day = addDays(today, -10);
  const { start, end } = {
    start: instantAt(day, '00:00', rules.timezone).getTime(),
    end: instantAt(addDays(day, 1), '00:00', rules.timezone).getTime(),
  };
  const bareScan = t.sqlite.prepare(
    "select count(*), sum(verdict = 'admit'), sum(type = 'exit') from gate_events where at >= ? and at < ?",
  );
  const base = await timeEach(30, () => bareScan.get(start, end));
  const report = await timeEach(30, () => computeDay(t.db, day, gates, rules, t.clock.now()));
  row('baseline: bare count of one day (at index)', base);
  row('daily report: campus + 3 gates from events', report, '(target ≤ 200 ms)');
  const office = await t.signIn('office');
  // The daily job's first run after an upgrade makes every past day's reports once (timed);
  // then one day's rows are rebuilt per request.
  const backfill = performance.now();
  const made = ensureDailyReports(t.db, t.clock.now(), rules);
  console.log(
    `daily job's first run, making all ${DAYS} days' reports (${made} rows): ${((performance.now() - backfill) / 1000).toFixed(1)} s`,
  );
  const http = await timeEach(10, async () => {
    t.sqlite.prepare('delete from daily_reports where day = ?').run(day);
    const res = await t.request('GET', `/api/v1/reports/daily?from=${day}&to=${day}`, { cookie: office });
    if (res.status !== 200 || res.json.items.length !== 4) throw new Error(`report route answered ${res.status}`);
  });
  row('GET /reports/daily, one day, rows rebuilt', http);

  const from = new Date(instantAt(day, '09:00', rules.timezone));
  const to = new Date(instantAt(day, '11:00', rules.timezone));
  const bareWindow = t.sqlite.prepare(
    'select id, at, pass_id from gate_events where gate_id = ? and at >= ? and at < ?',
  );
  row(
    'baseline: bare scan of gate G, 2 h (gate/at index)',
    await timeEach(30, () => bareWindow.all(gates[0], from.getTime(), to.getTime())),
  );
  row(
    'tracing: who passed gate G, 2 h, with names',
    await timeEach(30, () => passages(t.db, { from, to, gateId: gates[0] })),
    '(target ≤ 300 ms)',
  );
  row(
    'tracing: who passed any gate, whole day',
    await timeEach(10, () => passages(t.db, { from: new Date(start), to: new Date(end) })),
    '(target ≤ 300 ms)',
  );
  const visitorId = t.sqlite
    .prepare(
      "select v.id from gate_events e join passes p on p.id = e.pass_id join visitors v on v.id = p.visitor_id where e.at >= ? and e.verdict = 'admit' limit 1",
    )
    .pluck()
    .get(from.getTime()) as number;
  row(
    'tracing: co-presence with a visitor, whole day',
    await timeEach(10, () =>
      coPresence(t.db, {
        visitorId,
        from: new Date(start),
        to: new Date(end),
        now: t.clock.now(),
        timezone: rules.timezone,
      }),
    ),
    '(target ≤ 300 ms)',
  );
  row(
    'live wall: build once (all gates, alerts, presence)',
    await timeEach(10, () => buildWall(t.db, t.clock.now(), rules)),
  );
  t.cleanup();
}
