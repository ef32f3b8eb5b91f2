import { format } from './i18n';
import type { FilingCode } from './filing-checks';

/**
 * Filing errors in both languages, one source for the API's issue messages and the forms.
 * Placeholders are filled from a violation's params.
 */
export const FILING_MESSAGES: Record<
  | FilingCode
  | 'id_format'
  | 'id_check_digit'
  | 'id_birth_date'
  | 'unknown_gate'
  | 'unknown_region'
  | 'control_characters'
  | 'invisible_only'
  | 'date_out_of_range'
  | 'contact_required'
  | 'no_visitors'
  | 'too_many_visitors'
  | 'unknown_invitation'
  | 'head_count_below_completed'
  | 'consent_required'
  | 'commitment_unsigned'
  | 'commitment_outdated'
  | 'signature_mismatch',
  { zh: string; en: string }
> = {
  too_far_ahead: { zh: '来访日期最晚可选 {latest}', en: 'Visits can be filed up to {latest}' },
  control_characters: {
    zh: '不能包含控制字符或文字方向控制符',
    en: 'Must not contain control characters or text-direction overrides',
  },
  invisible_only: { zh: '请填写可见的文字', en: 'Must contain visible characters' },
  date_out_of_range: {
    zh: '日期须在 2000-01-01 至 2099-12-31 之间',
    en: 'The date must be between 2000-01-01 and 2099-12-31',
  },
  lead_time: {
    zh: '来访日期须至少提前一日备案，最早可选 {earliest}',
    en: 'Visits must be filed at least a day ahead; the earliest date is {earliest}',
  },
  date_order: { zh: '结束日期不能早于开始日期', en: 'The end date is before the start date' },
  range_too_long: { zh: '来访日期跨度不能超过 {max} 天', en: 'A visit may span at most {max} days' },
  time_order: { zh: '结束时间须晚于开始时间', en: 'The end time must be after the start time' },
  prevention_plan_required: {
    zh: '超过 {cap} 人的团体来访须附防控方案',
    en: 'Groups over {cap} {cap:person|people} need a prevention plan',
  },
  risk_area_home: {
    zh: '来访人居住地 {region} 为{level}风险地区，不得来访',
    en: 'The visitor lives in {region}, a {level}-risk area, and may not visit',
  },
  risk_area_visited: {
    zh: '来访人14天内到过{level}风险地区 {region}，不得来访',
    en: 'The visitor has been to {region}, a {level}-risk area, within 14 days',
  },
  close_contact: { zh: '有密切接触史者不得来访', en: 'Visitors with close contact may not visit' },
  block_list: { zh: '来访人在禁止入校名单中', en: 'The visitor is on the block list' },
  commitment_required: {
    zh: '来访人须同意当前版本的个人健康承诺',
    en: 'The visitor must accept the current health commitment',
  },
  test_required: {
    zh: '市外来访人须提供 {hours} 小时内核酸检测阴性证明',
    en: 'Visitors from outside the city need a negative test within {hours} {hours:hour|hours}',
  },
  test_not_negative: { zh: '核酸检测结果须为阴性', en: 'The test result must be negative' },
  test_outside_window: {
    zh: '核酸检测须在来访前 {hours} 小时内',
    en: 'The test must be taken within {hours} {hours:hour|hours} before the visit',
  },
  test_in_future: { zh: '核酸检测时间不能晚于现在', en: 'The test time is in the future' },
  id_format: { zh: '证件号码格式不正确', en: 'The ID number is not in the right format' },
  id_check_digit: { zh: '身份证号码校验位错误', en: 'The resident ID check digit is wrong' },
  id_birth_date: { zh: '身份证号码中的出生日期无效', en: 'The birth date inside the resident ID is not a real date' },
  unknown_gate: { zh: '校门不存在或已停用', en: 'The gate does not exist or is inactive' },
  unknown_region: { zh: '地区代码不存在', en: 'Unknown region code' },
  contact_required: {
    zh: '请填写受邀人的手机号或电子邮箱',
    en: 'Give the invited visitor’s phone number or e-mail address',
  },
  no_visitors: { zh: '请至少添加一名来访人或一份邀请', en: 'Add at least one visitor or invitation' },
  too_many_visitors: { zh: '一次备案最多 2000 人', en: 'A request may be for at most 2,000 people' },
  unknown_invitation: { zh: '该邀请不属于本次备案', en: 'That invitation is not on this request' },
  head_count_below_completed: {
    zh: '已有 {completed} 人通过该邀请填写，人数不能少于此数',
    en: '{completed} {completed:visitor has|visitors have} already filled in this invitation: the head count cannot be lower',
  },
  consent_required: {
    zh: '请阅读个人信息告知并勾选同意',
    en: 'Please read the privacy notice and give your consent',
  },
  commitment_unsigned: {
    zh: '请阅读个人健康承诺书，输入姓名并勾选签署',
    en: 'Please read the health commitment, type your full name and tick to sign',
  },
  commitment_outdated: {
    zh: '承诺书已更新，请重新阅读后签署',
    en: 'The commitment has been updated: please read it again and sign',
  },
  signature_mismatch: {
    zh: '签署姓名须与填写的姓名一致',
    en: 'The name you sign with must be the name you gave',
  },
};

