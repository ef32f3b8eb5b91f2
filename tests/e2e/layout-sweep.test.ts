import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/demo/seed';
import { launchBrowser, screenshot } from '../helpers/browser';
import { startServer, type RunningServer } from '../helpers/server';
import { writeQrVideo } from '../helpers/y4m';

/**
 * Issue 18's sweep: every admin page of every role, and the visitor's and member's phone pages, in
 * both languages at 390, 800, 1024 and 1280 px. It fails on a page that scrolls sideways, on words of
 * the other language in the interface (data people typed is theirs: names, purposes, places), on a
 * message key or machine code shown as text, and on targets below 24 px (WCAG 2.2 2.5.8).
 */
const WIDTHS = [390, 800, 1024, 1280] as const;
const LANGS = ['zh', 'en'] as const;
const ROLES = ['admin', 'office', 'filer', 'approver'] as const;

/**
 * Words that stay as they are in Chinese text: the product's name, formats, protocols, units. In
 * English mode the only Chinese allowed is in what people typed, which the pages mark `translate="no"`.
 */
const LATIN_IN_ZH = new Set([
  'Gatehouse',
  'English',
  'CSV',
  'XLSX',
  'Excel',
  'HTTPS',
  'HTTP',
  'SMTP',
  'TLS',
  'PIN',
  'API',
  'URL',
  'Webhook',
  'webhook',
  'Bearer',
  'Android',
  'Windows',
  'Chrome',
  'Edge',
  'Firefox',
  'SHA',
  'IMAP',
  'JSON',
  'GBK',
  'UTF',
  'OpenAPI',
  'Prometheus',
  'Asia',
  'Shanghai',
  'GMT',
  'campus',
  'crt',
  'npm',
  'run',
  'cert',
  'Install',
  'Certificate',
]);

let server: RunningServer;
let browser: Browser;
const links: { visit: string | null; member: string | null } = { visit: null, member: null };

/** What people typed (names, purposes, places, units, usernames): theirs, in whatever language they wrote it. */
let typed: string[] = [];

beforeAll(async () => {
  server = await startServer({ args: ['--demo'] });
  for (let i = 0; i < 100 && !/\/m\/[\w-]+/.test(server.output()); i++) await new Promise((r) => setTimeout(r, 100));
  links.visit = /\/v\/[\w-]+/.exec(server.output())?.[0] ?? null;
  links.member = /\/m\/[\w-]+/.exec(server.output())?.[0] ?? null;
  const db = new Database(server.databasePath, { readonly: true });
  try {
    typed = (
      db
        .prepare(
          `select display_name v from users union select username from users
           union select name from visitors union select name from members union select unit from members
           union select purpose from visit_requests union select destination from visit_requests
           union select escort_name from visit_requests union select name_en from campuses
           union select name_en from gates union select name_en from departments union select name from devices
           union select code from gates union select code from departments
           union select destination from leaves union select reason from leaves`,
        )
        .all() as { v: string | null }[]
    )
      .map((r) => r.v ?? '')
      .filter((v) => v.length > 0)
      .sort((a, b) => b.length - a.length);
  } finally {
    db.close();
  }
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

interface Problem {
  page: string;
  lang: string;
  width: number;
  kind: 'overflow' | 'language' | 'code' | 'target';
  detail: string;
}

/** What is wrong with the page as it stands, measured in the page. */
function findProblems(page: Page, lang: 'zh' | 'en', minTarget: number) {
  const data = typed;
  return page.evaluate(
    ({ lang, minTarget, latinInZh, data }) => {
      const out: { kind: 'overflow' | 'language' | 'code' | 'target'; detail: string }[] = [];
      const vw = document.documentElement.clientWidth;
      const describe = (el: Element) =>
        `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} “${(el.textContent ?? '').trim().slice(0, 40)}”`;
      const visible = (el: Element) => {
        const r = el.getBoundingClientRect();
        const s = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
      };
      if (document.documentElement.scrollWidth > vw + 1) {
        // The widest element that sticks out, outside any frame that scrolls sideways on its own.
        const scrolls = (el: Element | null): boolean =>
          !!el && (/(auto|scroll)/.test(getComputedStyle(el).overflowX) || scrolls(el.parentElement));
        const culprits = [...document.body.querySelectorAll('*')]
          .filter((el) => visible(el) && el.getBoundingClientRect().right > vw + 1 && !scrolls(el.parentElement))
          .map(describe)
          .slice(-3);
        out.push({
          kind: 'overflow',
          detail: `${document.documentElement.scrollWidth} > ${vw}: ${culprits.join(' | ')}`,
        });
      }
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        // What people typed is theirs; an element in its own language (the language switch) is meant to be.
        const text = data.reduce((t, d) => t.split(d).join(' '), (n.textContent ?? '').trim()).trim();
        if (!text || !el || !visible(el)) continue;
        if (el.closest('script, style, code, pre, textarea, option, [translate="no"]')) continue;
        const ownLang = el.closest('[lang]')?.getAttribute('lang') ?? '';
        if (ownLang && !ownLang.startsWith(lang) && el.closest('[lang]') !== document.documentElement) continue;
        if (
          /^(?:[a-z]+(?:[._][a-z0-9]+)+|(?:user|device|token|system):[\w.-]+)$/.test(text) ||
          /\b(?:user|device|token):\w/.test(text)
        )
          out.push({ kind: 'code', detail: `${describe(el)}: ${text.slice(0, 60)}` });
        if (lang === 'en' && /[\u4e00-\u9fff]/.test(text))
          out.push({ kind: 'language', detail: `${describe(el)}: ${text.slice(0, 60)}` });
        if (lang === 'zh') {
          const words = (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !latinInZh.includes(w));
          if (words.length && /[\u4e00-\u9fff]/.test(text) === false && words.join(' ').length > 8)
            out.push({ kind: 'language', detail: `${describe(el)}: ${text.slice(0, 60)}` });
        }
      }
      const targets = document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, [role=button], [role=tab], [role=option], summary',
      );
      for (const el of targets) {
        if (!visible(el) || (el as HTMLInputElement).disabled) continue;
        const r = el.getBoundingClientRect();
        // WCAG 2.5.8's inline exception: a link inside a sentence.
        const inline =
          el.tagName === 'A' &&
          getComputedStyle(el).display === 'inline' &&
          (el.parentElement?.textContent ?? '').trim() !== (el.textContent ?? '').trim();
        if (inline) continue;
        if (r.width < minTarget - 0.5 || r.height < minTarget - 0.5)
          out.push({ kind: 'target', detail: `${describe(el)} ${Math.round(r.width)}×${Math.round(r.height)}` });
      }
      return out;
    },
    { lang, minTarget, latinInZh: [...LATIN_IN_ZH], data },
  );
}

