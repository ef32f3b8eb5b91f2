import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app';
import { launchBrowser, newPage, screenshot } from '../helpers/browser';
import { enrollOverApi, issuePass, liveText, openGate, setupGateWorld, signInAdmin, verdictOf } from '../helpers/gate';
import { freePort, startServer, type RunningServer } from '../helpers/server';

/**
 * A campus LAN as the README's "Deploying on a campus" sets it up: `npm run campus-cert` makes a campus CA
 * and a certificate for the server's LAN name, the server speaks HTTPS itself with it, and a tablet whose
 * browser trusts that CA (here: Chromium's NSS database, where Android's and Linux's user CAs live for
 * Chrome) enrolls, starts a shift and scans a pass with its camera. On plain HTTP at a LAN name the kiosk
 * says what is wrong instead of failing at the camera.
 */

const HOST = 'gate.campus.test';
const work = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
const tlsDir = join(work, 'tls');
const running: RunningServer[] = [];

afterAll(async () => {
  for (const s of running) await s.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function campusCert(...names: string[]) {
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', 'server/cli/campus-cert.ts', tlsDir, ...names, '--campus', '测试大学'],
    { cwd: ROOT_DIR, encoding: 'utf8' },
  );
}

/** A browser profile home whose NSS database trusts the campus CA, as a tablet after the installer's steps. */
function homeTrusting(caFile: string) {
  const home = join(work, 'home');
  const db = `sql:${join(home, '.pki', 'nssdb')}`;
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-N', '-d', db, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', db, '-n', 'Campus CA', '-t', 'C,,', '-i', caFile]);
  return home;
}

/** The certificate's subject the server presents now, checked against the campus CA. */
const servedSubject = (port: number, ca: string) =>
  new Promise<string>((resolve, reject) => {
    // The chain is checked against the campus CA; the name is what is being read, so not checked here.
    const socket = connect(
      { host: '127.0.0.1', port, servername: HOST, ca, checkServerIdentity: () => undefined },
      () => {
        const cn = socket.getPeerCertificate().subject.CN;
        socket.end();
        resolve(String(cn));
      },
    );
    socket.on('error', reject);
  });

