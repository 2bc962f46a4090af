//! Timestamps: UTC, RFC 3339, second precision — what the audit log stores.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn now() -> String {
    let t = OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Validates a `YYYY-MM-DD` due date.
pub fn parse_date(s: &str) -> Option<String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt)
        .ok()
        .map(|d| d.format(&fmt).unwrap_or_default())
}
