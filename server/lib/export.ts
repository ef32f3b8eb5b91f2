import ExcelJS from 'exceljs';
import { wallClock } from '../domain/dates';
import { csvField, spreadsheetSafe } from './csv';

export interface Column<R> {
  header: string;
  value: (row: R) => string | number | null;
}

export interface Export<R> {
  /** What was asked for: the filters and the time zone, written above the table in both formats. */
  title: string;
  filters: Record<string, string>;
  timezone: string;
  columns: Column<R>[];
  rows: R[];
}

/** `2026-11-21 08:30` in the campus zone, the zone an export's header line names: never a UTC instant. */
export const localTime = (iso: string | null, tz: string) => {
  if (iso === null) return null;
  const w = wallClock(new Date(iso), tz);
  return `${w.date} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};

export function headerLine(e: Pick<Export<unknown>, 'title' | 'filters' | 'timezone'>) {
  const filters = Object.entries(e.filters)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return `${e.title} | filters: ${filters || 'none'} | time zone: ${e.timezone}`;
}

/** UTF-8 with a BOM, so Excel opens the Chinese right; first the header line, then the table. */
export function toCsv<R>(e: Export<R>): string {
  const lines = [
    csvField(headerLine(e)),
    e.columns.map((c) => csvField(c.header)).join(','),
    ...e.rows.map((r) => e.columns.map((c) => csvField(c.value(r))).join(',')),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function toXlsx<R>(e: Export<R>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(e.title.slice(0, 31));
  ws.addRow([headerLine(e)]);
  ws.addRow(e.columns.map((c) => c.header)).font = { bold: true };
  for (const r of e.rows) ws.addRow(e.columns.map((c) => spreadsheetSafe(c.value(r))));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const CONTENT_TYPE = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** A file to download (an export, a template), under a safe ASCII file name. */
export function downloadResponse(
  body: string | Uint8Array<ArrayBuffer>,
  format: 'csv' | 'xlsx',
  fileBase: string,
): Response {
  const name = `${fileBase.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;
  return new Response(body, {
    headers: { 'content-type': CONTENT_TYPE[format], 'content-disposition': `attachment; filename="${name}"` },
  });
}

/** The response for an export: its table as CSV or XLSX. */
export async function exportResponse<R>(e: Export<R>, format: 'csv' | 'xlsx', fileBase: string): Promise<Response> {
  return downloadResponse(format === 'csv' ? toCsv(e) : new Uint8Array(await toXlsx(e)), format, fileBase);
}
