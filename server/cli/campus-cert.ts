/**
 * `npm run campus-cert -- DIR NAME…`: a campus CA (made once, reused) and a server certificate for the
 * gate server's host names and IP addresses, for a LAN with no public certificate. `--campus "某某大学"`
 * names the CA. Run it again with the same DIR to renew the server certificate under the same CA, so
 * tablets that trust the CA keep working. Install DIR/campus-ca.crt on tablets and office PCs (README:
 * "Deploying on a campus"), then start the server with TLS_CERT_FILE and TLS_KEY_FILE as printed.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCampusCa, issueServerCertificate } from '../tls/campus-cert';
import { fingerprint } from '../tls/inspect';

const args = process.argv.slice(2);
const campusAt = args.indexOf('--campus');
const campus = campusAt >= 0 ? args[campusAt + 1] : 'Campus';
const rest = args.filter((a, i) => !a.startsWith('--') && (campusAt < 0 || i !== campusAt + 1));
const [dir, ...names] = rest;
if (!dir || names.length === 0 || !campus) {
  console.error('Usage: npm run campus-cert -- DIR HOSTNAME|IP… [--campus "Campus name"]');
  console.error('  e.g. npm run campus-cert -- /etc/gatehouse/tls gate.campus.lan 10.20.0.5 --campus "某某大学"');
  process.exit(2);
}

const writeSecret = (path: string, text: string) => {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
};

try {
  mkdirSync(dir, { recursive: true });
  const caCrt = join(dir, 'campus-ca.crt');
  const caKey = join(dir, 'campus-ca.key');
  let ca;
  if (existsSync(caCrt) && existsSync(caKey)) {
    ca = { certPem: readFileSync(caCrt, 'utf8'), keyPem: readFileSync(caKey, 'utf8') };
    console.log(`Using the existing campus CA in ${caCrt}: tablets that trust it need nothing new.`);
  } else {
    ca = await createCampusCa(campus);
    writeFileSync(caCrt, ca.certPem);
    writeSecret(caKey, ca.keyPem);
    console.log(`Made a new campus CA: ${caCrt} (install this on every tablet and office PC).`);
  }
  const server = await issueServerCertificate(ca, names);
  const crt = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  writeFileSync(crt, server.certPem);
  writeSecret(key, server.keyPem);
  console.log(`Server certificate for ${names.join(', ')} until ${server.notAfter.toISOString().slice(0, 10)}.`);
  console.log(`CA fingerprint (SHA-256), compare it on each device: ${fingerprint(ca.certPem)}`);
  console.log(`Start the server with:\n  TLS_CERT_FILE=${resolve(crt)}\n  TLS_KEY_FILE=${resolve(key)}`);
  console.log(`Keep ${caKey} off the server once done (it signs certificates every tablet trusts).`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
