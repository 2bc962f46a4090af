//! Writes the big library of issue 14 §5 (1000 releases × 500 items, 40
//! owners; `benches/support/library.rs`) to a database file, for timing the
//! CLI on it: `cargo run --release -p signet-core --example big_library -- big.db`,
//! then e.g. `hyperfine 'signet --db big.db home --owner owner7 --today 2026-06-15'`.

use std::path::PathBuf;
use std::time::Instant;

// The bench uses the rest of it (the day and names the figures take).
#[allow(dead_code)]
#[path = "../benches/support/library.rs"]
mod library;

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: big_library FILE (a new database)");
        return std::process::ExitCode::from(2);
    };
    if path.exists() {
        eprintln!("{} exists: give the path of a new file", path.display());
        return std::process::ExitCode::from(2);
    }
    let started = Instant::now();
    let result = signet_core::store::Store::open(&path).and_then(|mut s| library::fill(&mut s));
    match result {
        Ok(()) => {
            eprintln!("{} written in {:.1?}", path.display(), started.elapsed());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
