import 'reflect-metadata'; // @peculiar/x509's dependency injection needs the Reflect metadata polyfill
import * as x509 from '@peculiar/x509';
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';

/**
 * A campus's own certificate authority and the server certificate it signs, for a gate server on a LAN
 * name no public CA will certify. ECDSA P-256 throughout: Android 7+ and every current desktop accept it.
 * Made with @peculiar/x509 (a maintained X.509 library over WebCrypto), never by hand-built ASN.1.
 */

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
/** The CA lives ten years: installing it on every tablet is the expensive step. */
const CA_DAYS = 3650;
/** A server certificate lives 397 days, the most browsers accept from any CA; renew with the same CA. */
const SERVER_DAYS = 397;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

function serial(): string {
  // Positive 16-byte serial (top bit clear), as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0]! &= 0x7f;
  return Buffer.from(bytes).toString('hex');
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPair(cert: x509.X509Certificate, pem: string): Promise<CryptoKeyPair> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('the CA key file holds no PEM key');
  const privateKey = (await webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign'])) as unknown as CryptoKey;
  const publicKey = await cert.publicKey.export(ALG, ['verify']);
  return { privateKey, publicKey };
}

/** Splits a list of host names and IP addresses into the certificate's subject alternative names. */
function subjectAltNames(names: string[]): { type: 'dns' | 'ip'; value: string }[] {
  return names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n }));
}

/** A new CA: self-signed, may sign server certificates only (path length 0). */
export async function createCampusCa(campusName: string, now = new Date()): Promise<PemPair> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [`${campusName} Gatehouse CA`] }, { O: [campusName] }],
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** A server certificate for the given names and addresses, signed by the campus CA. */
export async function issueServerCertificate(
  ca: PemPair,
  names: string[],
  now = new Date(),
): Promise<PemPair & { notAfter: Date }> {
  if (names.length === 0) throw new Error('name at least one host name or IP address');
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKeys = await importKeyPair(caCert, ca.keyPem);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const notAfter = new Date(now.getTime() + SERVER_DAYS * DAY);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [names[0]!] }],
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // ECDSA keys sign (ECDHE); key encipherment is an RSA-only usage.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(subjectAltNames(names)),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  // The chain a TLS server sends: the leaf, then the CA (tablets that have the CA ignore the extra copy).
  return {
    certPem: `${cert.toString('pem')}\n${caCert.toString('pem')}\n`,
    keyPem: await keyPem(keys.privateKey),
    notAfter,
  };
}
