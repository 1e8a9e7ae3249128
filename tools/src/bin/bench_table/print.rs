//! The table's rows and section headers.

/// A bar: `ratio <= limit` passes.
pub(crate) fn verdict(ratio: f64, limit: Option<(f64, &str)>) -> String {
    match limit {
        None => String::new(),
        Some((limit, issue)) => format!(
            "{} (bar <= {limit}, {issue})",
            if ratio <= limit { "pass" } else { "FAIL" }
        ),
    }
}

pub(crate) fn row(label: &str, ns: f64, ratio: Option<f64>, note: &str) {
    let ratio = ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}"));
    println!("  {label:<76} {ns:>8.2} {ratio:>7}  {note}");
}

pub(crate) fn header(title: &str, unit: &str) {
    println!();
    println!("{title}");
    println!("  {:<76} {unit:>8} {:>7}", "", "ratio");
}
