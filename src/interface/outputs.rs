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
