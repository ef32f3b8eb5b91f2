import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app';

function files(dir: string, exts = ['.ts', '.tsx']): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'dist' || f === 'node_modules' ? [] : files(p, exts);
    return exts.some((e) => p.endsWith(e)) ? [p] : [];
  });
}
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

describe('the shape of the house', () => {
  it('keeps server/domain pure: no Node, no DOM, no database, importable by the kiosk', () => {
    for (const file of files(join(ROOT_DIR, 'server/domain'))) {
      for (const spec of importsOf(file)) {
        const ok =
          spec.startsWith('./') ||
          ['zod', '@noble/ed25519', '@noble/hashes/hmac.js', '@noble/hashes/sha2.js'].includes(spec);
        expect(ok, `${relative(ROOT_DIR, file)} imports ${spec}`).toBe(true);
      }
      expect(readFileSync(file, 'utf8'), relative(ROOT_DIR, file)).not.toMatch(
        /\b(window|document|localStorage|process)\./,
      );
    }
  });

  it('keeps the two apps apart, and their runtime imports from the server to server/domain', () => {
    for (const [app, other] of [
      ['kiosk', 'admin'],
      ['admin', 'kiosk'],
    ] as const) {
      for (const file of files(join(ROOT_DIR, app, 'src'))) {
        const src = readFileSync(file, 'utf8');
        for (const spec of importsOf(file)) {
          expect(spec.includes(`/${other}/`), `${relative(ROOT_DIR, file)} imports ${spec}`).toBe(false);
          const typeOnly = new RegExp(
            `import\\s+type\\s[^;]*['"]${spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]`,
          ).test(src);
          if (spec.includes('/server/') && !typeOnly)
            expect(spec, relative(ROOT_DIR, file)).toMatch(/\/server\/domain\//);
        }
      }
    }
  });

  it('lets only each app’s api.ts talk to the server (no fetch in pages or components)', () => {
    for (const app of ['kiosk', 'admin']) {
      for (const file of files(join(ROOT_DIR, app, 'src'))) {
        // The admin's lib/api.ts; the kiosk's; the visitor page's own visit/api.ts (its own small bundle).
        if (file.endsWith(join('lib', 'api.ts')) || file.endsWith(join('visit', 'api.ts'))) continue;
        expect(readFileSync(file, 'utf8'), relative(ROOT_DIR, file)).not.toMatch(/\bfetch\(|XMLHttpRequest/);
      }
    }
  });

  it('keeps server/lib below the resources: it imports lib, domain, db and top-level files, never a resource folder', () => {
    for (const file of files(join(ROOT_DIR, 'server/lib'))) {
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        expect(
          /^\.\/|^\.\.\/(domain|db)\/|^\.\.\/[a-z-]+$/.test(spec),
          `${relative(ROOT_DIR, file)} imports ${spec}`,
        ).toBe(true);
      }
    }
  });

  it('has one Tx type, from server/db/open.ts', () => {
    for (const file of files(join(ROOT_DIR, 'server'))) {
      if (file.endsWith(join('db', 'open.ts'))) continue;
      expect(readFileSync(file, 'utf8'), relative(ROOT_DIR, file)).not.toMatch(/^\s*(export\s+)?type Tx\b/m);
    }
  });

  it('keeps SQL in stores: a routes.ts builds no query and imports no table or query operator', () => {
    for (const file of files(join(ROOT_DIR, 'server')).filter((f) => f.endsWith('routes.ts'))) {
      const src = readFileSync(file, 'utf8');
      const where = relative(ROOT_DIR, file);
      expect(src, where).not.toMatch(/from 'drizzle-orm'/);
      expect(src, where).not.toMatch(/\.(select|insert|update|delete)\(|\$client|\bsql`/);
      // Table objects may be named for their row types only.
      for (const m of src.matchAll(/^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'\.\.\/db\/schema'/gm)) {
        const runtime = m[1] ? [] : m[2]!.split(',').filter((n) => n.trim() && !/^\s*type\s/.test(n));
        expect(runtime, `${where} imports from db/schema at run time`).toEqual([]);
      }
    }
  });

  it('declares the guard answers and the id parameter once, in lib/', () => {
    for (const file of files(join(ROOT_DIR, 'server')).filter((f) => f.endsWith('routes.ts'))) {
      const src = readFileSync(file, 'utf8');
      const where = relative(ROOT_DIR, file);
      expect(src, where).not.toMatch(/401: jsonContent\(ErrorBodySchema, 'Not signed in'\)/);
      expect(src, where).not.toMatch(/param: \{ name: 'id', in: 'path' \}/);
    }
  });
});
