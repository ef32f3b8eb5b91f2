import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = createTestApp();
  admin = await t.signIn('admin');
});
afterAll(() => t.cleanup());

const lastAudit = async (entity: string) =>
  (await t.request('GET', `/api/v1/audit?entity=${entity}&limit=1`, { cookie: admin })).json.items[0];

describe('gates', () => {
  it('creates, renames and deactivates a gate, each change audited with before and after', async () => {
    const created = await t.request('POST', '/api/v1/gates', {
      cookie: admin,
      body: { campusId: t.campus.campusId, code: 'west', name: '西门', nameEn: 'West Gate' },
    });
    expect(created.status).toBe(201);
    expect(await lastAudit('gate')).toMatchObject({
      action: 'gate.create',
      entityId: String(created.json.id),
      before: null,
      after: { code: 'west' },
    });

    const renamed = await t.request('PATCH', `/api/v1/gates/${created.json.id}`, {
      cookie: admin,
      body: { name: '西大门', active: false },
    });
    expect(renamed.json).toMatchObject({ name: '西大门', active: false });
    expect(await lastAudit('gate')).toMatchObject({
      action: 'gate.update',
      before: { name: '西门', active: true },
      after: { name: '西大门', active: false },
    });
  });

  it('refuses a gate on an unknown campus as a field error', async () => {
    const res = await t.request('POST', '/api/v1/gates', {
      cookie: admin,
      body: { campusId: 999, code: 'x', name: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.issues[0]).toMatchObject({ path: ['campusId'], code: 'unknown_campus' });
  });
});

describe('departments', () => {
  it('creates and changes a department', async () => {
    const created = await t.request('POST', '/api/v1/departments', {
      cookie: admin,
      body: { code: 'bio', name: '生命科学学院' },
    });
    expect(created.status).toBe(201);
    const changed = await t.request('PATCH', `/api/v1/departments/${created.json.id}`, {
      cookie: admin,
      body: { requiresDeptApproval: true },
    });
    expect(changed.json.requiresDeptApproval).toBe(true);
    const list = await t.request('GET', '/api/v1/departments', { cookie: await t.signIn('guard') });
    expect(list.json.map((d: { code: string }) => d.code)).toContain('bio');
  });
});

describe('users', () => {
  it('creates a guard bound to gates and hides the password hash', async () => {
    const res = await t.request('POST', '/api/v1/users', {
      cookie: admin,
      body: {
        username: 'guard-east',
        displayName: '东门 赵',
        role: 'guard',
        password: 'long-enough-pass',
        gateIds: [t.campus.gateIds.east],
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ role: 'guard', gateIds: [t.campus.gateIds.east], disabled: false });
    expect(JSON.stringify(res.json)).not.toContain('scrypt');
    const audit = await lastAudit('user');
    expect(JSON.stringify(audit)).not.toContain('long-enough-pass');
    expect(JSON.stringify(audit)).not.toContain('scrypt');
  });

  it('requires a department for a filer and a gate for a guard', async () => {
    const filer = await t.request('POST', '/api/v1/users', {
      cookie: admin,
      body: { username: 'f2', displayName: 'F', role: 'filer', password: 'long-enough-pass' },
    });
    expect(filer.json.error.issues[0]).toMatchObject({ path: ['departmentId'], code: 'department_required' });
    const guard = await t.request('POST', '/api/v1/users', {
      cookie: admin,
      body: { username: 'g2', displayName: 'G', role: 'guard', password: 'long-enough-pass' },
    });
    expect(guard.json.error.issues[0]).toMatchObject({ path: ['gateIds'], code: 'gate_required' });
  });

  it('refuses a duplicate username with 409', async () => {
    const res = await t.request('POST', '/api/v1/users', {
      cookie: admin,
      body: { username: 'office1', displayName: 'X', role: 'office', password: 'long-enough-pass' },
    });
    expect(res.status).toBe(409);
  });

  it('will not let an admin disable themself', async () => {
    const res = await t.request('PATCH', `/api/v1/users/${t.users.admin.id}`, {
      cookie: admin,
      body: { disabled: true },
    });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('self_lockout');
  });

  it('a password reset ends the user’s sessions and the new password works', async () => {
    const guard = await t.signIn('guard');
    await t.request('PATCH', `/api/v1/users/${t.users.guard.id}`, {
      cookie: admin,
      body: { password: 'reset-by-admin-1' },
    });
    expect((await t.request('GET', '/api/v1/auth/me', { cookie: guard })).status).toBe(401);
    await t.signIn({ username: 'guard1', password: 'reset-by-admin-1' });
  });
});

describe('audit', () => {
  it('pages newest first with a stable cursor', async () => {
    const first = await t.request('GET', '/api/v1/audit?limit=2', { cookie: admin });
    expect(first.json.items).toHaveLength(2);
    const second = await t.request('GET', `/api/v1/audit?limit=2&cursor=${first.json.nextCursor}`, { cookie: admin });
    expect(second.json.items[0].id).toBeLessThan(first.json.items[1].id);
  });
});
