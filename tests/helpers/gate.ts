import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { flipByte } from './tamper';
import { fromBase64Url, liveQrText } from '../../server/domain/pass';
import { wallClock } from '../../server/domain/dates';
import { launchBrowser, launchPersistent, newPage, screenshot, type LaunchExtras } from './browser';
import { residentId } from './filing';
import { signInOver } from './http';
import type { RunningServer } from './server';
import { writeQrVideo, type QrVideoOptions } from './y4m';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const PASSWORD = 'browser-test-pass';
export const GUARD_PIN = '2468';

export interface GateWorld {
  server: RunningServer;
  northId: number;
  eastId: number;
  guardId: number;
  deptId: number;
}

/** A campus on a real server: two gates, a department, a filer, an office user, a guard with a PIN; same-day filing allowed. */
export async function setupGateWorld(server: RunningServer): Promise<GateWorld> {
  const admin = await signInOver(server.url, 'admin', ADMIN_PASSWORD);
  const northId = (
    await admin('POST', '/api/v1/gates', { campusId: 1, code: 'north', name: '北门', nameEn: 'North Gate' })
  ).json.id;
  const eastId = (
    await admin('POST', '/api/v1/gates', { campusId: 1, code: 'east', name: '东门', nameEn: 'East Gate' })
  ).json.id;
  const deptId = (
    await admin('POST', '/api/v1/departments', { code: 'cs', name: '计算机学院', nameEn: 'Computer Science' })
  ).json.id;
  await admin('POST', '/api/v1/users', {
    username: 'filer',
    displayName: '李老师',
    role: 'filer',
    password: PASSWORD,
    departmentId: deptId,
  });
  await admin('POST', '/api/v1/users', {
    username: 'office',
    displayName: '王老师',
    role: 'office',
    password: PASSWORD,
  });
  const guard = await admin('POST', '/api/v1/users', {
    username: 'guard',
    displayName: '张师傅',
    role: 'guard',
    password: PASSWORD,
    gateIds: [northId],
  });
  await admin('PATCH', `/api/v1/users/${guard.json.id}`, { pin: GUARD_PIN });
  const office = await signInOver(server.url, 'office', PASSWORD);
  const rules = (await office('GET', '/api/v1/rules')).json.rules;
  // The gate tests need passes valid now: the office allows same-day filing on this test campus.
  await office('PUT', '/api/v1/rules', { rules: { ...rules, leadDays: 0 }, reason: 'browser tests: same-day visits' });
  return { server, northId, eastId, guardId: guard.json.id, deptId };
}

let seq = 100;
/** Files and approves a same-day visit; answers the visitor's pass (token, secret, id). */
export async function issuePass(
  w: GateWorld,
  {
    gateId = w.northId,
    timeFrom = '00:00',
    timeTo = '23:59',
    fromRegion = '410105',
    name = '张三',
    revoke = false,
    email = null as string | null,
    escortEmail = null as string | null,
    /** The department enters the visitor itself (no smartphone): the commitment is then signed at the gate. */
    paper = false,
  } = {},
) {
  const filer = await signInOver(w.server.url, 'filer', PASSWORD);
  const office = await signInOver(w.server.url, 'office', PASSWORD);
  const today = wallClock(new Date(), 'Asia/Shanghai').date;
  seq += 1;
  const visitor = {
    name,
    idType: 'resident_id',
    idNumber: residentId(seq),
    phone: `1380000${String(seq).padStart(4, '0')}`,
    email,
    fromRegion,
    visitedRegions: [],
    closeContact: false,
    ...(fromRegion.startsWith('4101')
      ? {}
      : { testTakenAt: new Date(Date.now() - 3_600_000).toISOString(), testResult: 'negative' }),
  };
  const filed = await filer('POST', '/api/v1/requests', {
    visitDateFrom: today,
    timeFrom,
    timeTo,
    gateIds: [gateId],
    purpose: '学术交流',
    destination: '计算机楼',
    escortName: '李老师',
    escortPhone: '13911112222',
    escortEmail,
    ...(paper ? { visitors: [visitor] } : { visitors: [], invitations: [{ name, phone: visitor.phone }] }),
  });
  if (filed.status !== 201) throw new Error(`filing failed: ${JSON.stringify(filed.json)}`);
  if (!paper) {
    // The visitor fills in their own part on their phone, as invited: consents, declaration, signature.
    const token = (filed.json.invitations[0].link as string).split('/').pop()!;
    const page = (await (await fetch(`${w.server.url}/api/v1/visit/${token}`)).json()) as {
      commitment: { version: number } | null;
    };
    const declared = await fetch(`${w.server.url}/api/v1/visit/${token}/declaration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...visitor,
        consent: { idNumber: true, health: true },
        commitment: page.commitment ? { version: page.commitment.version, signedName: name, accepted: true } : null,
        locale: 'zh',
      }),
    });
    if (declared.status !== 200) throw new Error(`declaration failed: ${await declared.text()}`);
  }
  const approved = await office('POST', `/api/v1/review/${filed.json.id}/approve`, { note: null });
  const pass = approved.json.visitors[0].pass;
  const view = (
    (await (await fetch(`${w.server.url}/api/v1/visit/${pass.link.split('/').pop()}`)).json()) as { pass: unknown }
  ).pass as {
    token: string | null;
    codeSecret: string | null;
    stepSeconds: number;
  };
  // A pass whose window has already closed shows no code any more: what the visitor's phone kept from
  // before is in the server's row.
  const held =
    view.token && view.codeSecret ? { token: view.token, codeSecret: view.codeSecret } : storedCode(w, pass.id);
  if (revoke) await office('POST', `/api/v1/passes/${pass.id}/revoke`, { reason: '测试作废' });
  return {
    id: pass.id as string,
    token: held.token,
    secret: fromBase64Url(held.codeSecret)!,
    stepSeconds: view.stepSeconds,
    requestId: filed.json.id as number,
    link: pass.link as string,
    idLast4: visitor.idNumber.slice(-4),
  };
}

function storedCode(w: GateWorld, passId: string) {
  const db = new Database(w.server.databasePath, { readonly: true });
  try {
    return db.prepare('select token, code_secret as codeSecret from passes where id = ?').get(passId) as {
      token: string;
      codeSecret: string;
    };
  } finally {
    db.close();
  }
}

export const liveText = (p: Awaited<ReturnType<typeof issuePass>>) =>
  liveQrText(p.token, p.secret, new Date(), p.stepSeconds);
export { flipByte };

/** Enrolls a tablet for the gate through the office's code (API), answers its stored credential. */
export async function enrollOverApi(w: GateWorld, gateId = w.northId) {
  const office = await signInOver(w.server.url, 'office', PASSWORD);
  const { code } = (await office('POST', '/api/v1/devices/enrollments', { gateId })).json;
  const res = await fetch(`${w.server.url}/api/v1/kiosk/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, name: 'test tablet' }),
  });
  const json = (await res.json()) as {
    token: string;
    deviceId: number;
    gate: { id: number; name: string; nameEn: string };
  };
  return json;
}

