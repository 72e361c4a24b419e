//! Typed inputs of the application layer, parsed once at the edge by one set of rules: the CLI's
//! flags and the HTTP API's query parameters both become these values, so a date, a known-on
//! time, a region or a step means the same thing through every door.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::fmt;

use super::error::AppError;

/// The region used when a request names none, if the store holds these countries (else every
/// stored country): Syria and Iraq, the countries the bundled observations cover.
pub const DEFAULT_REGION: [&str; 2] = ["SYR", "IRQ"];

/// Most parts one region may list.
pub const MAX_REGION_PARTS: usize = 16;

/// Parse a calendar date `YYYY-MM-DD` (exactly that form).
pub fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, AppError> {
    let v = s.trim();
    let bad = || AppError::input(field, format!("expected a date YYYY-MM-DD, got {s:?}"));
    if v.len() != 10 {
        return Err(bad());
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| bad())
}

/// What had been recorded by when: the store's recording-time cut-off of a request. A plain
/// date means the end of that day (UTC); an RFC 3339 time is taken as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KnownOn(Option<DateTime<Utc>>);

impl KnownOn {
    /// Everything recorded so far.
    pub const NOW: KnownOn = KnownOn(None);

    pub fn at(t: DateTime<Utc>) -> Self {
        Self(Some(t))
    }

    /// The end of `day`, UTC.
    pub fn end_of(day: NaiveDate) -> Self {
        Self(Some(
            day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
                .and_utc(),
        ))
    }

    /// `YYYY-MM-DD` (end of that day, UTC) or RFC 3339.
    pub fn parse(field: &'static str, s: &str) -> Result<Self, AppError> {
        let v = s.trim();
        if let Ok(d) = parse_date(field, v) {
            return Ok(Self::end_of(d));
        }
        DateTime::parse_from_rfc3339(v)
            .map(|t| Self(Some(t.with_timezone(&Utc))))
            .map_err(|_| {
                AppError::input(
                    field,
                    format!("expected YYYY-MM-DD or an RFC 3339 time, got {s:?}"),
                )
            })
    }

    /// How responses name it: the day for an end-of-day cut-off (`2017-06-05`), else the RFC
    /// 3339 time; `None` for everything.
    pub fn label(self) -> Option<String> {
        let t = self.0?;
        let end = Self::end_of(t.date_naive());
        Some(if end == self {
            t.date_naive().to_string()
        } else {
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
    }

    /// The cut-off, `None` for everything.
    pub fn cutoff(self) -> Option<DateTime<Utc>> {
        self.0
    }
}

impl From<Option<DateTime<Utc>>> for KnownOn {
    fn from(t: Option<DateTime<Utc>>) -> Self {
        Self(t)
    }
}

impl fmt::Display for KnownOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("now"),
            Some(t) => write!(
                f,
                "{}",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        }
    }
}

/// A region as asked for: codes or names of stored areas whose union is the estimated area.
/// Parts are trimmed and deduplicated (any case); the engine resolves them to the stored areas'
/// codes, and overlapping parts are unioned, never counted twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region {
    parts: Vec<String>,
}

impl Region {
    /// `SYR,IRQ` or `Syria, Iraq`.
    pub fn parse(field: &'static str, s: &str) -> Result<Self, AppError> {
        Self::from_parts(field, s.split(','))
    }

    pub fn from_parts<'a>(
        field: &'static str,
        parts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, AppError> {
        let mut out: Vec<String> = Vec::new();
        for p in parts {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            if p.chars().count() > 64 || p.chars().any(char::is_control) {
                return Err(AppError::input(
                    field,
                    format!("{p:?} is not an area code or name (at most 64 printable characters)"),
                ));
            }
            if !out.iter().any(|q| q.eq_ignore_ascii_case(p)) {
                out.push(p.to_owned());
            }
        }
        if out.is_empty() {
            return Err(AppError::input(
                field,
                "list at least one area code or name (e.g. SYR,IRQ)",
            ));
        }
        if out.len() > MAX_REGION_PARTS {
            return Err(AppError::input(
                field,
                format!("at most {MAX_REGION_PARTS} parts, got {}", out.len()),
            ));
        }
        Ok(Self { parts: out })
    }

    pub fn parts(&self) -> &[String] {
        &self.parts
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.parts.join(","))
    }
}

/// Which map: the date, what was known, the region (None: the engine's default) and the grid
/// resolution (None: the engine's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapRequest {
    pub date: NaiveDate,
    pub known_on: KnownOn,
    pub region: Option<Region>,
    pub resolution: Option<u8>,
}

