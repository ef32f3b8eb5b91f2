import { createRoute, z } from '@hono/zod-openapi';
import { ErrorBodySchema, ErrorIssueSchema, fieldIssue, issuesFromZod, type ErrorIssue } from '../lib/errors';
import { regionByName } from '../regions/data';
import { fileContent, FileFormatSchema, fileUploadBody, jsonContent } from '../lib/router';
import { requireRole } from '../middleware/auth';
import { ImportedVisitorSchema } from './schemas';
import { excelMangled, ID_TYPE_WORDS, readTableFile, tableTemplate } from '../lib/table-file';

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
    const visitor: Record<string, unknown> & { visitedRegions: string[] } = {
      ...raw,
      idType: ID_TYPE_WORDS[String(raw.idType ?? '')] ?? raw.idType,
      // Separated by ; 、 or commas; spaces separate codes but belong to names (河南省 郑州市 二七区).
      visitedRegions: String(raw.visitedRegions ?? '')
        .split(/[;；、,，\n]+/)
        .map((p) => p.trim())
        .flatMap((p) => (/^\d{6}(\s+\d{6})*$/.test(p) ? p.split(/\s+/) : [p]))
        .filter(Boolean),
      email: raw.email ? String(raw.email) : null,
      closeContact: YES.has(String(raw.closeContact ?? '').toLowerCase()),
      testTakenAt: raw.testTakenAt ? toIso(String(raw.testTakenAt)) : null,
      testResult: raw.testResult ? (RESULT_WORDS[String(raw.testResult)] ?? raw.testResult) : null,
    };
    const ownIssues: ErrorIssue[] = [];
    // An ID number Excel turned into a number lost its last digits: say so, not "wrong check digit".
    if (excelMangled(String(visitor.idNumber ?? ''))) ownIssues.push(fieldIssue(['idNumber'], 'id_excel_number'));
    // Regions as offices write them: names (郑州市金水区) become codes; an unknown or ambiguous one is said.
    const codeOf = (text: string, path: (string | number)[]) => {
      const found = regionByName(text);
      if (found && 'code' in found) return found.code;
      ownIssues.push(
        found
          ? fieldIssue(path, 'region_ambiguous', {
              name: text,
              candidates: found.ambiguous.map((r) => r.fullName).join(' / '),
            })
          : fieldIssue(path, 'region_unknown_name', { name: text }),
      );
      return text;
    };
    const from = String(visitor.fromRegion ?? '');
    if (from) visitor.fromRegion = codeOf(from, ['fromRegion']);
    visitor.visitedRegions = visitor.visitedRegions.map((r, k) => codeOf(r, ['visitedRegions', k]));
    const parsed = ImportedVisitorSchema.safeParse(visitor);
    const seen = new Set(ownIssues.map((x) => x.path.join('.')));
    const issues = [
      ...ownIssues,
      ...(parsed.success ? [] : issuesFromZod(parsed.error).filter((x) => !seen.has(x.path.join('.')))),
    ];
    return parsed.success && issues.length === 0
      ? { row: i + 2, visitor: parsed.data, issues }
      : { row: i + 2, visitor: null, issues };
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

/** The visitor list a filer fills in: every column the import reads, and one example row. */
export const visitorTemplate = (format: 'csv' | 'xlsx') =>
  tableTemplate(format, {
    sheet: 'visitors',
    headers: [
      '姓名',
      '证件类型',
      '证件号码',
      '手机',
      '邮箱',
      '来源地',
      '14天内到访地区',
      '密接',
      '核酸时间',
      '核酸结果',
    ],
    rows: [['张三', '身份证', '410105199001010011', '13800000000', '', '河南省郑州市金水区', '', '否', '', '']],
    textColumns: [3, 4],
  });

export const visitorTemplateRoute = createRoute({
  method: 'get',
  path: '/import/template',
  tags: ['filing'],
  summary: 'The visitor list template (CSV or XLSX): the columns the import reads and an example row',
  middleware: [requireRole('filer', { scope: 'requests:file' })] as const,
  request: { query: z.object({ format: FileFormatSchema }) },
  responses: {
    200: fileContent('The template'),
    400: jsonContent(ErrorBodySchema, 'Invalid format'),
    401: jsonContent(ErrorBodySchema, 'Not signed in'),
    403: jsonContent(ErrorBodySchema, 'Role not allowed'),
  },
});