const getOverTls = (url: string, ca: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    httpsGet(url, { ca, servername: HOST }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

describe('HTTPS on a campus LAN', () => {
  it('a campus certificate from npm run campus-cert serves the kiosk over HTTPS; the tablet scans, installs and keeps its storage; a renewed certificate is picked up', async () => {
    const said = campusCert(HOST, '127.0.0.1');
    expect(said).toMatch(/CA fingerprint \(SHA-256\)/);
    const ca = readFileSync(join(tlsDir, 'campus-ca.crt'), 'utf8');

    // The campus set up over plain loopback, then the same database served over HTTPS.
    const plain = await startServer({ dir: join(work, 'srv') });
    running.push(plain);
    const w = await setupGateWorld(plain);
    const pass = await issuePass(w);
    const device = await enrollOverApi(w);
    await plain.stop();
    const redirectPort = await freePort();
    const server = await startServer({
      dir: plain.dir,
      databasePath: plain.databasePath,
      env: {
        TLS_CERT_FILE: join(tlsDir, 'server.crt'),
        TLS_KEY_FILE: join(tlsDir, 'server.key'),
        HTTP_REDIRECT_PORT: String(redirectPort),
      },
    });
    running.push(server);
    expect(server.url).toMatch(/^https:/);
    expect((await getOverTls(`https://127.0.0.1:${server.port}/healthz`, ca)).status).toBe(200);
    // Plain HTTP only says where to go.
    const redirected = await fetch(`http://127.0.0.1:${redirectPort}/kiosk/?x=1`, { redirect: 'manual' });
    expect(redirected.status).toBe(308);
    expect(redirected.headers.get('location')).toBe(`https://127.0.0.1:${server.port}/kiosk/?x=1`);

    const origin = `https://${HOST}:${server.port}`;
    const gate = await openGate({ ...w, server }, liveText(pass), device, {
      baseURL: origin,
      profile: join(work, 'tablet-profile'),
      launch: {
        args: [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
        env: { HOME: homeTrusting(join(tlsDir, 'campus-ca.crt')) },
      },
    });
    try {
      const { page } = gate;
      // The camera read the pass over HTTPS: the card is up; the guard checks the health code and temperature.
      await page.locator('.entrant').waitFor();
      await page.getByRole('button', { name: '绿码' }).click();
      await page.getByRole('button', { name: '36.5', exact: true }).click();
      expect(await verdictOf(page)).toMatchObject({ verdict: 'admit' });
      expect(await page.evaluate(() => [location.origin, window.isSecureContext])).toEqual([origin, true]);
      // Offline start exists: the service worker controls the kiosk on this origin.
      expect(await page.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active))).toBe(true);
      await screenshot(page, 'deploy-tls-kiosk-scan');

      // Installable: Chrome's own check finds nothing missing in the manifest, icons or origin.
      const cdp = await page.context().newCDPSession(page);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: { errorId: string }[];
      };
      expect(installabilityErrors).toEqual([]);
      const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
      expect(manifest.errors).toEqual([]);

      // Persistent storage: headless Chromium without engagement says no, and the office sees the warning;
      // granted (as an installed app is), the tablet says so and the office's list follows.
      await page.reload();
      await page.locator('[data-testid="storage"]').waitFor();
      expect(await page.locator('[data-testid="storage"]').getAttribute('data-storage')).toBe('evictable');
      await cdp.send('Browser.grantPermissions', { origin, permissions: ['durableStorage'] });
      // The answer rides on the next snapshot pull, which the reload starts once it has asked.
      const reported = page.waitForResponse((r) => r.url().includes('/api/v1/kiosk/snapshot') && r.ok());
      await page.reload();
      await page.locator('[data-storage="persisted"]').waitFor();
      await reported;
      await screenshot(page, 'deploy-tls-kiosk-storage');

      // The office's tablet list, in the same trusted browser over HTTPS, shows what the tablet reported.
      const office = await page.context().newPage();
      await signInAdmin(office, 'office');
      await office.goto('/admin/devices');
      await office.locator('[data-storage="persisted"]').waitFor();
      // The HTTPS panel there: the certificate's names, the CA's fingerprint as the command printed it,
      // the CA file to download for the next tablet, and the install steps.
      const panel = office.getByTestId('tls-panel');
      await panel.locator('summary').click();
      const printed = /CA fingerprint \(SHA-256\), compare it on each device: ([0-9A-F:]+)/.exec(said)![1];
      expect(await panel.getByTestId('ca-fingerprint').textContent()).toBe(printed);
      expect(await panel.textContent()).toContain(HOST);
      const download = await office.evaluate(async () => (await fetch('/api/v1/tls/campus-ca.crt')).text());
      expect(download.trim()).toBe(ca.trim());
      await screenshot(office, 'deploy-tls-office-devices');
      await office.getByRole('button', { name: 'English' }).click();
      await expect.poll(() => panel.textContent()).toContain('Android tablet');
      await screenshot(office, 'deploy-tls-office-devices-en');
    } finally {
      await gate.browser.close();
    }

    // A renewed certificate (same CA, another name) is served without a restart.
    expect(await servedSubject(server.port, ca)).toBe(HOST);
    campusCert('gate2.campus.test', '127.0.0.1');
    await expect
      .poll(() => servedSubject(server.port, ca), { timeout: 15_000, interval: 500 })
      .toBe('gate2.campus.test');
    expect(server.output()).toMatch(/TLS certificate reloaded/);
  });

  it('at a plain-HTTP LAN address the kiosk says HTTPS is missing and what to do, in both languages', async () => {
    const server = await startServer({ dir: join(work, 'plain') });
    running.push(server);
    const browser = await launchBrowser({ args: [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`] });
    try {
      const { page } = await newPage(browser, { baseURL: `http://${HOST}:${server.port}` });
      await page.goto('/kiosk/');
      const panel = page.getByTestId('insecure');
      await panel.waitFor();
      expect(await panel.textContent()).toContain('HTTPS');
      expect(await panel.textContent()).toContain(`http://${HOST}:${server.port}`);
      // No enrollment keypad: a tablet enrolled here would fail at its first scan.
      expect(await page.getByRole('button', { name: '1', exact: true }).count()).toBe(0);
      await screenshot(page, 'deploy-insecure-zh');
      await page.getByRole('button', { name: 'EN', exact: true }).click();
      await expect.poll(() => panel.textContent()).toContain('not open over HTTPS');
      await screenshot(page, 'deploy-insecure-en');
    } finally {
      await browser.close();
    }
  });
});
