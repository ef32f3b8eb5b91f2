import { fieldIssue, issuesFromZod, type ErrorIssue } from '../lib/errors';
import { excelMangled, ID_TYPE_WORDS, readTableFile, tableTemplate } from '../lib/table-file';
import { MemberRowSchema, type MemberRow } from './schemas';

/** Column headers we accept, Chinese or English, mapped to member fields; the template uses the first of each. */
const COLUMNS: { field: keyof MemberRow; headers: string[] }[] = [
  { field: 'number', headers: ['学号/工号', '学号', '工号', '编号', 'number'] },
  { field: 'name', headers: ['姓名', 'name'] },
  { field: 'type', headers: ['类别', '人员类别', '类型', 'type'] },
  { field: 'workerKind', headers: ['工种', 'workerkind', 'kind'] },
  { field: 'department', headers: ['院系/部门', '院系', '部门', '单位', 'department'] },
  { field: 'unit', headers: ['班级/班组', '班级', '班组', 'unit', 'class'] },
  { field: 'resident', headers: ['住校', '留校', '是否住校', 'resident'] },
  { field: 'idType', headers: ['证件类型', 'idtype'] },
  { field: 'idNumber', headers: ['证件号码', '身份证号', 'idnumber'] },
  { field: 'phone', headers: ['手机', '手机号', '电话', 'phone'] },
];
const HEADER_FIELD = new Map(COLUMNS.flatMap((c) => c.headers.map((h) => [h.toLowerCase(), c.field] as const)));

const TYPE_WORDS: Record<string, string> = {
  学生: 'student',
  本科生: 'student',
  研究生: 'student',
  留学生: 'student',
  教职工: 'staff',
  教师: 'staff',
  职工: 'staff',
  员工: 'staff',
  工人: 'worker',
  长期工: 'worker',
  临时工: 'worker',
  外包: 'worker',
};
const KIND_WORDS: Record<string, string> = {
  餐饮: 'catering',
  食堂: 'catering',
  物业: 'property',
  保洁: 'property',
  施工: 'construction',
  保安: 'security',
  快递: 'courier',
  固定快递: 'courier',
};
const YES = new Set(['是', '住校', '留校', 'yes', 'y', 'true', '1']);

export interface ParsedMemberRow {
  row: number;
  number: string | null;
  member: MemberRow | null;
  issues: ErrorIssue[];
}

/** A digit string Excel turned into a number loses digits beyond 15: say so rather than report a check digit. */
/** Reads an office's member file and checks every row with the same schema before anything is saved. */
export async function parseMemberFile(file: File): Promise<ParsedMemberRow[]> {
  let table: string[][];
  try {
    table = await readTableFile(file);
  } catch {
    table = [];
  }
  const [header, ...body] = table;
  const fields = (header ?? []).map((h) => HEADER_FIELD.get(h.trim().toLowerCase().replace(/\s+/g, '')) ?? null);
  const seen = new Map<string, number>();
  return body.map((cells, i) => {
    const raw: Record<string, string> = {};
    fields.forEach((f, j) => {
      if (f) raw[f] = (cells[j] ?? '').trim();
    });
    const row = i + 2;
    const extra: ErrorIssue[] = [];
    if (raw.idNumber && excelMangled(raw.idNumber)) extra.push(fieldIssue(['idNumber'], 'id_excel_number'));
    const candidate = {
      number: raw.number ?? '',
      name: raw.name ?? '',
      type: TYPE_WORDS[raw.type ?? ''] ?? (raw.type || '').toLowerCase(),
      workerKind: raw.workerKind ? (KIND_WORDS[raw.workerKind] ?? raw.workerKind.toLowerCase()) : null,
      department: raw.department ?? '',
      unit: raw.unit ?? '',
      resident: YES.has((raw.resident ?? '').toLowerCase()),
      idType: raw.idType ? (ID_TYPE_WORDS[raw.idType] ?? raw.idType) : raw.idNumber ? 'resident_id' : null,
      idNumber: raw.idNumber && !extra.length ? raw.idNumber : null,
      phone: raw.phone || null,
    };
    const parsed = MemberRowSchema.safeParse(candidate);
    const issues = [...extra, ...(parsed.success ? [] : issuesFromZod(parsed.error))];
    const number = candidate.number || null;
    if (number) {
      const first = seen.get(number);
      if (first !== undefined)
        issues.push({ path: ['number'], code: 'duplicate_number', message: `the same number as row ${first}` });
      else seen.set(number, row);
    }
    return { row, number, member: parsed.success && !issues.length ? parsed.data : null, issues };
  });
}

const EXAMPLE = ['2023010101', '张三', '学生', '', '计算机学院', '计科2301', '是', '身份证', '', '13800000000'];
const WORKER_EXAMPLE = ['W0001', '李四', '工人', '固定快递', '后勤处', '快递组', '否', '', '', '13900000000'];

/** The template offices fill in: the headers and an example row each of a student and a worker. */
export const memberTemplate = (format: 'csv' | 'xlsx') =>
  tableTemplate(format, {
    sheet: 'members',
    headers: COLUMNS.map((c) => c.headers[0]!),
    rows: [EXAMPLE, WORKER_EXAMPLE],
    // Member numbers, ID numbers and phones as text.
    textColumns: [1, 9, 10],
  });
