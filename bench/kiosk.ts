import * as ed from '@noble/ed25519';
import type { Page } from 'playwright-core';
import { ROOT_DIR } from '../server/app';
import { decideAdmission } from '../server/domain/admission';
import { liveQrText, newPrivateKey, parsePassText, publicKeyOf, signPass, verifyPass } from '../server/domain/pass';
import { DEFAULT_RULES } from '../server/domain/rules';
import { buildStaleFrontends } from '../server/frontend-build';
import { enrollOverApi, issuePass, openGate, setupGateWorld } from '../tests/helpers/gate';
import { startServer } from '../tests/helpers/server';
import { row, timeEach } from './lib';

/** The decision in Node: verify a live pass and decide, against a bare Ed25519 verify (its main cost). */
export async function benchDecision(n = 2000) {
  const key = newPrivateKey();
  const secret = new Uint8Array(16).fill(9);
  const now = new Date();
  const token = signPass(
    {
      kid: 1,
      passId: '0011223344556677',
      validFrom: new Date(now.getTime() - 3_600_000),
      validTo: new Date(now.getTime() + 3_600_000),
      entries: 1,
      printable: false,
      gateIds: [1],
    },
    key,
  );
  const text = liveQrText(token, secret, now, 30);
  const publicKeys = new Map([[1, publicKeyOf(key)]]);
  const parsed = parsePassText(text)!;
  const ctx = {
    now,
    gateId: 1,
    publicKeys,
    isRevoked: () => false,
    entriesUsed: () => 0,
    secretFor: () => secret,
    stepSeconds: 30,
    printedAllowed: true,
  };
  const input = {
    pass: { ok: true as const },
    healthCode: { colour: 'green' as const, method: 'seen_by_guard' as const },
    temperatures: [{ celsius: 36.5, method: 'forehead_ir' as const, at: now.toISOString() }],
    testRequired: false,
    testConfirmed: null,
    idConfirmed: null,
    snapshotFresh: true,
  };
  for (let i = 0; i < 200; i++) verifyPass(text, ctx);
  const base = await timeEach(n, () => ed.verify(parsed.signature, parsed.payload, publicKeys.get(1)!));
  const verify = await timeEach(n, () => verifyPass(text, ctx));
  const decide = await timeEach(n, () => decideAdmission(input, DEFAULT_RULES));
  console.log('\nGate decision in Node (no I/O)');
  row('baseline: bare Ed25519 verify (noble)', base);
  row('verifyPass (parse, signature, window, code)', verify);
  row('decideAdmission', decide);
}

/** Records, in the page, when a QR appears in the camera frames and when a verdict shows. */
async function instrument(page: Page) {
  // A string, not a function: tsx would wrap named functions in a helper the page does not have.
  await page.evaluate(`(() => {
    window.__qrAt = [];
    window.__verdictAt = [];
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 24;
    const g = canvas.getContext('2d', { willReadFrequently: true });
    const watch = (video) => {
      let last = null;
      const onFrame = (_, meta) => {
        g.drawImage(video, 0, 0, 32, 24);
        const d = g.getImageData(8, 6, 16, 12).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 100) dark++;
        const qr = dark > 10;
        if (qr && last === false) window.__qrAt.push(meta.presentationTime);
        last = qr;
        if (video.isConnected) video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    };
    new MutationObserver(() => {
      for (const v of document.querySelectorAll('video')) if (!v.__w) { v.__w = true; watch(v); }
      const verdict = document.querySelector('[data-verdict]');
      if (verdict && !verdict.__seen) { verdict.__seen = true; window.__verdictAt.push(performance.now()); }
    }).observe(document.body, { childList: true, subtree: true });
  })()`);
}

/**
 * QR appearing → verdict on screen, in headless Chromium with a fake camera, over `runs` scans.
 * Each scan is a pass of its own in a browser of its own (a camera plays one video): the kiosk
 * rightly ignores the pass it has just decided for 20 s, so one looping pass would measure that.
 */
export async function benchScanToVerdict(runs = 20, { cpuThrottle = 1 } = {}) {
  await buildStaleFrontends(ROOT_DIR, () => undefined);
  const server = await startServer();
  try {
    const w = await setupGateWorld(server);
    const device = await enrollOverApi(w);
    const qrToVerdict: number[] = [];
    const scanToVerdict: number[] = [];
    for (let i = 0; i < runs; i++) {
      const pass = await issuePass(w, { revoke: true }); // refused at once: no taps in the measured path
      const text = liveQrText(pass.token, pass.secret, new Date(), pass.stepSeconds);
      const gate = await openGate(w, text, device, { video: { blankFramesBefore: 45, frames: 45 } });
      try {
        // Gate tablets are cheap Android devices: DevTools' CPU throttling slows this machine's page
        // down by the factor given, from the shift's start through decode and verdict.
        if (cpuThrottle > 1) {
          const cdp = await gate.page.context().newCDPSession(gate.page);
          await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuThrottle });
        }
        await instrument(gate.page);
        await gate.page.locator('[data-verdict]').waitFor({ timeout: 30_000 });
        const m = (await gate.page.evaluate(`(() => {
          const v = window.__verdictAt.at(-1);
          const qr = window.__qrAt.filter((t) => t <= v).at(-1) ?? NaN;
          const scan = performance.getEntriesByName('gh:scan').at(-1)?.startTime ?? NaN;
          return { qr: v - qr, scan: v - scan };
        })()`)) as { qr: number; scan: number };
        if (Number.isFinite(m.qr)) qrToVerdict.push(m.qr);
        scanToVerdict.push(m.scan);
      } finally {
        await gate.browser.close();
      }
    }
    console.log(
      cpuThrottle > 1
        ? `\nKiosk with the CPU throttled ${cpuThrottle}× (${runs} scans; p95 target ≤ 1000 ms QR → verdict, ≤ 100 ms after decode)`
        : `\nKiosk in headless Chromium, fake camera (${runs} scans of refused passes; p95 target ≤ 1000 ms QR → verdict, ≤ 50 ms after decode)`,
    );
    row(
      'QR appears in the camera → verdict on screen',
      qrToVerdict.sort((a, b) => a - b),
    );
    row(
      'decoded → verdict on screen (engine + IndexedDB)',
      scanToVerdict.sort((a, b) => a - b),
    );
  } finally {
    await server.cleanup();
  }
}
