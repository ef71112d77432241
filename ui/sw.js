// Yoriai's service worker: after the first visit the app loads with no
// network. scripts/build-ui.sh writes the build's version below, so a new
// build replaces the cached files all at once (never a mix of versions).
const VERSION = "__VERSION__";
const CACHE = `yoriai-${VERSION}`;
const SHELL = ["index.html", "main.js", "style.css", "yoriai_ui.js", "yoriai_ui_bg.wasm", "manifest.webmanifest"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("yoriai-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The app's own files come from the cache (the laptop may be out of
// reach); everything else (the API, sync, a relay's metrics) goes to the
// network as usual.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const path = url.pathname.replace(/^\//, "");
  const page = event.request.mode === "navigate" && (path === "" || path === "index.html");
  if (!page && !SHELL.includes(path)) return;
  event.respondWith(
    caches.match(page ? "index.html" : path, { cacheName: CACHE }).then((hit) => hit || fetch(event.request)),
  );
});