async function signIn(page: Page, role: (typeof ROLES)[number]) {
  const user = DEMO_USERS.find((u) => u.role === role)!;
  await page.goto('/admin/');
  await page.locator('input[name=username], input[autocomplete=username]').first().fill(user.username);
  await page.locator('input[type=password]').first().fill(user.password);
  await page.locator('form button[type=submit]').click();
  await page.locator('nav[aria-label=main]').waitFor();
}

/** The pages a role's navigation offers, plus the detail pages one click away that the role uses. */
async function pagesOf(page: Page) {
  const hrefs = await page
    .locator('nav[aria-label=main] a[href]')
    .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
  const detail = await page.goto('/admin/requests').then(() =>
    page
      .locator('a[href^="/admin/requests/"]:not([href$="/new"])')
      .first()
      .getAttribute('href', { timeout: 3000 })
      .catch(() => null),
  );
  return [...new Set([...hrefs, ...(detail && hrefs.includes('/admin/requests') ? [detail] : [])])];
}

async function settle(page: Page) {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(150);
}

/** One line per problem, with the widths and languages it shows at (the full list is an artifact). */
function summary(found: Problem[], name: string) {
  writeFileSync(join('tests', '.artifacts', `sweep-${name}.json`), JSON.stringify(found, null, 1));
  const lines = new Map<string, Set<string>>();
  for (const p of found) {
    const key = `${p.kind} ${p.page}: ${p.detail.replace(/\d+ > \d+/, 'wider than the screen')}`;
    lines.set(key, (lines.get(key) ?? new Set()).add(`${p.lang}@${p.width}`));
  }
  return [...lines].map(([k, at]) => `${k} [${[...at].join(' ')}]`);
}

