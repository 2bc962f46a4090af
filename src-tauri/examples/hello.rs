//! A hello-world Tauri app: the baseline the desktop speed figures are
//! measured against in the same run (tests/perf/desktop.mjs).
fn main() {
    if let Err(e) =
        tauri::Builder::default().run(tauri::generate_context!("examples/hello/tauri.conf.json"))
    {
        eprintln!("hello: {e}");
    }
}
