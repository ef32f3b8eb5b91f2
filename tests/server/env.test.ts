import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app';
import { ConfigError, loadConfig } from '../../server/env';

describe('loadConfig', () => {
  it('fills documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8787,
      DATABASE_PATH: './data/gatehouse.db',
      SQLITE_SYNCHRONOUS: 'FULL',
      CAMPUS_TIMEZONE: 'Asia/Shanghai',
      TRUST_PROXY: false,
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(8787);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['SQLITE_SYNCHRONOUS', 'SOMETIMES'],
    ['TRUST_PROXY', 'maybe'],
    ['CAMPUS_TIMEZONE', 'Mars/Olympus'],
    ['PUBLIC_ORIGIN', 'not a url'],
    ['GATEHOUSE_ADMIN_PASSWORD', 'short'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    try {
      loadConfig({ [name]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join()).toContain(name);
    }
  });
});

describe('server start-up with a bad environment', () => {
  it('exits non-zero with a message naming the variable', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'server/main.ts')], {
      env: { ...process.env, PORT: 'eighty', SKIP_FRONTEND_BUILD: 'true' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('PORT');
  });
});