/**
 * What any form field can get wrong, in both languages: zod's own checks (length, format, choice)
 * and the formats our schemas name by code. Keyed by the code the issue carries in `params`.
 */
export const FIELD_MESSAGES = {
  required: { zh: '请填写此项', en: 'Fill in this field' },
  missing: { zh: '请填写此项', en: 'Missing, or not a {expected}' },
  too_short: { zh: '至少填写 {min} 个字', en: 'Enter at least {min} characters' },
  too_long: { zh: '最多 {max} 个字', en: 'Enter at most {max} characters' },
  too_few: { zh: '请至少选择 {min} 项', en: 'Choose at least {min}' },
  too_many_items: { zh: '最多 {max} 项', en: 'At most {max} items' },
  too_low: { zh: '不能小于 {min}', en: 'Must be at least {min}' },
  too_high: { zh: '不能大于 {max}', en: 'Must be at most {max}' },
  not_integer: { zh: '请填写整数', en: 'Enter a whole number' },
  pick_one: { zh: '请从选项中选择', en: 'Choose one of the options' },
  bad_email: { zh: '请填写正确的电子邮箱', en: 'Enter a valid e-mail address' },
  bad_phone: { zh: '请填写正确的手机号码', en: 'Enter a valid phone number' },
  bad_time: { zh: '请填写时间（时:分）', en: 'Enter a time (HH:MM)' },
  bad_date: { zh: '请填写日期（年-月-日）', en: 'Enter a date (YYYY-MM-DD)' },
  bad_datetime: { zh: '请填写日期和时间', en: 'Enter a date and time' },
  bad_format: { zh: '格式不正确', en: 'Not in the right format' },
  region_required: { zh: '请选择来源地', en: 'Choose where the visitor comes from' },
  region_pick: { zh: '请从列表中选择地区', en: 'Choose a region from the list' },
  id_excel_number: {
    zh: 'Excel 把证件号码存成了数字，后几位已丢失：请把该列设为“文本”后重新输入',
    en: 'Excel stored the ID number as a number and lost digits: format the column as text and type it again',
  },
  unknown_visitor: { zh: '该来访人不在本次备案中', en: 'That visitor is not on this request' },
  region_ambiguous: {
    zh: '“{name}”对应多个地区（{candidates}），请写完整的省市区或 6 位地区代码',
    en: '“{name}” names several regions ({candidates}): write the province and city too, or the 6-digit code',
  },
  region_unknown_name: {
    zh: '找不到地区“{name}”：请写区县全称（如 郑州市金水区）或 6 位地区代码',
    en: 'No region is called “{name}”: write the county’s full name (e.g. 郑州市金水区) or its 6-digit code',
  },
} as const satisfies Record<string, { zh: string; en: string }>;
export type FieldMessageCode = keyof typeof FIELD_MESSAGES;

export const RISK_LEVEL_TEXT = {
  low: { zh: '低', en: 'low' },
  medium: { zh: '中', en: 'medium' },
  high: { zh: '高', en: 'high' },
} as const;

export function filingMessage(
  code: keyof typeof FILING_MESSAGES,
  lang: 'zh' | 'en',
  params: Record<string, string | number> = {},
) {
  const level =
    typeof params.level === 'string' && params.level in RISK_LEVEL_TEXT
      ? RISK_LEVEL_TEXT[params.level as keyof typeof RISK_LEVEL_TEXT][lang]
      : params.level;
  return format(FILING_MESSAGES[code][lang], { ...params, ...(level !== undefined ? { level } : {}) });
}
