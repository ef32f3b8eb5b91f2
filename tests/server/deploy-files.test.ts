import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app';
import { EnvSchema } from '../../server/env';

/**
 * deploy/systemd as shipped: systemd's own checker accepts the units (an unknown or misspelt key is
 * silently ignored by systemd at run time, so a typo in a sandboxing option would quietly drop it),
 * the service's exposure stays low, and the example environment names only variables the server reads.
 */
const dir = join(ROOT_DIR, 'deploy', 'systemd');
const work = mkdtempSync(join(tmpdir(), 'gatehouse-units-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the systemd units in deploy/', () => {
  it('pass systemd-analyze verify without a warning', () => {
    const units = ['gatehouse.service', 'gatehouse-backup.service', 'gatehouse-backup.timer'];
    for (const u of units) copyFileSync(join(dir, u), join(work, u));
    const run = spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map((u) => `./${u}`)], {
      cwd: work,
      encoding: 'utf8',
    });
    expect(run.error, 'systemd-analyze (Debian package systemd) is needed').toBeUndefined();
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
  });

  it('sandbox the server: systemd rates its exposure low', () => {
    copyFileSync(join(dir, 'gatehouse.service'), join(work, 'gatehouse.service'));
    const out = execFileSync('systemd-analyze', ['security', '--offline=yes', './gatehouse.service'], {
      cwd: work,
      encoding: 'utf8',
    });
    const level = Number(/Overall exposure level for gatehouse\.service: ([\d.]+)/.exec(out)?.[1]);
    expect(level).toBeLessThanOrEqual(3);
  });

  it('set only variables the server knows, with values it accepts', () => {
    const env = Object.fromEntries(
      readFileSync(join(dir, 'gatehouse.env'), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const name of Object.keys(env)) expect(Object.keys(EnvSchema.shape)).toContain(name);
    expect(EnvSchema.safeParse(env).success).toBe(true);
  });
});
