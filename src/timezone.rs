//! Time zones as configuration and pages write them. A leaf module: `config`, `sites` and
//! `extract` all read offsets, and none of them should depend on another for it.

/// `"+08:00"`, `"+0800"`, `"-05:00"`, `"UTC"`, `"Z"` → a fixed offset.
pub fn parse_utc_offset(text: &str) -> Option<chrono::FixedOffset> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("gmt")
    {
        return chrono::FixedOffset::east_opt(0);
    }
    let t = t
        .strip_prefix("UTC")
        .or_else(|| t.strip_prefix("GMT"))
        .unwrap_or(t);
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    chrono::FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_offsets() {
        for (text, secs) in [
            ("+08:00", 28800),
            ("+0800", 28800),
            ("-05:00", -18000),
            ("UTC", 0),
            ("+8", 28800),
            ("UTC+09:30", 34200),
        ] {
            assert_eq!(
                parse_utc_offset(text).map(|o| o.local_minus_utc()),
                Some(secs),
                "{text}"
            );
        }
        for text in ["", "8", "+25:00", "Asia/Shanghai", "+08:99"] {
            assert_eq!(parse_utc_offset(text), None, "{text}");
        }
    }
}
