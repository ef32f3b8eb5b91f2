/*
 * Gatehouse kiosk service worker: the gate must start with no network at all.
 * - install: cache the app shell (index.html, every asset it references, and every chunk the build's
 *   asset-manifest.json names, the camera scanner's too);
 * - /kiosk/assets/* (content-hashed): cache first;
 * - the page itself: network first, the cached shell when offline.
 * API calls are never cached here: the app keeps its own snapshot and outbox.
 */
const CACHE = 'gatehouse-kiosk-v2';
const SHELL = '/kiosk/';

async function cacheShell() {
  const cache = await caches.open(CACHE);
  const res = await fetch(SHELL, { cache: 'no-store' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(SHELL, res);
  const assets = [...html.matchAll(/(?:src|href)="(\/kiosk\/[^"]+)"/g)].map((m) => m[1]);
  // Chunks loaded later (the camera scanner, after the shift starts) are not in the page: the build's
  // manifest names them all.
  const manifest = await fetch('/kiosk/asset-manifest.json', { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}));
  for (const chunk of Object.values(manifest))
    for (const f of [chunk.file, ...(chunk.css || []), ...(chunk.assets || [])]) if (f) assets.push(`/kiosk/${f}`);
  await cache.addAll([...new Set(assets)]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || !url.pathname.startsWith('/kiosk/')) return;
  if (url.pathname.startsWith('/kiosk/assets/')) {
    event.respondWith(
      caches.match(event.request).then(
        (hit) =>
          hit ||
          fetch(event.request).then((res) => {
            const copy = res.clone();
            if (res.ok) caches.open(CACHE).then((c) => c.put(event.request, copy));
            return res;
          }),
      ),
    );
    return;
  }
  if (event.request.mode === 'navigate') {
    event.respondWith(
      fetch(event.request)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone();
            caches.open(CACHE).then((c) => c.put(SHELL, copy));
          }
          return res;
        })
        .catch(() => caches.match(SHELL)),
    );
  }
});
