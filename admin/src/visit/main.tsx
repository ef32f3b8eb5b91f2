import { render } from 'preact';
import { VisitApp } from './app';
import { MemberApp } from './member';
import './visit.css';

/**
 * `/v/<link>`: a visitor's page; `/m/<link>`: a campus member's. The link is the credential
 * (server/visit/routes.ts, server/members/page-routes.ts).
 */
const [, kind, token = ''] = /^\/([vm])\/([A-Za-z0-9_-]{20,64})$/.exec(location.pathname) ?? [];
render(kind === 'm' ? <MemberApp token={token} /> : <VisitApp token={token} />, document.getElementById('app')!);

// Once opened, the page and its assets open again without signal at the gate (visit-sw.js).
if ('serviceWorker' in navigator && token) {
  const scope = kind === 'm' ? '/m/' : '/v/';
  void navigator.serviceWorker.register(`${scope}sw.js`, { scope }).catch(() => undefined);
}
