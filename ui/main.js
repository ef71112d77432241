// Load the Yew app (wasm-bindgen's loader, made by scripts/build-ui.sh).
import init from './yoriai_ui.js';
init();
