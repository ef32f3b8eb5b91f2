import { afterAll, describe, expect, it } from 'vitest';
import { messages as adminMessages } from '../../admin/src/lib/messages';
import { messages as kioskMessages } from '../../kiosk/src/lib/messages';
import { visitMessages } from '../../admin/src/visit/messages';
import { createTestApp } from '../helpers/app';

type Doc = { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };

/** Every `code` an operation's error answers list (the document's enums: see server/openapi.ts). */
function codesOf(responses: Record<string, unknown> = {}) {
  const codes = new Set<string>();
  const walk = (o: unknown) => {
    if (!o || typeof o !== 'object') return;
    const code = (o as { properties?: { code?: { enum?: string[] } } }).properties?.code?.enum;
    code?.forEach((c) => codes.add(c));
    Object.values(o).forEach(walk);
  };
  for (const [status, r] of Object.entries(responses)) if (Number(status) >= 400) walk(r);
  return codes;
}

const t = createTestApp();
afterAll(() => t.cleanup());

/**
 * Every error code an app can meet from the server has a message in both of its languages: a
 * guard or a filer never reads a raw code or the server's English. Which routes each app calls is
 * written here; the codes come from the OpenAPI document, so a new code on one of them fails this
 * until the catalogue says it.
 */
describe('error messages in both languages', () => {
  it('the admin app has one for every code of every route it calls, the kiosk and the visitor’s page for theirs', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).json as Doc;
    const admin = new Set<string>();
    const kiosk = new Set<string>();
    const visit = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        const codes = codesOf(op.responses);
        const tablet = path.startsWith('/api/v1/kiosk/') || (path === '/api/v1/departments' && method === 'get');
        if (tablet) codes.forEach((c) => kiosk.add(c));
        // The visitor's and the member's phone pages are one bundle with one catalogue.
        if (path.startsWith('/api/v1/visit/') || path.startsWith('/api/v1/me/')) codes.forEach((c) => visit.add(c));
        else if (!path.startsWith('/api/v1/kiosk/')) codes.forEach((c) => admin.add(c));
      }
    expect(admin.size).toBeGreaterThan(20);
    expect(kiosk.size).toBeGreaterThan(5);
    const missing = (codes: Set<string>, catalogue: { zh: Record<string, string>; en: Record<string, string> }) =>
      [...codes].filter((c) => !catalogue.zh[`error.${c}`] || !catalogue.en[`error.${c}`]).sort();
    expect(missing(admin, adminMessages), 'admin/src/lib/messages.ts').toEqual([]);
    expect(missing(kiosk, kioskMessages), 'kiosk/src/lib/messages.ts').toEqual([]);
    expect(visit.size).toBeGreaterThan(5);
    expect(missing(visit, visitMessages), 'admin/src/visit/messages.ts').toEqual([]);
  });
});