/**
 * A gate tablet showing `qrText` to its camera (a fresh browser per code: the fake camera is a
 * launch flag), enrolled and with the guard on shift. Clicks are counted in the page.
 */
export async function openGate(
  w: GateWorld,
  qrText: string | null,
  device?: Awaited<ReturnType<typeof enrollOverApi>>,
  {
    fakeClock = false,
    video = {} as QrVideoOptions,
    /** The address the tablet opens (a campus name over HTTPS), and what its browser needs for it. */
    baseURL = w.server.url,
    launch = {} as LaunchExtras,
    /** A browser profile on disk, as an installed tablet has (a fresh context is incognito: not installable). */
    profile = null as string | null,
  } = {},
) {
  const d = device ?? (await enrollOverApi(w));
  const cameraVideo = writeQrVideo(qrText, video);
  let browser: Pick<Browser, 'close'>;
  let context: BrowserContext;
  let page: Page;
  if (profile) {
    context = await launchPersistent({ userDataDir: profile, cameraVideo, baseURL, ...launch });
    page = context.pages()[0] ?? (await context.newPage());
    browser = { close: () => context.close() };
  } else {
    const b = await launchBrowser({ cameraVideo, ...launch });
    ({ context, page } = await newPage(b, { baseURL, permissions: ['camera'] }));
    browser = b;
  }
  await context.addInitScript((stored: string) => {
    if (!localStorage.getItem('gatehouse.kiosk.device')) localStorage.setItem('gatehouse.kiosk.device', stored);
    (window as unknown as { __taps: number }).__taps = 0;
    addEventListener('click', () => ((window as unknown as { __taps: number }).__taps += 1), true);
  }, JSON.stringify(d));
  // Playwright's clock must be installed before the page loads, so every timer is under it.
  if (fakeClock) await page.clock.install();
  await page.goto('/kiosk/');
  await page.getByRole('button', { name: '张师傅' }).click();
  for (const digit of GUARD_PIN) await page.getByRole('button', { name: digit, exact: true }).click();
  await page.getByRole('button', { name: '上岗' }).click();
  await page.locator('.kiosk-bar').waitFor();
  return {
    browser,
    page,
    device: d,
    resetTaps: () => page.evaluate(() => ((window as unknown as { __taps: number }).__taps = 0)),
    taps: () => page.evaluate(() => (window as unknown as { __taps: number }).__taps),
  };
}

/**
 * Fills the gate's emergency form for a walk-in as a guard does: name, phone, the host department
 * (none is pre-selected: sending is refused until one is chosen), a quick reason and a few words more.
 * Answers whether sending was refused before the department was chosen.
 */
export async function fillEmergency(page: Page) {
  await page.getByRole('button', { name: '未备案但确需入校（申请应急）' }).click();
  await page.getByLabel('来访人姓名').fill('维修工 赵');
  await page.getByLabel('来访人手机').fill('13700000000');
  const refusedWithoutDepartment = await page.getByRole('button', { name: '发送给保卫处' }).isDisabled();
  await page.getByLabel('接洽单位').selectOption({ index: 1 });
  await page.getByRole('button', { name: '设备抢修' }).click();
  const quickReason = await page.getByLabel('紧急原因').inputValue();
  await page.getByLabel('紧急原因').fill('设备抢修：实验楼水管爆裂');
  return { refusedWithoutDepartment, quickReason };
}

/** Waits for `selector`; on a timeout keeps a screenshot of what the tablet showed instead. */
export async function waitOrShoot(page: Page, selector: string, timeout = 20_000) {
  try {
    await page.locator(selector).first().waitFor({ timeout });
  } catch (err) {
    await screenshot(page, `timeout-${selector.replace(/\W+/g, '')}-${Date.now()}`);
    throw err;
  }
}

export async function verdictOf(page: Page) {
  const v = page.locator('[data-verdict]');
  await waitOrShoot(page, '[data-verdict]');
  return {
    verdict: await v.getAttribute('data-verdict'),
    reasons: ((await v.getAttribute('data-reasons')) ?? '').split(' ').filter(Boolean),
  };
}

/** Signs `username` in on the admin app's own sign-in form, as a person does. */
export async function signInAdmin(page: Page, username: string) {
  await page.goto('/admin/');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('link', { name: '首页' }).waitFor();
}
