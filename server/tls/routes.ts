import { createRoute, z } from '@hono/zod-openapi';
import { readFileSync } from 'node:fs';
import { ApiError } from '../lib/errors';
import { isHttps } from '../lib/client-address';
import { createRouter, errorContent, guardResponses, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { campusCaOf, describeCertificate, fingerprint } from './inspect';

const DAY = 86_400_000;

const TlsStatusSchema = z
  .object({
    servedOverHttps: z
      .boolean()
      .openapi({ description: 'This request reached the server over HTTPS (itself or its proxy)' }),
    builtIn: z.boolean().openapi({ description: 'The server itself speaks TLS (TLS_CERT_FILE and TLS_KEY_FILE)' }),
    certificate: z
      .object({ subject: z.string(), names: z.array(z.string()), notAfter: z.string(), daysLeft: z.number().int() })
      .nullable(),
    campusCa: z
      .object({
        subject: z.string(),
        notAfter: z.string(),
        fingerprint: z.string().openapi({ description: 'SHA-256, colon-separated: compare it on each device' }),
      })
      .nullable()
      .openapi({ description: 'The CA the certificate chain carries (npm run campus-cert), to install on tablets' }),
  })
  .openapi('TlsStatus');

/** The certificate chain as it is on disk now (the server re-reads it when renewed). */
function chainPem(file: string | undefined): string | null {
  if (!file) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** What the admin's HTTPS page shows, and the campus CA to download for tablets and office PCs. */
export const tlsRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['deployment'],
      summary: 'How this server is reached over HTTPS: its certificate and the campus CA to install',
      middleware: [requireRole('admin', 'office')] as const,
      responses: { 200: jsonContent(TlsStatusSchema, 'TLS status'), ...guardResponses },
    }),
    (c) => {
      const { config, clock } = c.get('deps');
      const chain = chainPem(config.TLS_CERT_FILE);
      const cert = chain ? describeCertificate(chain) : null;
      const ca = chain ? campusCaOf(chain) : null;
      const caInfo = ca ? describeCertificate(ca) : null;
      return c.json(
        {
          servedOverHttps: isHttps(c, config.TRUST_PROXY, undefined),
          builtIn: Boolean(config.TLS_CERT_FILE && config.TLS_KEY_FILE),
          certificate: cert
            ? { ...cert, daysLeft: Math.floor((Date.parse(cert.notAfter) - clock.now().getTime()) / DAY) }
            : null,
          campusCa:
            ca && caInfo ? { subject: caInfo.subject, notAfter: caInfo.notAfter, fingerprint: fingerprint(ca) } : null,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/campus-ca.crt',
      tags: ['deployment'],
      summary: 'The campus CA certificate (PEM), to install on tablets and office PCs',
      middleware: [requireRole('admin', 'office')] as const,
      responses: {
        200: {
          content: { 'application/x-x509-ca-cert': { schema: z.string() } },
          description: 'The CA certificate, PEM',
        },
        404: errorContent('This server has no campus CA in its certificate chain', 'no_campus_ca'),
        ...guardResponses,
      },
    }),
    (c) => {
      const ca = campusCaOf(chainPem(c.get('deps').config.TLS_CERT_FILE) ?? '');
      if (!ca) throw new ApiError(404, 'no_campus_ca', 'This server has no campus CA in its certificate chain');
      return c.body(ca, 200, {
        'content-type': 'application/x-x509-ca-cert',
        'content-disposition': 'attachment; filename="campus-ca.crt"',
      });
    },
  );
