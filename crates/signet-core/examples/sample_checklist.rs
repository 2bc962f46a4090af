//! Writes a generated checklist of N items to stdout, for trying large
//! releases in the app: `cargo run -p signet-core --example sample_checklist -- 10000 > big.md`.
fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    print!("{}", signet_core::import::sample::generate(n));
}
