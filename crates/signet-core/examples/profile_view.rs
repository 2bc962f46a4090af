//! Times loading, decorating and serialising a release view, for profiling
//! the desktop's first render: `cargo run --release -p signet-core --example profile_view -- DB RELEASE`.
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().unwrap_or_else(|| "signet.db".into());
    let release = args.next().unwrap_or_else(|| "perf".into());
    let store = match signet_core::store::Store::open(db.as_ref()) {
        Ok(s) => s,
        Err(e) => return eprintln!("{e}"),
    };
    let t = Instant::now();
    let Ok(mut view) = store.release_view(&release) else {
        return eprintln!("no release {release}");
    };
    let load = t.elapsed();
    let t = Instant::now();
    signet_core::render::decorate(&mut view);
    let decorate = t.elapsed();
    let t = Instant::now();
    let json = serde_json::to_string(&view).unwrap_or_default();
    let ser = t.elapsed();
    println!(
        "load {load:?}, decorate {decorate:?}, serialise {ser:?} ({} bytes)",
        json.len()
    );
}
