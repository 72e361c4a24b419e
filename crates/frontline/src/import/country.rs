//! Country codes: ISO 3166-1 alpha-2 and English names to alpha-3, for the countries of the
//! bundled data's regions (Middle East, Ukraine and neighbours). Unknown codes are errors in the
//! gazetteer (a place needs a country) and `None` in events.

/// (alpha-2, alpha-3, name as UCDP/ACLED write it).
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("SY", "SYR", "Syria"),
    ("IQ", "IRQ", "Iraq"),
    ("TR", "TUR", "Turkey"),
    ("JO", "JOR", "Jordan"),
    ("LB", "LBN", "Lebanon"),
    ("IL", "ISR", "Israel"),
    ("PS", "PSE", "Palestine"),
    ("SA", "SAU", "Saudi Arabia"),
    ("IR", "IRN", "Iran"),
    ("CY", "CYP", "Cyprus"),
    ("KW", "KWT", "Kuwait"),
    ("EG", "EGY", "Egypt"),
    ("AM", "ARM", "Armenia"),
    ("AZ", "AZE", "Azerbaijan"),
    ("GE", "GEO", "Georgia"),
    ("UA", "UKR", "Ukraine"),
    ("RU", "RUS", "Russia"),
    ("BY", "BLR", "Belarus"),
    ("MD", "MDA", "Moldova"),
    ("PL", "POL", "Poland"),
    ("RO", "ROU", "Romania"),
    ("HU", "HUN", "Hungary"),
    ("SK", "SVK", "Slovakia"),
    ("YE", "YEM", "Yemen"),
    ("LY", "LBY", "Libya"),
    ("AF", "AFG", "Afghanistan"),
];

pub(crate) fn alpha3_from_alpha2(code: &str) -> Option<&'static str> {
    let c = code.trim().to_ascii_uppercase();
    COUNTRIES
        .iter()
        .find(|(a2, ..)| *a2 == c)
        .map(|(_, a3, _)| *a3)
}

pub(crate) fn alpha3_from_name(name: &str) -> Option<&'static str> {
    let n = name.trim();
    // UCDP writes "Turkey", ACLED "Turkey" or "Türkiye"; both name forms map.
    let n = if n == "Türkiye" { "Turkey" } else { n };
    COUNTRIES
        .iter()
        .find(|(_, a3, nm)| nm.eq_ignore_ascii_case(n) || a3.eq_ignore_ascii_case(n))
        .map(|(_, a3, _)| *a3)
}
