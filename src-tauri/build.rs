//! Tauri's build step, after checking that the UI was built.

fn main() {
    // The app embeds the built UI (ui/dist, made by scripts/build-ui.sh).
    let dist = std::path::Path::new("../ui/dist/index.html");
    if !dist.exists() {
        panic!("ui/dist is missing: run scripts/build-ui.sh first (it builds the Yew UI to wasm)");
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build()
}
