import type { Catalogue } from '../../../server/domain/i18n';

const zh = {
  'app.title': 'Gatehouse 门岗',
  'lang.switch': 'EN',
  'login.title': '门岗登录',
  'login.username': '账号',
  'login.password': '密码',
  'login.submit': '登录',
  'shell.gate': '校门：{gate}',
  'shell.guard': '值班：{name}',
  'shell.logout': '交班退出',
  'shell.noGate': '未绑定校门',
  'scan.prompt': '请将通行码对准摄像头',
  'scan.starting': '正在打开摄像头…',
  'scan.cameraError': '无法打开摄像头：{message}',
  'scan.last': '已识别：{text}',
  'error.network': '网络不通，请稍后重试。',
  'error.invalid_credentials': '账号或密码错误，或账号已停用。',
  'error.rate_limited': '尝试次数过多，请稍后再试。',
  'error.forbidden': '此账号不能在门岗平板上使用。',
  'error.unknown': '操作失败：{message}',
};

export type MessageKey = keyof typeof zh;

export const messages: Catalogue<MessageKey> = {
  zh,
  en: {
    'app.title': 'Gatehouse Gate',
    'lang.switch': '中文',
    'login.title': 'Guard sign-in',
    'login.username': 'Account',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'shell.gate': 'Gate: {gate}',
    'shell.guard': 'On duty: {name}',
    'shell.logout': 'End shift',
    'shell.noGate': 'No gate bound',
    'scan.prompt': 'Hold the pass QR up to the camera',
    'scan.starting': 'Opening the camera…',
    'scan.cameraError': 'The camera could not be opened: {message}',
    'scan.last': 'Read: {text}',
    'error.network': 'No network; try again shortly.',
    'error.invalid_credentials': 'Wrong account or password, or the account is disabled.',
    'error.rate_limited': 'Too many attempts; please wait.',
    'error.forbidden': 'This account cannot be used on a gate tablet.',
    'error.unknown': 'That failed: {message}',
  },
};
