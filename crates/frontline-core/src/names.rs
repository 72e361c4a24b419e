//! Place- and actor-name normalisation, so that spellings from different sources meet:
//! "Deir ez-Zor", "Deir al-Zour" and "Dayr az Zawr" share a skeleton, and "Al-Bab", "al Bab" and
//! "Bab" normalise alike.

/// Arabic definite articles as they appear in Latin transliterations ("al-", "ad-", "ash-", ...).
const ARTICLES: &[&str] = &[
    "al", "el", "ad", "ar", "as", "ash", "az", "at", "an", "ath", "adh", "ul",
];

/// Lowercase ASCII words without diacritics, punctuation or Arabic articles, joined by spaces.
///
/// # Examples
/// ```
/// use frontline_core::names::normalize;
/// assert_eq!(normalize("Al-Bāb"), "bab");
/// assert_eq!(normalize("Deir ez‑Zor"), "deir ez zor");
/// ```
pub fn normalize(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    let cleaned: String = ascii
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c
            } else if c == '\'' || c == '`' {
                '\u{0}'
            } else {
                ' '
            }
        })
        .filter(|c| *c != '\u{0}')
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let kept: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !ARTICLES.contains(w))
        .collect();
    if kept.is_empty() {
        words.join(" ")
    } else {
        kept.join(" ")
    }
}

/// A spelling-insensitive key: the normalised name without vowels, spaces, `h`/`w`/`y`
/// (which transliterations add and drop freely) and doubled letters. "Deir ez-Zor",
/// "Dayr az Zawr" and "Deir al-Zour" all give `drzr`.
pub fn skeleton(name: &str) -> String {
    let mut out = String::new();
    for c in normalize(name).chars() {
        if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' | 'h' | ' ') {
            continue;
        }
        let c = match c {
            'q' => 'k',
            'c' => 'k',
            other => other,
        };
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deir_ez_zor_spellings_share_a_skeleton() {
        let k = skeleton("Deir ez-Zor");
        assert_eq!(skeleton("Deir al-Zour"), k);
        assert_eq!(skeleton("Dayr az Zawr"), k);
    }

    #[test]
    fn articles_and_diacritics_are_dropped() {
        assert_eq!(normalize("Al-Bāb"), "bab");
        assert_eq!(normalize("al Bab"), "bab");
        assert_eq!(normalize("Ma`arrat al-Nu`man"), "maarrat numan");
        assert_eq!(normalize("Al"), "al");
    }
}
