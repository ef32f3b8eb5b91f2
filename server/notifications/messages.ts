import { format, type Lang } from '../domain/i18n';
import type { NotificationEvent } from '../domain/notifications';

/** A value said in the reader's language (a gate's or a department's name). */
export type Bilingual = { zh: string; en: string };
export type PayloadValue = string | number | Bilingual;

/**
 * What a notification says, as stored in the outbox: masked values and the path of the page where
 * the reader acts. Rendered per language and channel only when sent, so a retry after a restart
 * says the same as the first try.
 */
export interface NotificationPayload {
  /** `visitor` for the visitor's own message (their pass), else the event's general text. */
  variant: 'general' | 'visitor';
  values: Record<string, PayloadValue>;
  /** Path on the public origin (`/admin/review`, `/v/…`), or null. */
  link: string | null;
  /** When it happened (ISO): the webhook's `timestamp`. */
  at: string;
}

type Template = { title: string; body: string; action: string };
type Key = NotificationEvent | 'request.approved:visitor' | 'test';

const T: Record<Lang, Record<Key, Template>> = {
  zh: {
    'request.filed': {
      title: '来访申请 #{requestId} 待审核',
      body: '{department}申请 {visitDate} 来访，共 {visitors} 人。',
      action: '去审核',
    },
    'request.approved': {
      title: '来访申请 #{requestId} 已批准',
      body: '{visitDate} {timeFrom}–{timeTo}，{gates}。通行码已发给来访人（有邮箱者）。',
      action: '查看申请',
    },
    'request.approved:visitor': {
      title: '您的来访已获批准',
      body: '{visitor}，您好：您 {visitDate} {timeFrom}–{timeTo} 从{gates}入校的来访已获批准。接洽人：{escortName}，电话 {escortPhone}。到校门时请打开下面的链接出示通行码。',
      action: '打开通行码',
    },
    'request.rejected': {
      title: '来访申请 #{requestId} 未获批准',
      body: '原因：{reason}',
      action: '查看申请',
    },
    'request.needs_review': {
      title: '来访申请 #{requestId} 需重新审核',
      body: '规则变更后不再符合：{reason}。相关通行码已停用，请核实后修改或等待保卫处复核。',
      action: '查看申请',
    },
    'visitor.invited': {
      title: '请填写您的来访信息',
      body: '{visitor}，您好：{department}邀请您 {visitDate} {timeFrom}–{timeTo} 从{gates}来访。请打开下面的链接，阅读个人信息告知，填写本人健康申报并签署个人健康承诺书。接洽人：{escortName}，电话 {escortPhone}。审核通过后，同一链接即为您的通行码。',
      action: '填写来访信息',
    },
    'visitor.erasure_requested': {
      title: '访客 {visitor} 申请删除个人信息',
      body: '{time}，申请 #{requestId}（{department}，{visitDate}）的访客申请删除其个人信息。请在申请详情中处理。',
      action: '查看申请',
    },
    'visitor.admitted': {
      title: '访客 {visitor} 已到{gate}',
      body: '{time} 已通过{gate}核验（申请 #{requestId}）。请接洽人 {escortName} 到门口接人。',
      action: '查看申请',
    },
    'leave.filed': {
      title: '{member}（{number}）申请请假，待您审批',
      body: '{from} 至 {to}，去向 {destination}。事由：{reason}',
      action: '去审批',
    },
    'leave.overdue': {
      title: '{member}（{number}）请假逾期未返校',
      body: '请假至 {time}，已逾期 {minutes} 分钟，尚未在校门销假（{gate}离校）。请联系本人并跟进。',
      action: '查看校内人员',
    },
    'escort.overdue': {
      title: '访客 {visitor} 在{gate}等候接洽人已 {minutes} 分钟',
      body: '{time} 放行，接洽人 {escortName} 尚未到门口（申请 #{requestId}）。',
      action: '查看实时看板',
    },
    'gate.fever': {
      title: '{gate}：体温异常，已拒绝入校',
      body: '{time}，{visitor}，复测体温 {temperature}。请按发热处置流程跟进。',
      action: '查看告警',
    },
    'gate.block_list': {
      title: '{gate}：命中黑名单，已拒绝入校',
      body: '{time}，{visitor}。',
      action: '查看告警',
    },
    'gate.revoked_admit': {
      title: '{gate}：放行了已撤销的通行证',
      body: '{time}，{visitor}（申请 #{requestId}），该通行证已于 {revokedAt} 撤销。请核实此人去向。',
      action: '查看告警',
    },
    'gate.double_use': {
      title: '通行证被重复使用：{visitor}',
      body: '共放行 {admits} 次，只允许 {allowed} 次；最近一次在{gate}，{time}。',
      action: '查看告警',
    },
    'device.offline': {
      title: '{gate}的平板“{device}”已离线',
      body: '最后联系 {time}，已 {minutes} 分钟无联系。离线期间平板照常核验，恢复后补传。',
      action: '查看实时看板',
    },
    'emergency.requested': {
      title: '{gate}紧急入校申请 #{requestId}',
      body: '来访人 {visitor}：{reason}。门岗正在等候答复。',
      action: '立即处理',
    },
    'reports.awaiting_signoff': {
      title: '{day} 的日报待签收',
      body: '{count} 份日报尚未签收。',
      action: '去签收',
    },
    test: {
      title: 'Gatehouse 测试消息',
      body: '通知渠道“{channel}”可以正常发送。',
      action: '通知设置',
    },
  },
  en: {
    'request.filed': {
      title: 'Visit request #{requestId} to review',
      body: '{department} asks for a visit on {visitDate}, {visitors} {visitors:visitor|visitors}.',
      action: 'Review',
    },
    'request.approved': {
      title: 'Visit request #{requestId} approved',
      body: '{visitDate} {timeFrom}–{timeTo}, {gates}. Visitors with an e-mail address have been sent their pass.',
      action: 'Open the request',
    },
    'request.approved:visitor': {
      title: 'Your visit is approved',
      body: 'Hello {visitor}: your visit on {visitDate} {timeFrom}–{timeTo} through {gates} is approved. Your host: {escortName}, phone {escortPhone}. At the gate, open the link below to show your pass.',
      action: 'Open my pass',
    },
    'request.rejected': {
      title: 'Visit request #{requestId} not approved',
      body: 'Reason: {reason}',
      action: 'Open the request',
    },
    'request.needs_review': {
      title: 'Visit request #{requestId} needs review again',
      body: 'After a rule change it no longer passes: {reason}. The passes concerned are stopped; check and edit the request, or wait for the security office.',
      action: 'Open the request',
    },
    'visitor.invited': {
      title: 'Please fill in your visit details',
      body: 'Hello {visitor}: {department} invites you to visit on {visitDate} {timeFrom}–{timeTo} through {gates}. Open the link below to read the privacy notice, fill in your own health declaration and sign the personal health commitment. Your host: {escortName}, phone {escortPhone}. Once approved, the same link is your pass.',
      action: 'Fill in my details',
    },
    'visitor.erasure_requested': {
      title: 'Visitor {visitor} asks for their data to be erased',
      body: '{time}: a visitor of request #{requestId} ({department}, {visitDate}) asked for their personal data to be erased. Act on it on the request’s page.',
      action: 'Open the request',
    },
    'visitor.admitted': {
      title: 'Visitor {visitor} is at {gate}',
      body: 'Checked at {gate} at {time} (request #{requestId}). {escortName}, please meet them at the gate.',
      action: 'Open the request',
    },
    'leave.filed': {
      title: '{member} ({number}) asks for leave',
      body: '{from} to {to}, to {destination}. Reason: {reason}',
      action: 'Decide',
    },
    'leave.overdue': {
      title: '{member} ({number}) is overdue back from leave',
      body: 'The leave ended at {time}, {minutes} min ago, and no return was scanned (left by {gate}). Please contact them and follow up.',
      action: 'Open campus members',
    },
    'escort.overdue': {
      title: 'Visitor {visitor} has waited {minutes} min at {gate}',
      body: 'Admitted at {time}; the escort {escortName} has not arrived (request #{requestId}).',
      action: 'Open the live wall',
    },
    'gate.fever': {
      title: '{gate}: fever, entry refused',
      body: '{time}, {visitor}, re-test {temperature}. Follow the fever protocol.',
      action: 'Open alerts',
    },
    'gate.block_list': {
      title: '{gate}: block list hit, entry refused',
      body: '{time}, {visitor}.',
      action: 'Open alerts',
    },
    'gate.revoked_admit': {
      title: '{gate}: a revoked pass was admitted',
      body: '{time}, {visitor} (request #{requestId}); the pass was revoked at {revokedAt}. Find out where this person is.',
      action: 'Open alerts',
    },
    'gate.double_use': {
      title: 'Pass used more than allowed: {visitor}',
      body: '{admits} admits for {allowed} allowed; the latest at {gate}, {time}.',
      action: 'Open alerts',
    },
    'device.offline': {
      title: 'Tablet “{device}” at {gate} is offline',
      body: 'Last contact {time}, {minutes} min ago. The tablet keeps checking offline and catches up when back.',
      action: 'Open the live wall',
    },
    'emergency.requested': {
      title: 'Emergency entry request #{requestId} at {gate}',
      body: 'Visitor {visitor}: {reason}. The guard is waiting for an answer.',
      action: 'Answer now',
    },
    'reports.awaiting_signoff': {
      title: 'Daily reports for {day} to sign off',
      body: '{count} daily {count:report|reports} not signed off yet.',
      action: 'Sign off',
    },
    test: {
      title: 'Gatehouse test message',
      body: 'The notification channel “{channel}” can send.',
      action: 'Notification settings',
    },
  },
};

