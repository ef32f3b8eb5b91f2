import ExcelJS from 'exceljs';
import { csvField, parseCsv } from './csv';

/**
 * The rows of a spreadsheet as text: XLSX (the first sheet), or CSV in UTF-8 (with or without BOM)
 * or GB18030/GBK, which is what Excel's "CSV" writes on Chinese Windows. Node's ICU decoder reads
 * GB18030 (a superset of GBK); a file that is not valid UTF-8 is taken to be that.
 */
export async function readTableFile(file: File): Promise<string[][]> {
  const buf = Buffer.from(await file.arrayBuffer());
  const isXlsx = file.name.toLowerCase().endsWith('.xlsx') || buf.subarray(0, 2).toString('latin1') === 'PK';
  if (!isXlsx) return parseCsv(decodeText(buf));
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0];
  const rows: string[][] = [];
  sheet?.eachRow({ includeEmpty: false }, (r) => {
    const values = Array.isArray(r.values) ? r.values.slice(1) : [];
    rows.push(values.map((v) => cellText(v as ExcelJS.CellValue).trim()));
  });
  return rows;
}

/** Document types as offices write them in a sheet. */
export const ID_TYPE_WORDS: Record<string, string> = {
  身份证: 'resident_id',
  居民身份证: 'resident_id',
  护照: 'passport',
  港澳通行证: 'hk_macau_permit',
  台胞证: 'taiwan_permit',
  其他: 'other',
};

function decodeText(buf: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** An ID number Excel stored as a number: what is left is 4.10105E+17, its last digits gone. */
export const excelMangled = (s: string) => /^\d(\.\d+)?E\+?\d+$/i.test(s);

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  // A long digit string typed into a number cell keeps 15 significant digits: written as Excel shows
  // it (4.10105E+17), so an import can say what happened rather than report a wrong check digit.
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1e15) return v.toExponential().toUpperCase();
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'text' in v) return String(v.text);
  if (typeof v === 'object' && 'result' in v) return String(v.result ?? '');
  return String(v);
}

/**
 * A template a filer or the office downloads and fills in: the headers and example rows, as CSV (UTF-8
 * with a BOM, so Excel on Chinese Windows opens it right) or XLSX with the `textColumns` (1-based) kept
 * as text, so Excel does not turn an 18-digit ID number into a 15-digit figure.
 */
export function tableTemplate(
  format: 'csv' | 'xlsx',
  { sheet, headers, rows, textColumns }: { sheet: string; headers: string[]; rows: string[][]; textColumns: number[] },
): Promise<Buffer> | Buffer {
  if (format === 'csv')
    return Buffer.from(`\uFEFF${[headers, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  ws.addRow(headers);
  for (const r of rows) ws.addRow(r);
  for (const col of textColumns) ws.getColumn(col).numFmt = '@';
  ws.columns.forEach((c) => (c.width = 18));
  return wb.xlsx.writeBuffer().then((b) => Buffer.from(b as ArrayBuffer));
}
