//! How an output is shown: decided from the decoded bytes (there is no
//! output metadata in OSCAR, §7), and overridable with "Render as".

use crate::oscar::decode::Kind;
use crate::oscar::labels::parse_labels;
use std::sync::Arc;

/// Bytes to show, with the name to download them under.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub name: String,
    pub bytes: Arc<[u8]>,
}

/// Text shown at first (1 MiB): a bigger output shows its start, says how
/// much there is, and offers "Show all" and a download.
pub const TEXT_SHOWN_CAP: usize = 1024 * 1024;

/// The most text "Show all" puts in the page (16 MiB); past it, only the
/// download (a 100 MB `<pre>` freezes the tab).
pub const TEXT_ALL_CAP: usize = 16 * 1024 * 1024;

/// Log lines shown at first: the last ones, where the error usually is.
pub const LOG_TAIL_LINES: usize = 1000;

/// Classes a label output lists at first; "Show all" lists the rest.
pub const LABELS_SHOWN: usize = 20;

/// The most classes "Show all" lists.
pub const LABELS_ALL_CAP: usize = 10_000;

/// The largest JSON output read into a tree (16 MiB): a bigger one is
/// offered as text (its start) or a download, since its tree would take
/// many times its size in memory.
pub const JSON_TREE_BYTES_CAP: usize = 16 * 1024 * 1024;

/// Why a JSON output of `len` bytes is not read into a tree, if it is not.
pub fn json_tree_refusal(len: usize) -> Option<String> {
    (len > JSON_TREE_BYTES_CAP).then(|| {
        format!(
            "This JSON is {}, more than the {} shown as a tree.",
            crate::oscar::decode::human_size(len as u64),
            crate::oscar::decode::human_size(JSON_TREE_BYTES_CAP as u64)
        )
    })
}

/// Values in a JSON tree past which its branches all start closed (the
/// first two levels are open otherwise). Only open branches are in the page.
pub const JSON_TREE_OPEN_CAP: usize = 100_000;

/// Counts the values of a JSON tree (each object, array and scalar is one),
/// stopping once the count passes `stop_after`.
pub fn json_values(value: &serde_json::Value, stop_after: usize) -> usize {
    let mut count = 0;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        count += 1;
        if count > stop_after {
            break;
        }
        match v {
            serde_json::Value::Array(items) => stack.extend(items.iter()),
            serde_json::Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// The JSON pointer (RFC 6901) of a child: `parent/key`, with `~` and `/` escaped.
pub fn pointer_child(parent: &str, key: &str) -> String {
    let mut out = String::with_capacity(parent.len() + key.len() + 1);
    out.push_str(parent);
    out.push('/');
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The first `cap` bytes of `bytes`, cut back to a UTF-8 character boundary,
/// and whether anything was left out.
pub fn text_head(bytes: &[u8], cap: usize) -> (&[u8], bool) {
    if bytes.len() <= cap {
        return (bytes, false);
    }
    let mut end = cap;
    // Back up over continuation bytes (at most 3 in valid UTF-8).
    while end > 0 && cap - end < 3 && bytes.get(end).is_some_and(|b| b & 0xC0 == 0x80) {
        end -= 1;
    }
    (bytes.get(..end).unwrap_or_default(), true)
}

/// The last `n` of `lines`, and how many came before them.
pub fn tail<T>(lines: &[T], n: usize) -> (&[T], usize) {
    let skipped = lines.len().saturating_sub(n);
    (lines.get(skipped..).unwrap_or_default(), skipped)
}

/// The output components.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputView {
    Text,
    Label,
    Image,
    Json,
    Table,
    Audio,
    Video,
    Pdf,
    Zip,
    Download,
}

impl OutputView {
    /// Every view, in the order of the "Render as" menu.
    pub const ALL: [OutputView; 10] = [
        OutputView::Text,
        OutputView::Label,
        OutputView::Image,
        OutputView::Json,
        OutputView::Table,
        OutputView::Audio,
        OutputView::Video,
        OutputView::Pdf,
        OutputView::Zip,
        OutputView::Download,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Label => "Labels",
            Self::Image => "Image",
            Self::Json => "JSON",
            Self::Table => "Table",
            Self::Audio => "Audio",
            Self::Video => "Video",
            Self::Pdf => "PDF",
            Self::Zip => "ZIP contents",
            Self::Download => "Download",
        }
    }

    /// A stable id for the `<select>` option value.
    pub fn id(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Label => "label",
            Self::Image => "image",
            Self::Json => "json",
            Self::Table => "table",
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Pdf => "pdf",
            Self::Zip => "zip",
            Self::Download => "download",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.id() == id)
    }
}

/// The view for bytes of a sniffed kind. Classification results (JSON or a
/// Python dict in any known shape) become a Label view.
pub fn default_view(kind: Kind, bytes: &[u8]) -> OutputView {
    if matches!(kind, Kind::Json | Kind::Text) {
        if let Some(text) = std::str::from_utf8(bytes).ok().filter(|t| t.len() < 1_000_000) {
            if parse_labels(text).is_some() {
                return OutputView::Label;
            }
        }
    }
    match kind {
        Kind::Text => OutputView::Text,
        Kind::Json => OutputView::Json,
        Kind::Csv | Kind::Tsv => OutputView::Table,
        Kind::Png | Kind::Jpeg | Kind::Gif | Kind::Webp | Kind::Bmp | Kind::Svg => OutputView::Image,
        Kind::Pdf => OutputView::Pdf,
        Kind::Zip => OutputView::Zip,
        Kind::Wav | Kind::Mp3 | Kind::Ogg | Kind::Flac => OutputView::Audio,
        Kind::Mp4 | Kind::Webm => OutputView::Video,
        Kind::Binary => OutputView::Download,
    }
}

