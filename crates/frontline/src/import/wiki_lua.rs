//! `frontline import wiki-lua`: the map modules' Lua text as users paste it, e.g.
//! `{ lat = 36.35, long = 43.155, mark = m.gov, marksize = 8, label = "[[Mosul]]" },`.
//! Each innermost `{ … }` with a `lat` key is a mark; `mark` is a bare `m.xxx` name or a quoted
//! icon file; wiki links in labels are reduced to their text (`[[A|B]]` → B, `[[A]]` → A).
//! The marks then go through the same mapping as the CSV snapshot ([`super::wiki`]).

use super::wiki::WikiRow;
use super::{Ctx, FieldError, ImportError};

/// Strip wiki links: `[[Target|Text]]` → `Text`, `[[Target]]` → `Target`.
pub(crate) fn strip_links(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("[[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("]]") {
            Some(end) => {
                let inner = &after[..end];
                out.push_str(inner.rsplit('|').next().unwrap_or(inner));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

#[derive(Debug, PartialEq)]
enum Value {
    Text(String),
    Bare(String),
}

impl Value {
    fn as_str(&self) -> &str {
        match self {
            Value::Text(s) | Value::Bare(s) => s,
        }
    }
}

/// Parse the `key = value, …` pairs of one table body.
fn parse_fields(body: &str) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len()
            && (chars[*i].is_whitespace() || chars[*i] == ',' || chars[*i] == ';')
        {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        if key.is_empty() {
            return Err(format!("unexpected {:?}", chars[i]));
        }
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() || chars[i] != '=' {
            return Err(format!("expected `=` after {key}"));
        }
        i += 1;
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            return Err(format!("{key} has no value"));
        }
        let value = if chars[i] == '"' || chars[i] == '\'' {
            let q = chars[i];
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None => return Err(format!("unterminated string in {key}")),
                    Some('\\') => {
                        if let Some(c) = chars.get(i + 1) {
                            s.push(*c);
                        }
                        i += 2;
                    }
                    Some(c) if *c == q => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        s.push(*c);
                        i += 1;
                    }
                }
            }
            Value::Text(s)
        } else {
            let start = i;
            while i < chars.len() && !matches!(chars[i], ',' | ';') && !chars[i].is_whitespace() {
                i += 1;
            }
            Value::Bare(chars[start..i].iter().collect())
        };
        out.push((key, value));
    }
    Ok(out)
}

/// The marks of a Lua text, in order.
pub(crate) fn read_lua(ctx: &mut Ctx<'_>, text: &str) -> Result<Vec<WikiRow>, ImportError> {
    let mut rows = Vec::new();
    // Innermost tables: a `{` whose `}` comes before any other `{`. Strings are skipped.
    let bytes = text.as_bytes();
    let mut line: u64 = 1;
    let mut open: Option<(usize, u64)> = None;
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
        }
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' if open.is_some() => quote = Some(b),
                b'-' if bytes.get(i + 1) == Some(&b'-') => {
                    // A Lua comment runs to the end of the line.
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'{' => open = Some((i + 1, line)),
                b'}' => {
                    if let Some((start, at)) = open.take() {
                        let body = &text[start..i];
                        table(ctx, body, at, &mut rows)?;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    if quote.is_some() || open.is_some() {
        let at = open.map_or(line, |(_, l)| l);
        ctx.reject(
            at,
            FieldError::new("{", "the table is not closed (truncated text?)"),
            "",
        )?;
    }
    if rows.is_empty() && ctx.rejects.is_empty() {
        return Err(ctx.file_error("no map marks (`{ lat = …, long = …, mark = … }`) found"));
    }
    Ok(rows)
}

fn table(
    ctx: &mut Ctx<'_>,
    body: &str,
    line: u64,
    rows: &mut Vec<WikiRow>,
) -> Result<(), ImportError> {
    let raw = body.trim().replace('\n', " ");
    let fields = match parse_fields(body) {
        Ok(f) => f,
        Err(e) => {
            // Only tables that look like marks matter.
            if body.contains("lat") && body.contains("mark") {
                ctx.reject(line, FieldError::new("table", e), &raw)?;
            }
            return Ok(());
        }
    };
    let get = |k: &str| fields.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    if get("lat").is_none() && get("mark").is_none() {
        return Ok(());
    }
    for required in ["lat", "long", "mark"] {
        if get(required).is_none() {
            return ctx.reject(line, FieldError::new(required, "is missing"), &raw);
        }
    }
    rows.push(WikiRow {
        line,
        lat: get("lat")
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default(),
        long: get("long")
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default(),
        mark: get("mark")
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default(),
        label: get("label")
            .map(|v| strip_links(v.as_str()))
            .unwrap_or_default(),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiki_links_are_stripped() {
        assert_eq!(strip_links("[[Mosul]]"), "Mosul");
        assert_eq!(
            strip_links("[[Tell Abyad|Tal Abyad]] town"),
            "Tal Abyad town"
        );
        assert_eq!(strip_links("plain"), "plain");
    }

    #[test]
    fn fields_parse_bare_and_quoted_values() {
        let f = parse_fields(
            r#" lat = 36.35, long = 43.155, mark = m.gov, marksize = 8, label = "[[Mosul]]" "#,
        )
        .unwrap();
        assert_eq!(f[2], ("mark".into(), Value::Bare("m.gov".into())));
        assert_eq!(f[4], ("label".into(), Value::Text("[[Mosul]]".into())));
        assert!(parse_fields("lat 36").is_err());
    }
}
