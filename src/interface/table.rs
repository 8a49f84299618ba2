//! CSV and TSV: parsed for the table views, written for the table input.

/// Splits CSV/TSV text into rows of cells (RFC 4180 quoting; `\r\n` or `\n`).
/// Stops after `max_rows` rows so a huge table cannot freeze the page.
pub fn parse(text: &str, delimiter: char, max_rows: usize) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
                if rows.len() >= max_rows {
                    return rows;
                }
            }
            c if c == delimiter => row.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// Guesses the delimiter: a tab when the first line has more tabs than commas.
pub fn guess_delimiter(text: &str) -> char {
    let first = text.lines().next().unwrap_or_default();
    if first.matches('\t').count() > first.matches(',').count() { '\t' } else { ',' }
}

/// Writes rows as CSV, quoting cells that need it.
pub fn to_csv(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n', '\r']) || c.starts_with(' ') || c.ends_with(' ') {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quotes_newlines_and_tabs() {
        let rows = parse("a,b\n\"x, y\",\"he said \"\"hi\"\"\"\r\n1,\n", ',', 100);
        assert_eq!(rows, vec![vec!["a", "b"], vec!["x, y", "he said \"hi\""], vec!["1", ""]]);
        assert_eq!(parse("a\tb\n1\t2", '\t', 100), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(guess_delimiter("a\tb,c\td"), '\t');
        assert_eq!(guess_delimiter("a,b"), ',');
    }

    #[test]
    fn row_limit_and_round_trip() {
        assert_eq!(parse("1\n2\n3\n4\n", ',', 2).len(), 2);
        let rows = vec![vec!["name".to_string(), "note".into()], vec!["a".into(), "x, \"y\"".into()]];
        assert_eq!(parse(&to_csv(&rows), ',', 10), rows);
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in ["\"", "\"\"\"", ",,,\n\n", "\u{0}\u{feff}\"a", ""] {
            let _ = parse(text, ',', 10);
        }
    }
}
