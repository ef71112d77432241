// Load the Yew app (wasm-bindgen's loader, made by scripts/build-ui.sh).
import init from './yoriai_ui.js';
init();
// In a browser (not the desktop app), keep the app for offline use.
if (!window.__TAURI__ && 'serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register('sw.js').catch((e) => console.warn('offline copy not kept:', e));
}
