import { and, count, eq } from 'drizzle-orm';
import { campuses, departments, gates, members, passes, users, visitRequests, visitors } from '../db/schema';
import { importMembers, memberPage } from '../members/store';
import { campusDate } from '../domain/dates';
import { issuePasses } from '../passes/issue';
import { newLinkToken, visitorPage } from '../requests/store';
import { currentCommitment, currentRules } from '../rules/store';
import { hashPassword } from '../lib/crypto';
import { insertUser } from '../users/store';
import type { Db, Tx } from '../db/open';
import type { Config } from '../env';

export const DEMO_GATES = [
  { code: 'north', name: '北门', nameEn: 'North Gate' },
  { code: 'east', name: '东门', nameEn: 'East Gate' },
  { code: 'south', name: '南门', nameEn: 'South Gate' },
];

export const DEMO_DEPARTMENTS = [
  { code: 'cs', name: '计算机学院', nameEn: 'School of Computer Science' },
  { code: 'math', name: '数学与统计学院', nameEn: 'School of Mathematics and Statistics' },
  { code: 'physics', name: '物理学院', nameEn: 'School of Physics' },
  { code: 'chem', name: '化学学院', nameEn: 'School of Chemistry' },
  { code: 'lit', name: '文学院', nameEn: 'School of Literature' },
  { code: 'law', name: '法学院', nameEn: 'Law School' },
  { code: 'med', name: '医学院', nameEn: 'School of Medicine' },
  { code: 'library', name: '图书馆', nameEn: 'Library' },
  { code: 'logistics', name: '后勤管理处', nameEn: 'Logistics Office' },
  { code: 'retirees', name: '离退休工作处', nameEn: "Retirees' Office" },
  { code: 'intl', name: '国际交流处', nameEn: 'International Office' },
  { code: 'hr', name: '人事处', nameEn: 'Human Resources' },
];

/** Demo passwords are public by design: the demo database is for trying Gatehouse, never for a gate. */
export const DEMO_USERS = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', password: 'demo-admin-2026' },
  { username: 'office', displayName: '保卫处 王老师', role: 'office', password: 'demo-office-2026' },
  { username: 'filer', displayName: '计算机学院 李老师', role: 'filer', password: 'demo-filer-2026', department: 'cs' },
  {
    username: 'counsellor',
    displayName: '计算机学院 陈辅导员',
    role: 'approver',
    password: 'demo-counsellor-2026',
    department: 'cs',
  },
  {
    username: 'guard',
    displayName: '北门 张师傅',
    role: 'guard',
    password: 'demo-guard-2026',
    gates: ['north'],
    pin: '2468',
  },
] as const;

/**
 * One approved visit for today at the north gate, so the kiosk can be tried at once. Inserted
 * directly: the filing rules would (rightly) refuse a same-day request.
 */
