import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/env';
import { createCampusCa, issueServerCertificate } from '../../server/tls/campus-cert';
import { describeCertificate, fingerprint } from '../../server/tls/inspect';

describe('campus certificates', () => {
  it('a CA that signs a server certificate for the LAN names and addresses, checked by Node’s own X.509 code', async () => {
    const now = new Date('2026-11-29T08:00:00Z');
    const ca = await createCampusCa('测试大学', now);
    const server = await issueServerCertificate(ca, ['gate.campus.lan', '10.20.0.5'], now);
    const caCert = new X509Certificate(ca.certPem);
    const leaf = new X509Certificate(server.certPem); // the first certificate of the chain
    expect(caCert.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:gate.campus.lan, IP Address:10.20.0.5');
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(leaf.checkHost('gate.campus.lan')).toBe('gate.campus.lan');
    expect(leaf.checkIP('10.20.0.5')).toBe('10.20.0.5');
    expect(leaf.checkHost('other.campus.lan')).toBeUndefined();
    // Within the 397 days browsers accept; the CA outlives many renewals.
    const days = (Date.parse(leaf.validTo) - now.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(390);
    expect(days).toBeLessThanOrEqual(397);
    expect(Date.parse(caCert.validTo)).toBeGreaterThan(Date.parse(leaf.validTo) + 5 * 365 * 86_400_000);
    // The chain carries the CA after the leaf; the key is PKCS#8 PEM.
    expect(server.certPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(server.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await fingerprint(ca.certPem)).toBe(caCert.fingerprint256);
    expect(describeCertificate(server.certPem)).toMatchObject({ names: ['gate.campus.lan', '10.20.0.5'] });
  });

  it('a renewal under the same CA is trusted by what trusted the first', async () => {
    const ca = await createCampusCa('Campus');
    const a = new X509Certificate((await issueServerCertificate(ca, ['gate.lan'])).certPem);
    const b = new X509Certificate((await issueServerCertificate(ca, ['gate.lan'])).certPem);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(b.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });

  it('refuses a certificate for no name', async () => {
    await expect(issueServerCertificate(await createCampusCa('Campus'), [])).rejects.toThrow(/at least one/);
  });
});

describe('TLS settings', () => {
  it('need both files, and a redirect port only with them', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: '/etc/x.crt' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_REDIRECT_PORT: '80' })).toThrow(/only with TLS_CERT_FILE/);
    expect(() => loadConfig({ TLS_CERT_FILE: 'a', TLS_KEY_FILE: 'b', PORT: '443', HTTP_REDIRECT_PORT: '443' })).toThrow(
      /must differ/,
    );
    expect(loadConfig({ TLS_CERT_FILE: 'a', TLS_KEY_FILE: 'b', HTTP_REDIRECT_PORT: '80' })).toMatchObject({
      HTTP_REDIRECT_PORT: 80,
    });
  });
});

describe('GET /api/v1/tls', () => {
  it('tells the office the certificate’s names and days left and hands out the campus CA; nothing without TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-api-'));
    try {
      const ca = await createCampusCa('Campus', new Date('2026-11-01T00:00:00Z'));
      const server = await issueServerCertificate(ca, ['gate.campus.lan'], new Date('2026-11-01T00:00:00Z'));
      writeFileSync(join(dir, 'server.crt'), server.certPem);
      writeFileSync(join(dir, 'server.key'), server.keyPem);
      const t = createTestApp({
        env: { TLS_CERT_FILE: join(dir, 'server.crt'), TLS_KEY_FILE: join(dir, 'server.key') },
        now: '2026-11-20T02:00:00Z',
      });
      const cookie = await t.signIn('office');
      const status = await t.request('GET', '/api/v1/tls', { cookie });
      expect(status.status).toBe(200);
      expect(status.json).toMatchObject({
        builtIn: true,
        certificate: { names: ['gate.campus.lan'], daysLeft: 377 },
        campusCa: { fingerprint: await fingerprint(ca.certPem) },
      });
      const file = await t.request('GET', '/api/v1/tls/campus-ca.crt', { cookie });
      expect(file.status).toBe(200);
      expect(file.text.trim()).toBe(ca.certPem.trim());

      const plain = createTestApp();
      const c2 = await plain.signIn('office');
      expect((await plain.request('GET', '/api/v1/tls', { cookie: c2 })).json).toMatchObject({
        builtIn: false,
        certificate: null,
        campusCa: null,
      });
      const none = await plain.request('GET', '/api/v1/tls/campus-ca.crt', { cookie: c2 });
      expect(none.status).toBe(404);
      expect(none.json.error.code).toBe('no_campus_ca');
      // A filer has no business here.
      expect((await plain.request('GET', '/api/v1/tls', { cookie: await plain.signIn('filer') })).status).toBe(403);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
