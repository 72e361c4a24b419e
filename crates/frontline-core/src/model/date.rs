//! Calendar dates with the precision the source gave them: a day, a month or only a year.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::ModelError;

/// How precisely a source dated something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    Day,
    Month,
    Year,
}

impl DatePrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
            Self::Year => "year",
        }
    }
}

impl FromStr for DatePrecision {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "d" => Ok(Self::Day),
            "month" | "m" => Ok(Self::Month),
            "year" | "y" => Ok(Self::Year),
            _ => Err(ModelError::Precision(s.to_owned())),
        }
    }
}

impl fmt::Display for DatePrecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A date and its precision. A month- or year-precision date is stored as the first day of its
/// period, so that two sources giving "2015-06" agree, and [`ObservedDate::last_day`] gives the
/// other end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObservedDate {
    date: NaiveDate,
    precision: DatePrecision,
}

impl ObservedDate {
    /// Build a date of the given precision; the day (and month) are truncated to the start of
    /// the period.
    pub fn new(date: NaiveDate, precision: DatePrecision) -> Self {
        let date = match precision {
            DatePrecision::Day => date,
            DatePrecision::Month => date.with_day(1).expect("day 1 exists"),
            DatePrecision::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).expect("1 Jan"),
        };
        Self { date, precision }
    }

    pub fn day(date: NaiveDate) -> Self {
        Self::new(date, DatePrecision::Day)
    }

    pub fn year(year: i32) -> Result<Self, ModelError> {
        NaiveDate::from_ymd_opt(year, 1, 1)
            .map(|d| Self::new(d, DatePrecision::Year))
            .ok_or_else(|| ModelError::Date(year.to_string()))
    }

    /// Parse `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; the precision follows the form.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let t = s.trim();
        let err = || ModelError::Date(s.to_owned());
        let parts: Vec<&str> = t.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, ModelError> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let (y, m, d, precision) = match parts.as_slice() {
            [y] => (num(y, 4)?, 1, 1, DatePrecision::Year),
            [y, m] => (num(y, 4)?, num(m, 2)?, 1, DatePrecision::Month),
            [y, m, d] => (num(y, 4)?, num(m, 2)?, num(d, 2)?, DatePrecision::Day),
            _ => return Err(err()),
        };
        let date = NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(err)?;
        Ok(Self::new(date, precision))
    }

    /// Parse a full `YYYY-MM-DD` date and give it an explicit precision (as in a CSV with
    /// separate `date` and `precision` columns, where month rows use day 01).
    pub fn parse_with_precision(s: &str, precision: DatePrecision) -> Result<Self, ModelError> {
        let d = Self::parse(s)?;
        if d.precision < precision {
            Ok(Self::new(d.date, precision))
        } else {
            Ok(d)
        }
    }

    /// The first day of the period.
    pub fn first_day(&self) -> NaiveDate {
        self.date
    }

    /// The last day of the period.
    pub fn last_day(&self) -> NaiveDate {
        match self.precision {
            DatePrecision::Day => self.date,
            DatePrecision::Month => {
                let (y, m) = (self.date.year(), self.date.month());
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)
                };
                next.and_then(|d| d.pred_opt()).expect("valid month")
            }
            DatePrecision::Year => {
                NaiveDate::from_ymd_opt(self.date.year(), 12, 31).expect("31 Dec")
            }
        }
    }

    /// The middle of the period: the best single day to stand for it.
    pub fn mid_day(&self) -> NaiveDate {
        let span = (self.last_day() - self.first_day()).num_days();
        self.first_day() + chrono::Duration::days(span / 2)
    }

    pub fn precision(&self) -> DatePrecision {
        self.precision
    }

    /// Reject a date whose period starts after `today`.
    pub fn not_after(self, today: NaiveDate) -> Result<Self, ModelError> {
        if self.date > today {
            Err(ModelError::FutureDate {
                date: self.date,
                today,
            })
        } else {
            Ok(self)
        }
    }
}

impl fmt::Display for ObservedDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.precision {
            DatePrecision::Day => write!(f, "{}", self.date.format("%Y-%m-%d")),
            DatePrecision::Month => write!(f, "{}", self.date.format("%Y-%m")),
            DatePrecision::Year => write!(f, "{}", self.date.format("%Y")),
        }
    }
}

impl FromStr for ObservedDate {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn precision_follows_the_form() {
        assert_eq!(
            ObservedDate::parse("2016-02-01").unwrap().precision(),
            DatePrecision::Day
        );
        let m = ObservedDate::parse("2016-02").unwrap();
        assert_eq!(m.precision(), DatePrecision::Month);
        assert_eq!(m.last_day(), d(2016, 2, 29));
        let y = ObservedDate::parse("2015").unwrap();
        assert_eq!(
            (y.first_day(), y.last_day()),
            (d(2015, 1, 1), d(2015, 12, 31))
        );
        assert_eq!(y.to_string(), "2015");
    }

    #[test]
    fn malformed_dates_are_rejected() {
        for bad in [
            "",
            "2016-13-01",
            "2016-02-30",
            "16-02-01",
            "2016/02/01",
            "2016-2-1",
        ] {
            assert!(ObservedDate::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn explicit_precision_truncates() {
        let m = ObservedDate::parse_with_precision("2014-06-11", DatePrecision::Month).unwrap();
        assert_eq!(m.first_day(), d(2014, 6, 1));
        assert_eq!(m.to_string(), "2014-06");
    }

    #[test]
    fn future_dates_are_refused() {
        let x = ObservedDate::parse("2030-01-01").unwrap();
        assert!(x.not_after(d(2026, 11, 26)).is_err());
    }
}
