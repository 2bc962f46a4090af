//! Imports a generated checklist repeatedly, for profilers:
//! `cargo run --release -p signet-core --example profile_import -- 10000 20`.
use signet_core::import::{import_bytes, ImportOptions};
use signet_core::store::Store;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let reps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let parse_only = args.next().as_deref() == Some("parse");
    let s = signet_core::import::sample::generate(n);
    let t = std::time::Instant::now();
    for _ in 0..reps {
        let imp = import_bytes("p.md", s.as_bytes().to_vec(), &ImportOptions::default()).unwrap();
        if parse_only {
            continue;
        }
        let mut store = Store::open_in_memory().unwrap();
        store.import(&imp, "p").unwrap();
    }
    println!("{:?} per import of {n} items", t.elapsed() / reps as u32);
}
