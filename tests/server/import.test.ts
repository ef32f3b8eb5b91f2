import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../../server/domain/api-result';
import { createTestApp, ORIGIN, type TestApp } from '../helpers/app';
import { residentId } from '../helpers/filing';
import { gbk } from '../helpers/gbk';

let t: TestApp;
let filer: string;
beforeAll(async () => {
  t = createTestApp();
  filer = await t.signIn('filer');
});
afterAll(() => t.cleanup());

async function upload(name: string, content: BlobPart) {
  const form = new FormData();
  form.append('file', new File([content], name));
  const res = await t.app.request(`${ORIGIN}/api/v1/requests/import`, {
    method: 'POST',
    body: form,
    headers: { cookie: filer, origin: ORIGIN },
  });
  return { status: res.status, json: (await res.json()) as any };
}

const HEADER = [
  '姓名',
  '证件类型',
  '证件号码',
  '手机',
  '来源地区代码',
  '14天内到访地区',
  '密接',
  '核酸时间',
  '核酸结果',
];
const good = ['张三', '身份证', residentId(1), '13800000001', '410105', '', '否', '', ''];
const badCheck = [
  '李四',
  '身份证',
  residentId(2).slice(0, 17) + (residentId(2).endsWith('1') ? '2' : '1'),
  '13800000002',
  '410105',
  '',
  '否',
  '',
  '',
];
const badRegion = ['王五', '护照', 'E12345678', '13800000003', '北京', '', '否', '2026-11-19 08:30', '阴性'];

describe('POST /api/v1/requests/import', () => {
  it('checks a CSV row by row and saves nothing', async () => {
    const csv = [HEADER, good, badCheck, badRegion].map((r) => r.join(',')).join('\r\n');
    const res = await upload('visitors.csv', `\uFEFF${csv}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ valid: 1, invalid: 2 });
    expect(res.json.rows[0]).toMatchObject({
      row: 2,
      visitor: { name: '张三', idType: 'resident_id', fromRegion: '410105' },
    });
    expect(res.json.rows[1].issues[0]).toMatchObject({ path: ['idNumber'], code: 'id_check_digit' });
    expect(res.json.rows[2].issues.map((i: { path: string[] }) => i.path[0])).toEqual(['fromRegion']);
    expect((await ok(t.client({ cookie: filer }).requests.$get({ query: {} }))).items).toEqual([]);
  });

  it('reads the same from an XLSX sheet', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('来访人员');
    for (const r of [HEADER, good, badCheck]) sheet.addRow(r);
    const res = await upload('visitors.xlsx', (await wb.xlsx.writeBuffer()) as ArrayBuffer);
    expect(res.json).toMatchObject({ valid: 1, invalid: 1 });
  });

  it('reads a GBK CSV as Excel saves it on Chinese Windows', async () => {
    const csv = [HEADER, good].map((r) => r.join(',')).join('\r\n');
    const res = await upload('visitors.csv', gbk(csv));
    expect(res.json).toMatchObject({
      valid: 1,
      invalid: 0,
      rows: [{ visitor: { name: '张三', fromRegion: '410105' } }],
    });
  });

  it('says an ID number Excel stored as a number lost its digits, instead of a wrong check digit', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('来访人员');
    sheet.addRow(HEADER);
    sheet.addRow(['张三', '身份证', Number(residentId(1).slice(0, 17)) * 10, ...good.slice(3)]);
    const res = await upload('visitors.xlsx', (await wb.xlsx.writeBuffer()) as ArrayBuffer);
    expect(res.json.rows[0].issues).toEqual([
      expect.objectContaining({
        path: ['idNumber'],
        code: 'id_excel_number',
        messageZh: expect.stringContaining('文本'),
      }),
    ]);
  });

  it('takes regions written as names, and names the candidates of an ambiguous one', async () => {
    const row = (from: string, visited: string) => [
      '张三',
      '身份证',
      residentId(1),
      '13800000001',
      from,
      visited,
      '否',
      '',
      '',
    ];
    const csv = [HEADER, row('郑州市金水区', '河南省 郑州市 二七区；金水区'), row('朝阳区', ''), row('无此地方', '')]
      .map((r) => r.join(','))
      .join('\r\n');
    const res = await upload('visitors.csv', csv);
    expect(res.json.rows[0]).toMatchObject({ visitor: { fromRegion: '410105', visitedRegions: ['410103', '410105'] } });
    expect(res.json.rows[1].issues).toEqual([
      expect.objectContaining({
        path: ['fromRegion'],
        code: 'region_ambiguous',
        params: expect.objectContaining({ name: '朝阳区' }),
      }),
    ]);
    expect(res.json.rows[1].issues[0].params.candidates).toMatch(/北京市.*朝阳区.*\/.*长春市 朝阳区/);
    expect(res.json.rows[2].issues).toEqual([
      expect.objectContaining({ path: ['fromRegion'], code: 'region_unknown_name' }),
    ]);
  });

  it.each(['csv', 'xlsx'] as const)(
    'hands out a %s template that imports back as one valid visitor',
    async (format) => {
      const res = await t.app.request(`${ORIGIN}/api/v1/requests/import/template?format=${format}`, {
        headers: { cookie: filer },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain(`gatehouse-visitors-template.${format}`);
      const back = await upload(`template.${format}`, await res.arrayBuffer());
      expect(back.json).toMatchObject({ valid: 1, invalid: 0 });
      expect(back.json.rows[0].visitor).toMatchObject({ name: '张三', idType: 'resident_id', fromRegion: '410105' });
    },
  );

  it('answers a missing file with a field error', async () => {
    const res = await t.app.request(`${ORIGIN}/api/v1/requests/import`, {
      method: 'POST',
      body: new FormData(),
      headers: { cookie: filer, origin: ORIGIN },
    });
    expect(res.status).toBe(400);
  });
});
