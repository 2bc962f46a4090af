//! Prints the outline signet would import from a markdown file:
//! `cargo run -p signet-core --example outline -- FILE`.
use signet_core::import::{import_file, ImportOptions};

fn main() {
    for arg in std::env::args().skip(1) {
        match import_file(arg.as_ref(), &ImportOptions::default()) {
            Ok(imp) => {
                let r = &imp.report;
                println!(
                    "# {} — {} sections, {} items, {} checked",
                    r.title, r.sections, r.items, r.checked
                );
                for s in imp.checklist.walk_sections() {
                    println!("§{} {}", s.number, s.plain);
                }
                for (_, i) in imp.checklist.walk_items() {
                    let f: Vec<String> = i
                        .fields
                        .iter()
                        .map(|f| format!("{}={}", f.name, f.value))
                        .collect();
                    println!(
                        "  {} [{}] {} {}",
                        i.number,
                        if i.checked() { "x" } else { " " },
                        i.plain.chars().take(70).collect::<String>(),
                        f.join("; ").chars().take(60).collect::<String>()
                    );
                }
                for w in &r.warnings {
                    println!("  ! line {}: {}", w.line, w.message);
                }
            }
            Err(e) => println!("error: {e}"),
        }
    }
}