#[cfg(test)]
mod cap_tests {
    use super::*;

    #[test]
    fn text_is_cut_at_the_cap_on_a_character_boundary() {
        let text = "a".repeat(TEXT_SHOWN_CAP - 1) + "é" + "tail";
        let bytes = text.as_bytes();
        // cap − 1 ends in the middle of "é": it backs up before it.
        let (head, cut) = text_head(bytes, TEXT_SHOWN_CAP);
        assert!(cut && head.len() == TEXT_SHOWN_CAP - 1 && std::str::from_utf8(head).is_ok());
        let (head, cut) = text_head(bytes, TEXT_SHOWN_CAP + 1);
        assert!(cut && head.ends_with("é".as_bytes()));
        let exact = "b".repeat(TEXT_SHOWN_CAP);
        assert_eq!(text_head(exact.as_bytes(), TEXT_SHOWN_CAP), (exact.as_bytes(), false), "at the cap, all of it");
        assert_eq!(text_head(exact.as_bytes(), TEXT_SHOWN_CAP - 1).1, true, "one byte over, cut");
        // Not UTF-8 at all: still cut, never more than 3 bytes back.
        let junk = vec![0x80u8; 100];
        assert_eq!(text_head(&junk, 50).0.len(), 47);
    }

    #[test]
    fn big_json_trees_are_counted_up_to_the_cap() {
        let array = |n: usize| serde_json::Value::Array(vec![serde_json::Value::Null; n]);
        // An array of n items is n + 1 values.
        for n in [JSON_TREE_OPEN_CAP - 2, JSON_TREE_OPEN_CAP - 1, JSON_TREE_OPEN_CAP] {
            assert_eq!(json_values(&array(n), JSON_TREE_OPEN_CAP), n + 1);
        }
        // Past the cap the count stops early.
        assert_eq!(json_values(&array(10 * JSON_TREE_OPEN_CAP), JSON_TREE_OPEN_CAP), JSON_TREE_OPEN_CAP + 1);
        let nested = serde_json::json!({"a": {"b": [1, 2, {"c": true}]}});
        assert_eq!(json_values(&nested, JSON_TREE_OPEN_CAP), 7);
    }

    #[test]
    fn json_trees_are_refused_one_byte_past_their_cap() {
        assert_eq!(json_tree_refusal(JSON_TREE_BYTES_CAP - 1), None);
        assert_eq!(json_tree_refusal(JSON_TREE_BYTES_CAP), None);
        let why = json_tree_refusal(JSON_TREE_BYTES_CAP + 1).unwrap_or_default();
        assert!(why.contains("more than the 16.0 MB shown as a tree"), "{why}");
    }

    #[test]
    fn child_pointers_escape_and_find_the_child() {
        let v = serde_json::json!({"a/b": {"~x": [10, 20]}});
        let p = pointer_child(&pointer_child(&pointer_child("", "a/b"), "~x"), "1");
        assert_eq!(p, "/a~1b/~0x/1");
        assert_eq!(crate::interface::spec::json_pointer(&v, &p), Some(&serde_json::json!(20)));
    }

    #[test]
    fn logs_show_their_tail() {
        let lines: Vec<u32> = (0..(LOG_TAIL_LINES as u32 + 1)).collect();
        let (shown, before) = tail(&lines, LOG_TAIL_LINES);
        assert_eq!((shown.len(), before, shown.first()), (LOG_TAIL_LINES, 1, Some(&1)));
        assert_eq!(tail(&lines[..LOG_TAIL_LINES], LOG_TAIL_LINES).1, 0);
        assert_eq!(tail::<u32>(&[], LOG_TAIL_LINES), (&[][..], 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscar::decode::sniff;

    fn view(bytes: &[u8]) -> OutputView {
        default_view(sniff(bytes), bytes)
    }

    #[test]
    fn classification_json_and_python_dicts_become_labels() {
        assert_eq!(view(br#"{"labels":["a","b"],"probabilities":[0.9,0.1]}"#), OutputView::Label);
        assert_eq!(view(b"{'status': 'ok', 'predictions': [{'label': 'x', 'probability': 0.7}]}"), OutputView::Label);
        assert_eq!(view(br#"{"width": 3, "height": 4}"#), OutputView::Json);
    }

    #[test]
    fn bytes_pick_their_view() {
        assert_eq!(view(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), OutputView::Image);
        assert_eq!(view(b"%PDF-1.4\n"), OutputView::Pdf);
        assert_eq!(view(b" _____\n< moo >\n -----\n"), OutputView::Text);
        assert_eq!(view(b"a,b\n1,2\n3,4\n"), OutputView::Table);
        assert_eq!(view(&[0u8, 1, 2, 3, 255, 254]), OutputView::Download);
    }

    #[test]
    fn ids_round_trip() {
        for v in OutputView::ALL {
            assert_eq!(OutputView::from_id(v.id()), Some(v));
        }
    }
}
