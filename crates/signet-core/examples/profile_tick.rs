//! Times ticks one after another on a database file, as the app makes
//! them (one connection, each tick its own durable transaction), and prints
//! their latency distribution: `cargo run --release -p signet-core
//! --example profile_tick -- DB RELEASE ITEM [COUNT]` (anchors go to the
//! temporary directory). The app's target is
//! a p95 under 16 ms; the tail is where a commit's fsync or a WAL
//! checkpoint shows.
use std::time::Instant;

use signet_core::model::{Status, Tick};

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().unwrap_or_else(|| "signet.db".into());
    let release = args.next().unwrap_or_else(|| "perf".into());
    let item = args.next().unwrap_or_else(|| "1.2".into());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(300);
    let mut store = match signet_core::store::Store::open(db.as_ref()) {
        Ok(s) => s,
        Err(e) => return eprintln!("{e}"),
    };
    // The app keeps tamper anchors beside its keys: each write moves one.
    let anchors = std::env::temp_dir().join("signet-profile-tick");
    if let Err(e) = store.keep_anchors(&anchors) {
        return eprintln!("{e}");
    }
    let mut ms = Vec::with_capacity(count);
    for i in 0..count {
        let status = if i % 2 == 0 {
            Status::Done
        } else {
            Status::Open
        };
        let change = Tick {
            status: Some(status),
            ..Default::default()
        };
        let t = Instant::now();
        if let Err(e) = store.tick(&release, &item, &change, "perf") {
            return eprintln!("{e}");
        }
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let slowest: Vec<String> = {
        let mut at: Vec<(usize, f64)> = ms.iter().copied().enumerate().collect();
        at.sort_by(|a, b| b.1.total_cmp(&a.1));
        at.iter()
            .take(5)
            .map(|(i, t)| format!("#{i} {t:.1}"))
            .collect()
    };
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{count} ticks: median {:.1} ms, p95 {:.1} ms, max {:.1} ms; slowest {}",
        at(0.5),
        at(0.95),
        at(1.0),
        slowest.join(", ")
    );
}