describe('every page, every role, both languages, phone to desktop', () => {
  const problems: Problem[] = [];

  for (const role of ROLES) {
    it(`${role}: no sideways scroll, no other-language words, no raw codes, targets ≥ 24 px`, async () => {
      const context = await browser.newContext({ baseURL: server.url, locale: 'zh-CN' });
      const page = await context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await signIn(page, role);
      const pages = await pagesOf(page);
      for (const lang of LANGS) {
        await page.evaluate((l) => localStorage.setItem('gatehouse.admin.lang', l), lang);
        for (const path of pages) {
          await page.goto(path);
          await settle(page);
          for (const width of WIDTHS) {
            await page.setViewportSize({ width, height: 900 });
            await page.waitForTimeout(60);
            for (const p of await findProblems(page, lang, 24)) problems.push({ page: path, lang, width, ...p });
            // A phone in both languages, the desktop in English (where words run longest): the pictures a person looks at.
            if (width === 390 || (width === 1280 && lang === 'en'))
              await screenshot(page, `sweep-${role}-${path.replace(/\W+/g, '_')}-${lang}-${width}`);
          }
        }
      }
      await context.close();
      expect(
        summary(
          problems.filter((p) => pages.includes(p.page)),
          role,
        ),
      ).toEqual([]);
    });
  }

  it('guard: the kiosk’s enrollment, shift and gate screens at every width, targets ≥ 48 px', async () => {
    const found: Problem[] = [];
    const office = DEMO_USERS.find((u) => u.role === 'office')!;
    const guard = DEMO_USERS.find((u) => u.role === 'guard')!;
    const signIn = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ username: office.username, password: office.password }),
    });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const gate = (await (await fetch(`${server.url}/api/v1/gates`, { headers: { cookie } })).json()) as {
      id: number;
    }[];
    const cameraBrowser = await launchBrowser({ cameraVideo: writeQrVideo(null) });
    try {
      for (const lang of LANGS) {
        const { code } = (await (
          await fetch(`${server.url}/api/v1/devices/enrollments`, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/json', origin: server.url },
            body: JSON.stringify({ gateId: gate[0]!.id }),
          })
        ).json()) as { code: string };
        const context = await cameraBrowser.newContext({ baseURL: server.url, permissions: ['camera'] });
        const page = await context.newPage();
        await context.addInitScript((l) => localStorage.setItem('gatehouse.kiosk.lang', l), lang);
        const sweep = async (screen: string) => {
          await settle(page);
          for (const width of [390, 800, 1024, 1280]) {
            await page.setViewportSize({ width, height: width < 1024 ? 1280 : 800 });
            await page.waitForTimeout(60);
            for (const p of await findProblems(page, lang, 48)) found.push({ page: screen, lang, width, ...p });
          }
          await screenshot(page, `sweep-kiosk-${screen}-${lang}`);
        };
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.goto('/kiosk/');
        await page.locator('.keypad').first().waitFor();
        await sweep('enroll');
        // A 1280×800 tablet shows the whole enrollment, language switch included, without scrolling.
        await page.setViewportSize({ width: 1280, height: 800 });
        for (const button of [page.locator('.lang-switch'), page.locator('button.primary').first()])
          expect((await button.boundingBox())!.y + (await button.boundingBox())!.height).toBeLessThanOrEqual(800);
        for (const digit of code) await page.locator('.keypad button', { hasText: new RegExp(`^${digit}$`) }).click();
        await page.locator('button.primary').first().click();
        await page.getByRole('button', { name: guard.displayName }).waitFor();
        await sweep('shift');
        await page.getByRole('button', { name: guard.displayName }).click();
        for (const digit of (guard as { pin: string }).pin)
          await page.locator('.keypad button', { hasText: new RegExp(`^${digit}$`) }).click();
        await page.locator('button.primary').last().click();
        await page.locator('.kiosk-bar').waitFor();
        await sweep('gate');
        await context.close();
      }
    } finally {
      await cameraBrowser.close();
    }
    expect(summary(found, 'kiosk')).toEqual([]);
  });

  it('the visitor’s and the member’s phone pages', async () => {
    const found: Problem[] = [];
    for (const path of [links.visit, links.member]) {
      expect(path).not.toBeNull();
      for (const lang of LANGS) {
        const context = await browser.newContext({ baseURL: server.url, locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
        const page = await context.newPage();
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: 900 });
          await page.goto(path!);
          await settle(page);
          for (const p of await findProblems(page, lang, 24)) found.push({ page: path!, lang, width, ...p });
          if (width === 390) await screenshot(page, `sweep-phone-${path!.slice(1, 2)}-${lang}-${width}`);
        }
        await context.close();
      }
    }
    expect(summary(found, 'phone')).toEqual([]);
  });
});
