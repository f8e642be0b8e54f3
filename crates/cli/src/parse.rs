//! Parsing of what people type: dates, times, durations.

use anyhow::{Context, Result, anyhow, bail};
use jiff::civil::{Date, DateTime, Time};

/// `2026-11-23`, `today`, `yesterday`.
pub fn date(input: &str, today: Date) -> Result<Date> {
    match input.trim().to_ascii_lowercase().as_str() {
        "today" => Ok(today),
        "yesterday" => today.yesterday().map_err(|e| anyhow!("{e}")),
        other => other
            .parse::<Date>()
            .map_err(|_| anyhow!("{input:?} is not a date (use YYYY-MM-DD, today or yesterday)")),
    }
}

/// `2026-11-23T09:00`, `2026-11-23 09:00`, or a time `09:00` on `default_day`.
pub fn datetime(input: &str, default_day: Date) -> Result<DateTime> {
    let trimmed = input.trim();
    let normalized = trimmed.replacen(' ', "T", 1);
    if let Ok(dt) = normalized.parse::<DateTime>() {
        return Ok(dt);
    }
    let time = trimmed
        .parse::<Time>()
        .map_err(|_| anyhow!("{input:?} is not a time (use HH:MM or YYYY-MM-DDTHH:MM)"))?;
    Ok(default_day.to_datetime(time))
}

/// `1h30m`, `90m`, `1.5h`, `1:30`, `45` (minutes) → seconds.
pub fn duration(input: &str) -> Result<i64> {
    let s = input.trim().to_ascii_lowercase();
    let bad = || anyhow!("{input:?} is not a duration (use e.g. 1h30m, 90m, 1.5h or 1:30)");
    let seconds = if let Some((h, m)) = s.split_once(':') {
        let h: i64 = h.parse().map_err(|_| bad())?;
        let m: i64 = m.parse().map_err(|_| bad())?;
        if !(0..60).contains(&m) {
            return Err(bad());
        }
        h * 3600 + m * 60
    } else if let Ok(minutes) = s.parse::<i64>() {
        minutes * 60
    } else if let Some(hours) = s
        .strip_suffix('h')
        .and_then(|h| h.parse::<rust_decimal::Decimal>().ok())
    {
        let secs = hours * rust_decimal::Decimal::from(3600);
        i64::try_from(secs.round()).map_err(|_| bad())?
    } else {
        let d: jiff::SignedDuration = s.parse().map_err(|_| bad())?;
        d.as_secs()
    };
    if seconds <= 0 {
        bail!("the duration must be greater than zero");
    }
    Ok(seconds)
}

/// A comma-separated list.
pub fn list<T: std::str::FromStr>(input: &str) -> Result<Vec<T>>
where
    T::Err: std::fmt::Display,
{
    input
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<T>().map_err(|e| anyhow!("{e}")))
        .collect::<Result<Vec<T>>>()
        .context("in the list")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(duration("1h30m").unwrap(), 5400);
        assert_eq!(duration("90m").unwrap(), 5400);
        assert_eq!(duration("1.5h").unwrap(), 5400);
        assert_eq!(duration("1:30").unwrap(), 5400);
        assert_eq!(duration("45").unwrap(), 2700);
        assert!(duration("0").is_err());
        assert!(duration("1:75").is_err());
        assert!(duration("soon").is_err());
    }

    #[test]
    fn parses_dates_and_times() {
        let today = Date::constant(2026, 11, 23);
        assert_eq!(date("today", today).unwrap(), today);
        assert_eq!(
            date("yesterday", today).unwrap(),
            Date::constant(2026, 11, 22)
        );
        assert!(date("2026-13-01", today).is_err());
        assert_eq!(
            datetime("09:15", today).unwrap(),
            DateTime::constant(2026, 11, 23, 9, 15, 0, 0)
        );
        assert_eq!(
            datetime("2026-11-20 17:00", today).unwrap(),
            DateTime::constant(2026, 11, 20, 17, 0, 0, 0)
        );
        assert!(datetime("25:00", today).is_err());
    }
}
