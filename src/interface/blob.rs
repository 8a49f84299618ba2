//! A handle on a file's bytes that leaves them where they are. In the
//! browser that is a `Blob` (a picked `File` is one): its bytes enter wasm
//! memory only when a decoder needs them. Natively (tests) it holds bytes.

use std::fmt;

/// Where a file's bytes are. Cheap to clone; equal when it is the same blob.
#[derive(Clone)]
pub struct BlobRef(Inner);

// The app is single-threaded in the browser; the wrapper makes the blob
// storable in signals, which want `Send + Sync` values.
#[cfg(target_arch = "wasm32")]
type Inner = send_wrapper::SendWrapper<web_sys::Blob>;
#[cfg(not(target_arch = "wasm32"))]
type Inner = std::sync::Arc<[u8]>;

#[cfg(target_arch = "wasm32")]
impl BlobRef {
    /// Wraps a browser blob (or file).
    pub fn new(blob: web_sys::Blob) -> Self {
        Self(send_wrapper::SendWrapper::new(blob))
    }

    /// The browser blob.
    pub fn blob(&self) -> &web_sys::Blob {
        &self.0
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.0.size() as u64
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl BlobRef {
    /// Holds `bytes` (native builds keep bytes in memory).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(bytes.into())
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.0.len() as u64
    }
}

impl PartialEq for BlobRef {
    fn eq(&self, other: &Self) -> bool {
        #[cfg(target_arch = "wasm32")]
        return *self.0 == *other.0;
        #[cfg(not(target_arch = "wasm32"))]
        return std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0;
    }
}

impl fmt::Debug for BlobRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobRef({} bytes)", self.size())
    }
}
