import ExcelJS from 'exceljs';
import { parseCsv } from './csv';

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
