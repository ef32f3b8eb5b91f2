import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../server/domain/pass';
import { deriveKey } from '../../server/lib/secrets';
import { currentSigningKey } from '../../server/passes/keys';
import { createTestApp, type TestApp } from '../helpers/app';
import { requestInput, visitorInput } from '../helpers/filing';

let t: TestApp;
afterEach(() => t?.cleanup());

/** The database as a thief would copy it: the file and its WAL, bytes. */
function databaseBytes() {
  t.sqlite.pragma('wal_checkpoint(PASSIVE)');
  const files = [t.path, `${t.path}-wal`].filter((f) => existsSync(f));
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

/** Every text value in every table. */
function everyTextValue(): string[] {
  const tables = (
    t.sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  return tables.flatMap((name) =>
    (t.sqlite.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]).flatMap((row) =>
      Object.values(row).filter((v): v is string => typeof v === 'string'),
    ),
  );
}

const digests = (text: string) =>
  ['sha256', 'sha1', 'md5'].flatMap((alg) => {
    const d = createHash(alg).update(text).digest();
    return [d.toString('hex'), d.toString('base64'), d.toString('base64url')];
  });

describe('a copy of the database gives away nothing a thief could use', () => {
  it('holds no unkeyed digest of a filing body or of an ID number filed', async () => {
    t = createTestApp();
    const filer = await t.signIn('filer');
    const visitors = [visitorInput({}, 1), visitorInput({ idType: 'passport', idNumber: 'E12345678' }, 2)];
    const body = requestInput(t.campus.gateIds.north, { visitors });
    const filed = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body,
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(filed.status).toBe(201);
    const normalized = { ...body, visitDateTo: body.visitDateFrom };
    const secrets = [
      JSON.stringify(body),
      JSON.stringify(normalized),
      ...visitors.flatMap((v) => [v.idNumber, `${v.idType}:${v.idNumber}`]),
    ];
    const values = new Set(everyTextValue());
    const bytes = databaseBytes();
    for (const s of secrets) {
      for (const d of digests(s)) {
        expect(values.has(d), `a stored value is an unkeyed digest of ${s.slice(0, 40)}`).toBe(false);
        expect(bytes.includes(Buffer.from(d)), `the file holds an unkeyed digest of ${s.slice(0, 40)}`).toBe(false);
      }
      expect(bytes.includes(Buffer.from(visitors[0]!.idNumber))).toBe(false);
    }
    // The retry protection still works with the keyed fingerprint.
    const retried = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body,
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(
      (
        await t.request('POST', '/api/v1/requests', {
          cookie: filer,
          body: { ...body, purpose: '另一件事' },
          headers: { 'idempotency-key': 'k-1' },
        })
      ).status,
    ).toBe(409);
  });

  it('holds the pass-signing key only wrapped by a key it does not hold', () => {
    t = createTestApp();
    const wrap = deriveKey(t.idHashKey, 'signing-key-wrap');
    const { privateKey } = currentSigningKey(t.db, wrap);
    const bytes = databaseBytes();
    for (const form of [
      bytesToHex(privateKey),
      Buffer.from(privateKey).toString('base64'),
      Buffer.from(privateKey).toString('base64url'),
    ])
      expect(bytes.includes(Buffer.from(form))).toBe(false);
    expect(bytes.includes(Buffer.from(privateKey))).toBe(false);
    expect(() => currentSigningKey(t.db, deriveKey(Buffer.alloc(32, 7), 'signing-key-wrap'))).toThrow(
      /cannot be unwrapped/,
    );
  });

  it('keeps no trace of an erased visitor’s name or phone in the file or its WAL', async () => {
    t = createTestApp();
    const filer = await t.signIn('filer');
    const office = await t.signIn('office');
    const name = '欧阳锦绣';
    const phone = '13712349876';
    const filed = await t.request('POST', '/api/v1/requests', {
      cookie: filer,
      body: requestInput(t.campus.gateIds.north, { visitors: [visitorInput({ name, phone }, 5)] }),
      headers: { 'idempotency-key': 'erase-me' },
    });
    await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} });
    expect(databaseBytes().includes(Buffer.from(name))).toBe(true); // the control: it was there
    const res = await t.request('POST', `/api/v1/visitors/${filed.json.visitors[0].id}/erase`, {
      cookie: office,
      body: { reason: '本人申请删除' },
    });
    expect(res.status).toBe(200);
    const bytes = databaseBytes();
    expect(bytes.includes(Buffer.from(name))).toBe(false);
    expect(bytes.includes(Buffer.from(phone))).toBe(false);
  });
});
