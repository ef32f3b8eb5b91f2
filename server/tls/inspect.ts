import { X509Certificate } from 'node:crypto';

/**
 * Reading certificates the server runs with: Node's own X.509 parser, so the server process never loads
 * the X.509 library that `npm run campus-cert` makes them with (campus-cert.ts).
 */

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** SHA-256 of a PEM certificate (the first of a chain), colon-separated, as Android's and Windows's dialogs show it. */
export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** What the start-up log and the HTTPS panel say about a certificate (the first of a chain). */
export function describeCertificate(certPem: string): { subject: string; names: string[]; notAfter: string } {
  const cert = new X509Certificate(certPem);
  return {
    subject: cert.subject.split('\n').join(', '),
    names: (cert.subjectAltName ?? '')
      .split(', ')
      .filter(Boolean)
      .map((n) => n.replace(/^(DNS|IP Address):/, '')),
    notAfter: new Date(cert.validTo).toISOString(),
  };
}

/** The CA a chain file carries after its leaf (as `npm run campus-cert` writes it): self-signed and a CA. */
export function campusCaOf(chainPem: string): string | null {
  for (const pem of (chainPem.match(PEM) ?? []).slice(1)) {
    const cert = new X509Certificate(pem);
    if (cert.ca && cert.checkIssued(cert)) return `${pem}\n`;
  }
  return null;
}
