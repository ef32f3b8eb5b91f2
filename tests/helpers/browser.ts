import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT_DIR } from '../../server/app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium's network is closed here: without these flags it tries Google's hosts at every start. */
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Launches Debian's Chromium. Browser tests never skip: a missing browser fails with the command
 * that installs it.
 */
export interface LaunchExtras {
  /** More Chromium switches, e.g. --host-resolver-rules to give 127.0.0.1 a campus LAN name. */
  args?: string[];
  /** The browser's environment: HOME decides which NSS database (trusted CAs) Chromium reads. */
  env?: Record<string, string>;
}

export async function launchBrowser({
  cameraVideo,
  args: extraArgs = [],
  env,
}: { cameraVideo?: string } & LaunchExtras = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  const args = [...BASE_ARGS];
  if (cameraVideo) {
    args.push(
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${cameraVideo}`,
    );
  }
  args.push(...extraArgs);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args,
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
}

export const TABLET = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function newPage(
  browser: Browser,
  {
    viewport = TABLET,
    baseURL,
    permissions = [] as string[],
    locale = 'zh-CN',
    timezoneId,
  }: {
    viewport?: { width: number; height: number };
    baseURL: string;
    permissions?: string[];
    locale?: string;
    /** The device's own zone (an office PC set to UTC): the pages must still show and read campus time. */
    timezoneId?: string;
  },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport,
    baseURL,
    locale,
    permissions,
    ...(timezoneId ? { timezoneId } : {}),
  });
  const page = await context.newPage();
  return { context, page };
}

/** Reads the QR the page drew, from its canvas pixels, with an independent decoder. */
export async function decodeCanvasQr(page: Page): Promise<string | null> {
  const img = await page.evaluate(() => {
    const c = document.querySelector('canvas') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    return { w: c.width, h: c.height, data: Array.from(d.data) };
  });
  return jsQR(Uint8ClampedArray.from(img.data), img.w, img.h)?.data ?? null;
}

/** Screenshots land in tests/.artifacts so a person can look at what the test saw. */
export async function screenshot(page: Page, name: string) {
  const dir = join(ROOT_DIR, 'tests', '.artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * A browser whose profile (localStorage, IndexedDB, service worker) lives in `userDataDir`, so a
 * test can kill it and start it again, as a tablet is switched off and on.
 */
export async function launchPersistent({
  userDataDir,
  cameraVideo,
  baseURL,
  args: extraArgs = [],
  env,
}: {
  userDataDir: string;
  cameraVideo?: string;
  baseURL: string;
} & LaunchExtras) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  const args = [...BASE_ARGS];
  if (cameraVideo)
    args.push(
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${cameraVideo}`,
    );
  args.push(...extraArgs);
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args,
    ...(env ? { env: { ...process.env, ...env } } : {}),
    viewport: TABLET,
    baseURL,
    locale: 'zh-CN',
    permissions: ['camera'],
  });
}
