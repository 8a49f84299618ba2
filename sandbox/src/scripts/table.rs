//! A table (CSV, TSV, `;` or `|` separated; the delimiter is sniffed) in, `stats.csv` out.

use super::{traceback, Input, ScriptOutput};
use crate::model::Service;

/// Pick the delimiter that occurs most often (outside quotes) in the first line.
fn sniff_delimiter(text: &str) -> char {
    let mut counts = [(',', 0usize), ('\t', 0), (';', 0), ('|', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            _ if !quoted => {
                if let Some(e) = counts.iter_mut().find(|(d, _)| *d == c) {
                    e.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .fold(
            (',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

/// RFC 4180 records: quoted fields may hold delimiters, newlines and `""` escapes.
/// Blank lines are skipped.
pub(crate) fn parse_delimited(text: &str, delim: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut field_started = false;
    let mut chars = text.chars().peekable();
    let end_row = |row: &mut Vec<String>, rows: &mut Vec<Vec<String>>| {
        let r = std::mem::take(row);
        if !(r.len() == 1 && r[0].is_empty()) {
            rows.push(r);
        }
    };
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if !field_started => {
                quoted = true;
                field_started = true;
            }
            c if c == delim => {
                row.push(std::mem::take(&mut field));
                field_started = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                row.push(std::mem::take(&mut field));
                field_started = false;
                end_row(&mut row, &mut rows);
            }
            c => {
                field.push(c);
                field_started = true;
            }
        }
    }
    if field_started || !field.is_empty() || !row.is_empty() {
        row.push(field);
        end_row(&mut row, &mut rows);
    }
    rows
}

/// Short decimal: at most 6 decimals, no trailing zeros (`100`, `2.5`, `88.666667`).
fn num(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `column,count,missing,mean,min,max`, one row per column of the input table.
pub(crate) fn table_stats(text: &str) -> Result<String, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = parse_delimited(text, sniff_delimiter(text));
    let Some((header, data)) = rows.split_first() else {
        return Err("pandas.errors.EmptyDataError: No columns to parse from file".into());
    };
    let mut out = String::from("column,count,missing,mean,min,max\n");
    for (i, name) in header.iter().enumerate() {
        let cells: Vec<&str> = data
            .iter()
            .map(|r| r.get(i).map(|c| c.trim()).unwrap_or(""))
            .collect();
        let present: Vec<&str> = cells.iter().copied().filter(|c| !c.is_empty()).collect();
        let missing = cells.len() - present.len();
        let numbers: Option<Vec<f64>> = present
            .iter()
            .map(|c| c.parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        let name = csv_field(name.trim());
        match numbers.filter(|v| !v.is_empty()) {
            Some(v) => {
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                let min = v.iter().copied().fold(f64::INFINITY, f64::min);
                let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                out.push_str(&format!(
                    "{name},{},{missing},{},{},{}\n",
                    present.len(),
                    num(mean),
                    num(min),
                    num(max)
                ));
            }
            None => out.push_str(&format!("{name},{},{missing},,,\n", present.len())),
        }
    }
    Ok(out)
}

pub(super) fn table_stats_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let text = String::from_utf8_lossy(input.bytes);
    match table_stats(&text) {
        Ok(csv) => ScriptOutput::file("stats.csv", csv.into_bytes()),
        Err(e) => ScriptOutput::stdout(traceback(
            &[(
                "/opt/stats.py",
                9,
                "<module>",
                "df = pd.read_csv(sys.argv[1], sep=None, engine=\"python\")",
            )],
            &e,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn stats_of_the_sample() {
        assert_eq!(
            table_stats(&fixtures::csv_sample()).expect("stats"),
            "column,count,missing,mean,min,max\n\
             plant,4,0,,,\n\
             height_cm,4,0,100,8,210\n\
             leaves,3,1,88.666667,12,220\n\
             notes,4,0,,,\n"
        );
    }

    #[test]
    fn quotes_and_tsv() {
        let rows = parse_delimited("a,\"b,\"\"c\"\"\nd\"\r\n\n1,2", ',');
        assert_eq!(rows, vec![vec!["a", "b,\"c\"\nd"], vec!["1", "2"]]);
        let tsv = "x\t\"y, z\"\tw\n1\ttext\t\n3\t\t-5e0\n";
        assert_eq!(
            table_stats(tsv).expect("stats"),
            "column,count,missing,mean,min,max\nx,2,0,2,1,3\n\"y, z\",1,1,,,\nw,1,1,-5,-5,-5\n"
        );
        assert_eq!(
            table_stats("a;b\n1;2\n").expect("stats"),
            "column,count,missing,mean,min,max\na,1,0,1,1,1\nb,1,0,2,2,2\n"
        );
        assert!(table_stats("").is_err());
        assert!(table_stats("\n\n").is_err());
    }
}
