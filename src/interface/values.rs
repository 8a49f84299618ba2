//! What the user put in an input. Typed things (text, JSON, numbers, a
//! checkbox, a table typed in the grid) are text; files stay where the
//! browser keeps them ([`BlobRef`]) until a run sends them.

use super::blob::BlobRef;
use crate::oscar::decode::human_size;

/// The content of one input of the form.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum InputValue {
    #[default]
    Empty,
    /// Typed text: text, JSON, a number or a checkbox as text, CSV from the grid.
    Text(String),
    /// A file: picked, dropped, pasted, recorded, snapped or fetched.
    File(FileValue),
}

/// A file the user gave, with its bytes left in the browser.
#[derive(Clone, Debug, PartialEq)]
pub struct FileValue {
    pub name: String,
    /// The MIME type the browser gave (may be empty).
    pub mime: String,
    pub size: u64,
    pub data: BlobRef,
}

impl FileValue {
    /// A file from its handle.
    pub fn new(name: impl Into<String>, mime: impl Into<String>, data: BlobRef) -> Self {
        Self { name: name.into(), mime: mime.into(), size: data.size(), data }
    }

    /// Its name, or `input` when it has none.
    pub fn upload_name(&self) -> String {
        if self.name.is_empty() { "input".into() } else { self.name.clone() }
    }

    /// Its MIME type, or `application/octet-stream` when unknown.
    pub fn upload_mime(&self) -> String {
        if self.mime.is_empty() { "application/octet-stream".into() } else { self.mime.clone() }
    }

    /// "a.png (2.9 KB, image/png)".
    pub fn describe(&self) -> String {
        let mime = if self.mime.is_empty() { "unknown type" } else { &self.mime };
        format!("{} ({}, {mime})", self.name, human_size(self.size))
    }
}

impl InputValue {
    /// The typed text, or `""`.
    pub fn text(&self) -> &str {
        match self {
            Self::Text(t) => t,
            _ => "",
        }
    }

    /// The file, if the value is one.
    pub fn file(&self) -> Option<&FileValue> {
        match self {
            Self::File(f) => Some(f),
            _ => None,
        }
    }
}
