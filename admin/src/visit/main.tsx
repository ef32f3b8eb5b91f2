import { render } from 'preact';
import { VisitApp } from './app';
import './visit.css';

/** `/v/<link>`: the link is the visitor's credential (server/visit/routes.ts). */
const token = /^\/v\/([A-Za-z0-9_-]{20,64})$/.exec(location.pathname)?.[1] ?? '';
render(<VisitApp token={token} />, document.getElementById('app')!);

// Once opened, the page and its assets open again without signal at the gate (visit-sw.js).
if ('serviceWorker' in navigator && token)
  void navigator.serviceWorker.register('/v/sw.js', { scope: '/v/' }).catch(() => undefined);
