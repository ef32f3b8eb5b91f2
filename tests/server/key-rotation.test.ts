import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { fromBase64Url, hexToBytes, liveQrText, newPrivateKey, signPass, verifyPass } from '../../server/domain/pass';
import type { Snapshot } from '../../server/kiosk/snapshot';
import { runDailyJobs } from '../../server/jobs/daily';
import { silentLogger } from '../../server/lib/logger';
import { deriveKey, unwrapSecret } from '../../server/lib/secrets';
import { createTestApp, type TestApp } from '../helpers/app';
import { requestInput, visitorInput } from '../helpers/filing';
import { enrollDevice } from '../helpers/kiosk';

let t: TestApp;
afterEach(() => t?.cleanup());

/** What the kiosk's verifyText does with the keys of the snapshot it holds, offline. */
function tabletVerifies(snap: Snapshot, text: string, at: Date) {
  return verifyPass(text, {
    now: at,
    gateId: snap.gate.id,
    publicKeys: new Map(snap.keys.map((k) => [k.kid, hexToBytes(k.publicKey)])),
    keyAcceptUntil: new Map(
      snap.keys.flatMap((k) => (k.acceptUntil ? [[k.kid, new Date(k.acceptUntil)] as const] : [])),
    ),
    isRevoked: () => false,
    entriesUsed: () => 0,
    secretFor: (id) => {
      const p = snap.passes.find((x) => x.id === id);
      return p ? (fromBase64Url(p.secret) ?? undefined) : undefined;
    },
    stepSeconds: snap.rules.rules.codeStepSeconds,
    printedAllowed: false,
  });
}

describe('pass-signing key rotation', () => {
  it('new passes use the new key; old passes stay valid to their end; then the old key is refused, offline too, and retired', async () => {
    t = createTestApp();
    const admin = await t.signIn('admin');
    const office = await t.signIn('office');
    const filer = await t.signIn('filer');
    const north = t.campus.gateIds.north;
    const approve = async (seq: number, day: string) => {
      const filed = await t.request('POST', '/api/v1/requests', {
        cookie: filer,
        body: requestInput(north, { visitDateFrom: day, visitors: [visitorInput({}, seq)] }),
      });
      return (await t.request('POST', `/api/v1/review/${filed.json.id}/approve`, { cookie: office, body: {} })).json
        .visitors[0].pass as { id: string; link: string };
    };
    const view = async (link: string) =>
      (await t.request('GET', `/api/v1/visit/${link.split('/').pop()}`)).json.pass as {
        token: string;
        codeSecret: string;
        stepSeconds: number;
      };
    const qr = async (link: string, at: Date) => {
      const v = await view(link);
      return liveQrText(v.token, fromBase64Url(v.codeSecret)!, at, v.stepSeconds);
    };
    const before = await approve(1, '2026-11-21'); // 09:00–17:00 on the 21st, signed by key 1
    const { token } = await enrollDevice(t, north, office);

    expect(
      (await t.request('POST', '/api/v1/passes/keys', { cookie: office, body: { reason: '年度轮换' } })).status,
    ).toBe(403);
    const rotated = await t.request('POST', '/api/v1/passes/keys', { cookie: admin, body: { reason: '年度轮换' } });
    expect(rotated.json).toEqual({ kid: 2, rotated: [{ kid: 1, acceptUntil: '2026-11-21T09:10:00.000Z' }] }); // the last pass's end + 10 min tolerance
    const after = await approve(2, '2026-11-21');
    expect((await view(after.link)).token).not.toBe((await view(before.link)).token);

    // A tablet that synced after the rotation, then lost its network for good.
    const offline = (await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: token })).json as Snapshot;
    expect(offline.keys.map((k) => [k.kid, k.acceptUntil])).toEqual([
      [1, '2026-11-21T09:10:00.000Z'],
      [2, null],
    ]);
    const during = new Date('2026-11-21T03:00:00Z');
    expect(tabletVerifies(offline, await qr(before.link, during), during)).toMatchObject({ ok: true });
    expect(tabletVerifies(offline, await qr(after.link, during), during)).toMatchObject({ ok: true });

    // Someone who copied key 1 signs a pass for the next day: the offline tablet refuses it by its own clock.
    const wrapped = t.sqlite.prepare('select private_key k from signing_keys where kid = 1').get() as { k: string };
    const leaked = unwrapSecret(deriveKey(t.idHashKey, 'signing-key-wrap'), wrapped.k);
    const forged = signPass(
      {
        kid: 1,
        passId: before.id,
        validFrom: new Date('2026-11-22T00:00:00Z'),
        validTo: new Date('2026-11-22T10:00:00Z'),
        entries: 5,
        printable: true,
        gateIds: [north],
      },
      leaked,
    );
    const nextDay = new Date('2026-11-22T02:00:00Z');
    const forgedText = liveQrText(
      forged,
      fromBase64Url(offline.passes.find((p) => p.id === before.id)!.secret)!,
      nextDay,
      offline.rules.rules.codeStepSeconds,
    );
    expect(tabletVerifies(offline, forgedText, nextDay)).toMatchObject({ ok: false, reason: 'unknown_key' });
    // (A key it never had is refused the same way: a random signature.)
    expect(
      tabletVerifies(
        offline,
        liveQrText(
          signPass(
            {
              kid: 3,
              passId: before.id,
              validFrom: nextDay,
              validTo: nextDay,
              entries: 1,
              printable: true,
              gateIds: [north],
            },
            newPrivateKey(),
          ),
          new Uint8Array(16),
          nextDay,
          30,
        ),
        nextDay,
      ),
    ).toMatchObject({ ok: false, reason: 'unknown_key' });

    // The daily job retires key 1 once its last pass has ended; tablets no longer receive it.
    t.clock.set('2026-11-21T09:09:00Z');
    expect(runDailyJobs(t.db, t.clock.now(), silentLogger).keysRetired).toBe(0);
    t.clock.set('2026-11-21T09:11:00Z');
    expect(runDailyJobs(t.db, t.clock.now(), silentLogger).keysRetired).toBe(1);
    const fresh = (await t.request('GET', '/api/v1/kiosk/snapshot', { bearer: token })).json as Snapshot;
    expect(fresh.keys.map((k) => k.kid)).toEqual([2]);
    expect(t.sqlite.prepare("select count(*) n from audit_log where action = 'signing_key.rotate'").get()).toEqual({
      n: 1,
    });
  });

  it('rotates from the command line against the server’s database and key file', () => {
    t = createTestApp();
    const env = {
      ...process.env,
      DATABASE_PATH: t.path,
      ID_HASH_KEY: t.idHashKey.toString('hex'),
      LOG_LEVEL: 'silent',
    };
    const out = execFileSync('npx', ['tsx', 'server/cli/rotate-signing-key.ts', '疑似泄露'], { env, encoding: 'utf8' });
    expect(out).toMatch(/New pass-signing key 2/);
    expect(t.sqlite.prepare('select kid, rotated_at is not null rotated from signing_keys order by kid').all()).toEqual(
      [
        { kid: 1, rotated: 1 },
        { kid: 2, rotated: 0 },
      ],
    );
    expect(() =>
      execFileSync('npx', ['tsx', 'server/cli/rotate-signing-key.ts'], { env, encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow();
  });
});
