import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Config } from '../env';
import type { Logger } from '../lib/logger';
import { describeCertificate } from './inspect';

export interface TlsFiles {
  cert: string;
  key: string;
}

/** Reads the certificate chain and key; throws with the file named when one is missing or unreadable. */
export function readTlsFiles(config: Pick<Config, 'TLS_CERT_FILE' | 'TLS_KEY_FILE'>): TlsFiles | null {
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) return null;
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return { cert: read(config.TLS_CERT_FILE, 'certificate'), key: read(config.TLS_KEY_FILE, 'key') };
}

/** Node's HTTPS options: HTTP/1.1 (server-sent events and the kiosk's sync need nothing more), TLS 1.2+. */
export function httpsOptions(files: TlsFiles) {
  return { cert: files.cert, key: files.key, minVersion: 'TLSv1.2' as const };
}

/**
 * Re-reads the certificate and key when either file changes (a renewal by the campus-cert command, certbot
 * or a copy from the campus's CA), so a renewed certificate takes effect without a restart. Polling, not
 * inotify: renewals replace files by rename, which a watch on the old inode would miss. A bad pair is
 * logged and the running certificate kept.
 */
export function watchCertificates(
  server: HttpsServer,
  config: Pick<Config, 'TLS_CERT_FILE' | 'TLS_KEY_FILE'>,
  logger: Logger,
  intervalMs = 2000,
): () => void {
  const paths = [config.TLS_CERT_FILE!, config.TLS_KEY_FILE!];
  let timer: NodeJS.Timeout | null = null;
  const reload = () => {
    // Both files usually change within a moment of each other: read once they have settled.
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        const files = readTlsFiles(config)!;
        server.setSecureContext(httpsOptions(files));
        logger.info('TLS certificate reloaded', describeCertificate(files.cert));
      } catch (err) {
        logger.error('TLS certificate reload failed; keeping the previous one', {
          err: err instanceof Error ? err.message : String(err),
        });
      }
    }, 250);
  };
  for (const p of paths) watchFile(p, { interval: intervalMs }, reload);
  return () => {
    if (timer) clearTimeout(timer);
    for (const p of paths) unwatchFile(p, reload);
  };
}

/** The plain-HTTP port's only answer: the same path on HTTPS (308 keeps the method and body). */
export function startRedirectListener(config: Config, httpsPort: () => number, logger: Logger) {
  const server = createHttpServer((req, res) => {
    const host = (req.headers.host ?? 'localhost').replace(/:\d+$/, '').replace(/[^A-Za-z0-9.\-[\]:]/g, '');
    const port = httpsPort();
    const target = config.PUBLIC_ORIGIN
      ? new URL(req.url ?? '/', config.PUBLIC_ORIGIN).href
      : `https://${host}${port === 443 ? '' : `:${port}`}${req.url ?? '/'}`;
    res.writeHead(308, { location: target, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Gatehouse is served over HTTPS: ${target}\n`);
  });
  server.listen(config.HTTP_REDIRECT_PORT, config.HOST, () =>
    logger.info('plain HTTP redirects to HTTPS', { port: config.HTTP_REDIRECT_PORT }),
  );
  return server;
}

export { createHttpsServer };