export interface Rendered {
  title: string;
  body: string;
  link: { label: string; url: string } | null;
}

const pick = (v: PayloadValue, lang: Lang) => (typeof v === 'object' ? v[lang] || v.zh : v);

/** The message in the reader's language; links made absolute on the server's public origin. */
export function renderMessage(
  event: NotificationEvent | 'test',
  payload: NotificationPayload,
  lang: Lang,
  origin: string,
): Rendered {
  const key: Key = payload.variant === 'visitor' && event === 'request.approved' ? 'request.approved:visitor' : event;
  const t = T[lang][key];
  const values = Object.fromEntries(Object.entries(payload.values).map(([k, v]) => [k, pick(v, lang)]));
  return {
    title: format(t.title, values),
    body: format(t.body, values),
    link: payload.link ? { label: t.action, url: new URL(payload.link, origin).href } : null,
  };
}

/** Plain text: what robots post and the e-mail's text part. */
export const asText = (m: Rendered) => `【${m.title}】\n${m.body}${m.link ? `\n${m.link.label}：${m.link.url}` : ''}`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The e-mail's HTML part: no images, no tracking, readable on a phone. */
export function asHtml(m: Rendered, lang: Lang) {
  const footer =
    lang === 'zh'
      ? '此邮件由 Gatehouse 校园门禁系统自动发送。'
      : 'Sent automatically by Gatehouse, the campus gate system.';
  return `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>
<body style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">
<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(m.title)}</h1>
<p style="margin:0 0 16px">${escapeHtml(m.body)}</p>
${m.link ? `<p style="margin:0 0 24px"><a href="${escapeHtml(m.link.url)}" style="display:inline-block;background:#0b5cad;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(m.link.label)}</a></p>` : ''}
<p style="font-size:13px;color:#666">${escapeHtml(footer)}</p></body></html>`;
}
