import { render } from 'preact';
import { App } from './app';
import { createAppState } from './lib/state';

const state = createAppState();
state.setLang(state.lang.value);
render(<App state={state} />, document.getElementById('app')!);

// The gate starts with no network: the service worker serves the app shell from its cache.
if ('serviceWorker' in navigator)
  void navigator.serviceWorker.register('/kiosk/sw.js', { scope: '/kiosk/' }).catch(() => undefined);
