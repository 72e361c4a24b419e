//! CSV/TSV reading shared by the importers: header checks, rows that know their line number,
//! and field accessors whose errors name the field.

use std::collections::HashMap;
use std::rc::Rc;
use std::str::FromStr;

use super::{Ctx, FieldError, ImportError};

/// A data row: its line in the file and its fields by header name.
pub(crate) struct Row {
    pub line: u64,
    record: csv::StringRecord,
    index: Rc<HashMap<String, usize>>,
    headers: Rc<Vec<String>>,
}

impl Row {
    /// The row as read, for reject files.
    pub fn raw(&self) -> String {
        self.record.iter().collect::<Vec<_>>().join(",")
    }

    /// The trimmed field, "" if empty. A column missing from the header is a bug of the
    /// caller (headers are checked first), so it reads as empty.
    pub fn get(&self, field: &str) -> &str {
        self.index
            .get(field)
            .and_then(|&i| self.record.get(i))
            .map_or("", str::trim)
    }

    /// The field if not empty.
    pub fn opt(&self, field: &str) -> Option<&str> {
        Some(self.get(field)).filter(|s| !s.is_empty())
    }

    /// The field, which must not be empty.
    pub fn req(&self, field: &str) -> Result<&str, FieldError> {
        self.opt(field)
            .ok_or_else(|| FieldError::new(field, "is empty"))
    }

    /// A required field parsed as `T`.
    pub fn parse<T: FromStr>(&self, field: &str) -> Result<T, FieldError>
    where
        T::Err: std::fmt::Display,
    {
        let s = self.req(field)?;
        s.parse()
            .map_err(|e| FieldError::new(field, format!("{s:?}: {e}")))
    }

    /// Check that the row has exactly the header's fields and that no short field spans lines
    /// (the sign of an unterminated quote). `free_text` fields may hold line breaks.
    fn check_shape(&self, free_text: &[&str]) -> Result<(), FieldError> {
        let (n, m) = (self.record.len(), self.headers.len());
        if n < m {
            return Err(FieldError::new(
                &self.headers[n],
                format!("missing: the row ends after {n} of {m} fields (truncated row?)"),
            ));
        }
        if n > m {
            return Err(FieldError::new(
                &format!("#{}", m + 1),
                format!("the row has {n} fields but the header has {m}"),
            ));
        }
        for (h, v) in self.headers.iter().zip(self.record.iter()) {
            if v.contains('\n') && !free_text.contains(&h.as_str()) {
                return Err(FieldError::new(
                    h,
                    "contains a line break: an unterminated quote?",
                ));
            }
        }
        Ok(())
    }
}

/// The rows of a CSV (or TSV) text whose header must contain `required`. Rows with the wrong
/// number of fields or stray line breaks are rejected through `ctx`.
pub(crate) fn read(
    ctx: &mut Ctx<'_>,
    text: &str,
    delimiter: u8,
    required: &[&str],
    free_text: &[&str],
) -> Result<Vec<Row>, ImportError> {
    read_with_headers(ctx, text, delimiter, None, required, free_text)
}

/// Like [`read`]; with `headers` given, the text has no header line and these names are used.
pub(crate) fn read_with_headers(
    ctx: &mut Ctx<'_>,
    text: &str,
    delimiter: u8,
    headers: Option<&[&str]>,
    required: &[&str],
    free_text: &[&str],
) -> Result<Vec<Row>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(headers.is_none())
        .flexible(true)
        .quoting(delimiter != b'\t')
        .from_reader(text.as_bytes());
    let header_names: Vec<String> = match headers {
        Some(h) => h.iter().map(|s| s.to_string()).collect(),
        None => reader
            .headers()
            .map_err(|e| ctx.file_error(format!("cannot read the header: {e}")))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect(),
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| !header_names.iter().any(|h| h == r))
        .collect();
    if !missing.is_empty() {
        return Err(ctx.file_error(format!(
            "the header lacks column(s) {}: found {}",
            missing.join(", "),
            header_names.join(",")
        )));
    }
    let index: HashMap<String, usize> = header_names
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), i))
        .collect();
    let index = Rc::new(index);
    let headers = Rc::new(header_names);
    let mut rows = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ImportError {
                file: ctx.file.clone(),
                line,
                field: None,
                reason: format!("malformed row: {e}"),
            }
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let row = Row {
            line,
            record,
            index: index.clone(),
            headers: headers.clone(),
        };
        match row.check_shape(free_text) {
            Ok(()) => rows.push(row),
            Err(e) => {
                let raw = row.raw();
                ctx.reject(line, e, &raw)?;
            }
        }
    }
    if rows.is_empty() && ctx.rejects.is_empty() {
        return Err(ctx.file_error("the file has a header but no data rows"));
    }
    Ok(rows)
}

/// Parse a coordinate pair from two fields, range-checked.
pub(crate) fn latlon(
    row: &Row,
    lat_field: &str,
    lon_field: &str,
) -> Result<frontline_core::LatLon, FieldError> {
    let lat: f64 = row.parse(lat_field)?;
    let lon: f64 = row.parse(lon_field)?;
    frontline_core::LatLon::new(lat, lon).map_err(|e| {
        let field = match e {
            frontline_core::ModelError::Latitude(_) => lat_field,
            _ => lon_field,
        };
        FieldError::new(field, e)
    })
}
