//! Generated checklists of any size, for benchmarks, profiling and demos of
//! large releases. Not user content.

/// A realistic mix: numbered headings, prose, nested task lists with inline
/// markdown and links, and a table every few sections. About 100 bytes/item.
pub fn generate(items: usize) -> String {
    let mut s = String::from("---\nowner: bench\n---\n# Generated checklist\n\nIntro prose.\n\n");
    let mut n = 0;
    let mut section = 0;
    while n < items {
        section += 1;
        s.push_str(&format!(
            "## {section}. Section number {section}\n\nStatus: generated.\n\n"
        ));
        if section % 5 == 0 {
            s.push_str("| Check | Why | Effort |\n|---|---|---|\n");
            for k in 0..10.min(items - n) {
                s.push_str(&format!(
                    "| Table check {section}-{k} | reason **{k}** | S |\n"
                ));
                n += 1;
            }
            s.push('\n');
            continue;
        }
        for k in 0..20 {
            if n >= items {
                break;
            }
            let indent = if k % 4 == 3 { "  " } else { "" };
            let mark = if k % 7 == 0 { "x" } else { " " };
            s.push_str(&format!(
                "{indent}- [{mark}] Item {n} must be **checked** with `tool {k}` see [docs](https://example.com/{n})\n"
            ));
            n += 1;
        }
        s.push('\n');
    }
    s
}
