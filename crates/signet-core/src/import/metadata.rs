//! What a checklist says about itself rather than what it asks: `**Key:**
//! value` facts (release name, environment, target date, rollback plan) and
//! sign-off blocks that name approver roles (`QA lead: ______ Date: ____`,
//! or a Role/Signature table under "Sign-off"). Neither is an item. Pure
//! helpers on plain text; the walk in `markdown.rs` decides where they apply.

fn words(plain: &str) -> impl Iterator<Item = String> + '_ {
    plain
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A heading over facts rather than checks: "Release Information", "Status",
/// "Deployment details". Under such a heading a `**Key:** value` list is
/// metadata even in a file whose plain bullets are items.
pub(crate) fn is_facts_heading(plain: &str) -> bool {
    words(plain).any(|w| {
        matches!(
            w.as_str(),
            "information"
                | "info"
                | "details"
                | "metadata"
                | "status"
                | "summary"
                | "overview"
                | "properties"
                | "facts"
                | "context"
                | "about"
        )
    })
}

/// "Sign-off", "Signoff", "Approvals", "Approvers", "Signatures".
pub(crate) fn is_signoff_heading(plain: &str) -> bool {
    let lower = plain.to_lowercase();
    lower.contains("sign-off")
        || lower.contains("signoff")
        || lower.contains("sign off")
        || words(plain).any(|w| {
            matches!(
                w.as_str(),
                "approval" | "approvals" | "approvers" | "signatures"
            )
        })
}

/// Labels that say what goes on a sign-off line, not whose line it is.
fn generic_label(label: &str) -> bool {
    matches!(
        label.to_lowercase().as_str(),
        "date"
            | "signature"
            | "signed"
            | "sign"
            | "name"
            | "printed name"
            | "time"
            | "initials"
            | "role"
            | "approver"
            | "approved by"
            | "signed by"
            | "comments"
    )
}

/// A line made only of `Label: ______` blanks, as in a sign-off block.
pub(crate) struct SignoffLine {
    /// The first label naming a role (`QA lead` in `QA lead: ______ Date:
    /// ____`); None when every label is generic.
    pub role: Option<String>,
    /// A generic blank (Date, Signature…) is on the line: a form to sign,
    /// not just a field to fill in (`Release version: ______`).
    pub signed: bool,
}

/// `None`: not a line of `Label: ______` blanks.
pub(crate) fn signoff_line(line: &str) -> Option<SignoffLine> {
    let mut rest = line.trim();
    let mut role = None;
    let mut any = false;
    let mut signed = false;
    while !rest.is_empty() {
        let (label, after) = rest.split_once(':')?;
        let label = label.trim().trim_matches('*').trim();
        let after = after.trim_start();
        let blank = after.bytes().take_while(|&b| b == b'_').count();
        if blank < 3 || label.is_empty() || label.chars().count() > 60 {
            return None;
        }
        any = true;
        if generic_label(label) {
            signed = true;
        } else if role.is_none() {
            role = Some(label.to_string());
        }
        rest = after[blank..].trim_start_matches(|c: char| c.is_whitespace() || "|,;/".contains(c));
    }
    any.then_some(SignoffLine { role, signed })
}

/// The key of a `**Key:** value` entry, from its bold text and the plain
/// text right after the bold: `Some((key, colon_after))` where
/// `colon_after` says the colon follows the bold (`**Key**: value`).
pub(crate) fn fact_key(strong: &str, after: &str) -> Option<(String, bool)> {
    let s = strong.trim();
    let (key, colon_after) = match s.strip_suffix(':') {
        Some(k) => (k.trim(), false),
        None if after.starts_with(':') => (s, true),
        None => return None,
    };
    let len = key.chars().count();
    ((1..=60).contains(&len) && !key.contains('\n')).then(|| (key.to_string(), colon_after))
}

/// A value still to be filled in (`____`) is empty.
pub(crate) fn fact_value(src: &str) -> String {
    let v = src.trim();
    if v.chars().all(|c| c == '_' || c.is_whitespace()) {
        String::new()
    } else {
        v.to_string()
    }
}

/// The Role column of a sign-off table: a `Role` header beside a signature
/// or date column, or any `Role` column under a sign-off heading.
pub(crate) fn signoff_table(headers: &[String], under_signoff_heading: bool) -> Option<usize> {
    let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let role = lower.iter().position(|h| {
        matches!(
            h.as_str(),
            "role" | "approver role" | "approver" | "function"
        )
    })?;
    let signs = lower
        .iter()
        .any(|h| h.contains("signature") || h.contains("signed") || h == "sign-off");
    (signs || under_signoff_heading).then_some(role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signoff_lines_name_roles() {
        let line = |l: &str| signoff_line(l).map(|s| (s.role, s.signed));
        assert_eq!(
            line("QA lead: ______ Date: ____"),
            Some((Some("QA lead".into()), true))
        );
        assert_eq!(line("Name: _____ | Signature: _____"), Some((None, true)));
        assert_eq!(
            line("Release version: ______"),
            Some((Some("Release version".into()), false))
        );
        assert_eq!(line("Owner: Dana"), None);
        assert_eq!(line("Date: __"), None);
        assert_eq!(line("Note: see ____ below"), None);
    }

    #[test]
    fn facts_have_short_keys() {
        assert_eq!(
            fact_key("Release:", " 2.4"),
            Some(("Release".into(), false))
        );
        assert_eq!(fact_key("Owner", ": Dana"), Some(("Owner".into(), true)));
        assert_eq!(fact_key("Important", " do this"), None);
        assert_eq!(fact_value(" ____ "), "");
        assert!(is_facts_heading("Release Information"));
        assert!(!is_facts_heading("Backups"));
        assert!(is_signoff_heading("5. Sign-off"));
        assert!(is_signoff_heading("Approvals"));
    }
}
