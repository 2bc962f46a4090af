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

/// Days from `from` to `to` (both `YYYY-MM-DD`): negative when `to` is
/// earlier. None when either is not a date.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let a = time::Date::parse(from.trim(), &fmt).ok()?;
    let b = time::Date::parse(to.trim(), &fmt).ok()?;
    Some((b - a).whole_days())
}

/// Today in UTC as `YYYY-MM-DD` (front ends that know the local date pass
/// that instead).
pub fn today() -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    OffsetDateTime::now_utc()
        .date()
        .format(&fmt)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_between_counts_calendar_days_across_months() {
        assert_eq!(super::days_between("2026-02-27", "2026-03-02"), Some(3));
        assert_eq!(super::days_between("2026-03-02", "2026-02-27"), Some(-3));
        assert_eq!(super::days_between("2026-03-02", "soon"), None);
    }
}