impl MapRequest {
    /// The map of `date` as known now over the default region.
    pub fn on(date: NaiveDate) -> Self {
        Self {
            date,
            known_on: KnownOn::NOW,
            region: None,
            resolution: None,
        }
    }

    /// The same request for another date.
    pub fn with_date(&self, date: NaiveDate) -> Self {
        Self {
            date,
            ..self.clone()
        }
    }
}

/// An event window's length in days (1–366).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WindowDays(u32);

impl WindowDays {
    pub const MAX: u32 = 366;

    pub fn new(field: &'static str, days: u32) -> Result<Self, AppError> {
        if (1..=Self::MAX).contains(&days) {
            Ok(Self(days))
        } else {
            Err(AppError::input(
                field,
                format!("a window of 1 to {} days, got {days}", Self::MAX),
            ))
        }
    }

    /// `14d`, `2w` or a plain number of days.
    pub fn parse(field: &'static str, s: &str) -> Result<Self, AppError> {
        use frontline_core::analysis::trend::StepSize;
        let t = s.trim();
        let days = match t.parse::<u32>() {
            Ok(n) => n,
            Err(_) => match t.parse::<StepSize>() {
                Ok(StepSize::Days(n)) => n,
                Ok(StepSize::Months(_)) => {
                    return Err(AppError::input(
                        field,
                        format!("{s:?}: give the window in days or weeks (14d, 2w)"),
                    ))
                }
                Err(e) => return Err(AppError::input(field, e.to_string())),
            },
        };
        Self::new(field, days)
    }

    pub fn days(self) -> u32 {
        self.0
    }
}

/// An outline given by a user (an area of interest, an analyst's polygon), repaired as the
/// importers repair outlines: a self-touching or self-crossing ring becomes the union of its
/// parts; an outline with no area left is refused.
pub fn outline(
    field: &'static str,
    mp: geo::MultiPolygon<f64>,
) -> Result<geo::MultiPolygon<f64>, AppError> {
    let fixed = frontline_core::geometry::make_valid(mp)
        .map_err(|e| AppError::Unprocessable(format!("{field}: {e}")))?;
    if fixed.repaired {
        tracing::info!(problem = ?fixed.problem, "repaired an invalid outline");
    }
    if frontline_core::geometry::geodesic_area_km2(&fixed.geometry) <= 0.0 {
        return Err(AppError::Unprocessable(format!(
            "{field}: the outline has no area"
        )));
    }
    Ok(fixed.geometry)
}

/// The one step type of every series (charts, time-lapses, trends): `14d`, `2w`, `1mo`, `1y`.
pub use frontline_core::analysis::trend::StepSize;

/// Parse a step (`14d`, `2w`, `1mo`, `1y`).
pub fn parse_step(field: &'static str, s: &str) -> Result<StepSize, AppError> {
    // Well-formed text naming no step is the caller's value, not its syntax: 422 over HTTP.
    s.parse::<StepSize>()
        .map_err(|e| AppError::Unprocessable(format!("{field}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_on_day_is_the_end_of_that_day_utc_and_rfc3339_is_exact() {
        let d = KnownOn::parse("known_on", "2017-06-05").unwrap();
        assert_eq!(d.to_string(), "2017-06-05T23:59:59Z");
        let t = KnownOn::parse("known_on", "2017-06-05T10:00:00+02:00").unwrap();
        assert_eq!(t.to_string(), "2017-06-05T08:00:00Z");
        let e = KnownOn::parse("known_on", "yesterday").unwrap_err();
        assert!(e.to_string().starts_with("known_on: "), "{e}");
    }

    #[test]
    fn region_parts_are_trimmed_and_deduplicated_in_any_case() {
        let r = Region::parse("region", " syr, IRQ ,Syr,,").unwrap();
        assert_eq!(r.parts(), ["syr", "IRQ"]);
        assert!(Region::parse("region", " , ").is_err());
        let many = (0..20)
            .map(|i| format!("A{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(Region::parse("region", &many).is_err());
    }

    #[test]
    fn windows_are_days_or_weeks_within_a_year() {
        assert_eq!(WindowDays::parse("window", "2w").unwrap().days(), 14);
        assert_eq!(WindowDays::parse("window", "30").unwrap().days(), 30);
        assert!(WindowDays::parse("window", "1mo").is_err());
        assert!(WindowDays::parse("window", "367d").is_err());
        assert!(WindowDays::parse("window", "0").is_err());
    }

    #[test]
    fn dates_must_be_exactly_year_month_day() {
        assert!(parse_date("date", "2017-06-05").is_ok());
        assert!(parse_date("date", "2017-6-5").is_err());
        assert!(parse_date("date", "2017-06-31").is_err());
    }
}