function seedTodaysVisit(tx: Tx, now: Date, signingKeyWrap: Buffer) {
  const { version, rules } = currentRules(tx);
  const today = campusDate(now, rules.timezone);
  const dept = tx.select().from(departments).where(eq(departments.code, 'cs')).get();
  const north = tx.select().from(gates).where(eq(gates.code, 'north')).get();
  if (!dept || !north) return;
  const r = tx
    .insert(visitRequests)
    .values({
      departmentId: dept.id,
      filedByLabel: 'demo',
      status: 'approved',
      visitDateFrom: today,
      visitDateTo: today,
      timeFrom: '00:00',
      timeTo: '23:59',
      gateIds: [north.id],
      purpose: '学术交流（演示）',
      destination: '计算机楼 301',
      escortName: '李老师',
      escortPhone: '13911112222',
      ruleVersion: version,
      expectedVisitors: 1,
      decidedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  tx.insert(visitors)
    .values({
      requestId: r.id,
      name: '张三',
      nameNorm: '张三',
      idType: 'resident_id',
      idHash: 'demo',
      idLast4: '002X',
      phone: '13800001111',
      fromRegion: rules.campusRegionCode,
      visitedRegions: [],
      closeContact: false,
      outOfCity: false,
      checks: [],
      linkToken: newLinkToken(),
      // Filled in by the visitor on their phone, as invited: consents given, the commitment signed.
      declaredBy: 'visitor',
      declaredAt: now,
      consentIdAt: now,
      consentHealthAt: now,
      consentRuleVersion: version,
      commitmentVersion: currentCommitment(tx)?.id ?? null,
      commitmentAcceptedAt: now,
      commitmentSignedName: '张三',
      locale: 'zh',
    })
    .run();
  issuePasses(tx, r.id, now, rules, signingKeyWrap);
}

/**
 * Seeds the demo campus once; every start prints the logins again and makes sure a visitor is
 * expected on the day it starts (a demo database made last week still has someone to admit today).
 * Answers that visitor's pass path, for main.ts to print as a full URL once it listens.
 */
export function seedDemo(
  db: Db,
  config: Config,
  print: (line: string) => void,
  { signingKeyWrap, now = new Date() }: { signingKeyWrap: Buffer; now?: Date },
) {
  if ((db.select({ n: count() }).from(users).get()?.n ?? 0) === 0) {
    const hashes = DEMO_USERS.map((u) => hashPassword(u.password));
    db.transaction((tx) => {
      const campus = tx
        .insert(campuses)
        .values({ name: '示范大学 主校区', nameEn: 'Demo University, Main Campus', timezone: config.CAMPUS_TIMEZONE })
        .returning()
        .get();
      for (const g of DEMO_GATES)
        tx.insert(gates)
          .values({ ...g, campusId: campus.id })
          .run();
      for (const d of DEMO_DEPARTMENTS) tx.insert(departments).values(d).run();
      DEMO_USERS.forEach((u, i) => {
        const departmentId =
          'department' in u
            ? (tx.select().from(departments).where(eq(departments.code, u.department)).get()?.id ?? null)
            : null;
        const gateIds =
          'gates' in u
            ? u.gates
                .map((code) => tx.select().from(gates).where(eq(gates.code, code)).get()?.id)
                .filter((id): id is number => id != null)
            : [];
        const user = insertUser(tx, {
          username: u.username,
          displayName: u.displayName,
          role: u.role,
          departmentId,
          gateIds,
          passwordHash: hashes[i]!,
        });
        if ('pin' in u)
          tx.update(users)
            .set({ pinHash: hashPassword(u.pin) })
            .where(eq(users.id, user.id))
            .run();
      });
    });
  }
  const today = campusDate(now, currentRules(db).rules.timezone);
  const expected = () =>
    db
      .select({ link: visitors.linkToken })
      .from(visitors)
      .innerJoin(passes, eq(passes.visitorId, visitors.id))
      .innerJoin(visitRequests, eq(visitRequests.id, visitors.requestId))
      .where(and(eq(visitRequests.filedByLabel, 'demo'), eq(visitRequests.visitDateFrom, today)))
      .limit(1)
      .get();
  if (!expected()) db.transaction((tx) => seedTodaysVisit(tx, now, signingKeyWrap));
  print('\n  Gatehouse demo — sign in at /admin/ (kiosk at /kiosk/) with:');
  for (const u of DEMO_USERS)
    print(
      `    ${u.role.padEnd(7)} ${u.username.padEnd(8)} ${u.password}${'pin' in u ? `   (kiosk PIN ${u.pin})` : ''}`,
    );
  print('');
  const link = expected();
  return link ? visitorPage(link.link) : null;
}

/** The demo's campus members: a student living on campus, the demo visit's escort (a teacher), a fixed courier. */
const DEMO_MEMBERS = [
  {
    number: '2023010101',
    name: '张同学',
    type: 'student',
    workerKind: null,
    unit: '计科2301',
    resident: true,
    phone: '13800000001',
  },
  { number: 'T0001', name: '李老师', type: 'staff', workerKind: null, unit: '', resident: false, phone: '13911112222' },
  {
    number: 'W0001',
    name: '孙师傅',
    type: 'worker',
    workerKind: 'courier',
    unit: '快递组',
    resident: false,
    phone: '13900000006',
  },
] as const;

/**
 * Seeds the demo's members once (also into a demo database made before members existed) and
 * answers the student's page path, for main.ts to print as a full URL once it listens.
 */
export function seedDemoMembers(db: Db, now: Date, idHashKey: Buffer) {
  const student = () =>
    db.select({ token: members.linkToken }).from(members).where(eq(members.number, '2023010101')).get();
  if (!student())
    db.transaction((tx) => {
      const cs = tx.select().from(departments).where(eq(departments.code, 'cs')).get();
      importMembers(
        tx,
        DEMO_MEMBERS.map((m) => ({
          ...m,
          department: 'cs',
          departmentId: cs?.id ?? null,
          idType: null,
          idNumber: null,
        })),
        now,
        idHashKey,
        true,
      );
    });
  const s = student();
  return s ? memberPage(s.token) : null;
}
