import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBodySchema, ErrorIssueSchema, issuesFromZod, type ErrorIssue } from '../lib/errors';
import { fileUploadBody, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { ImportedVisitorSchema } from './schemas';
import { ID_TYPE_WORDS, readTableFile } from '../lib/table-file';

/** Column headers we accept, Chinese or English, mapped to visitor fields. */
const HEADERS: Record<string, string> = {
  姓名: 'name',
  name: 'name',
  证件类型: 'idType',
  idtype: 'idType',
  证件号码: 'idNumber',
  idnumber: 'idNumber',
  手机: 'phone',
  手机号: 'phone',
  电话: 'phone',
  phone: 'phone',
  邮箱: 'email',
  电子邮箱: 'email',
  email: 'email',
  'e-mail': 'email',
  来源地区代码: 'fromRegion',
  来源地: 'fromRegion',
  fromregion: 'fromRegion',
  '14天内到访地区': 'visitedRegions',
  到访地区: 'visitedRegions',
  visitedregions: 'visitedRegions',
  密接: 'closeContact',
  密切接触史: 'closeContact',
  closecontact: 'closeContact',
  核酸时间: 'testTakenAt',
  核酸检测时间: 'testTakenAt',
  testtakenat: 'testTakenAt',
  核酸结果: 'testResult',
  testresult: 'testResult',
};
const YES = new Set(['是', '有', 'yes', 'y', 'true', '1']);
const RESULT_WORDS: Record<string, string> = { 阴性: 'negative', 阳性: 'positive' };

export const ImportResultSchema = z
  .object({
    rows: z.array(
      z.object({ row: z.number().int(), visitor: ImportedVisitorSchema.nullable(), issues: z.array(ErrorIssueSchema) }),
    ),
    valid: z.number().int(),
    invalid: z.number().int(),
  })
  .openapi('VisitorImport');

export const importVisitorsRoute = createRoute({
  method: 'post',
  path: '/import',
  tags: ['filing'],
  summary: 'Check a visitor list (CSV or XLSX) row by row; nothing is saved',
  middleware: [requireRole('filer', { scope: 'requests:file' })] as const,
  request: fileUploadBody,
  responses: {
    200: jsonContent(ImportResultSchema, 'Each row parsed, with its problems'),
    400: jsonContent(ErrorBodySchema, 'No file, or not CSV/XLSX'),
    401: jsonContent(ErrorBodySchema, 'Not signed in'),
    403: jsonContent(ErrorBodySchema, 'Role not allowed'),
  },
});

/** Parses a visitor list; every row is validated with the same schema the API uses. */
export async function parseVisitorFile(file: File) {
  let table: string[][];
  try {
    table = await readTableFile(file);
  } catch {
    table = [];
  }
  const [header, ...body] = table;
  const columns = (header ?? []).map(
    (h) => HEADERS[h.trim().toLowerCase().replace(/\s+/g, '')] ?? HEADERS[h.trim()] ?? null,
  );
  const rows = body.map((cells, i) => {
    const raw: Record<string, unknown> = {};
    columns.forEach((field, j) => {
      if (field) raw[field] = (cells[j] ?? '').trim();
    });
    const visitor = {
      ...raw,
      idType: ID_TYPE_WORDS[String(raw.idType ?? '')] ?? raw.idType,
      visitedRegions: String(raw.visitedRegions ?? '')
        .split(/[;；、,\s]+/)
        .filter(Boolean),
      email: raw.email ? String(raw.email) : null,
      closeContact: YES.has(String(raw.closeContact ?? '').toLowerCase()),
      testTakenAt: raw.testTakenAt ? toIso(String(raw.testTakenAt)) : null,
      testResult: raw.testResult ? (RESULT_WORDS[String(raw.testResult)] ?? raw.testResult) : null,
    };
    const parsed = ImportedVisitorSchema.safeParse(visitor);
    return parsed.success
      ? { row: i + 2, visitor: parsed.data, issues: [] as ErrorIssue[] }
      : { row: i + 2, visitor: null, issues: issuesFromZod(parsed.error) };
  });
  return { rows, valid: rows.filter((r) => r.visitor).length, invalid: rows.filter((r) => !r.visitor).length };
}

/** "2026-11-20 08:30" in a sheet means campus time (+08:00) unless it says otherwise. */
function toIso(s: string): string {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})$/.exec(s);
  if (!m) return s;
  const [, y, mo, d, h, mi] = m;
  return `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}T${h!.padStart(2, '0')}:${mi}:00+08:00`;
}
