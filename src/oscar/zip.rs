//! Lists and reads the ZIP that `POST /run` returns (base64) when a script
//! leaves two or more files in `$TMP_OUTPUT_DIR` (OSCAR-API.md §7, e.g. the
//! imagemagick Hub service, §10). Hand-written rather than a zip crate to keep
//! the wasm small: Python's `zipfile` (the FaaS Supervisor) only writes stored
//! and deflate entries, so those are all we read. Every offset comes from the
//! untrusted archive, so all reads are bounds-checked and never panic.

use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};

/// One file or folder of the archive, as its central directory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// Path inside the archive (UTF-8, invalid bytes replaced). Display only:
    /// never use it as a filesystem path (see [`ZipEntry::has_unsafe_path`]).
    pub name: String,
    /// Uncompressed size as declared by the archive.
    pub size: u64,
    /// Size of the stored (maybe compressed) data.
    pub compressed_size: u64,
    /// Compression method: 0 stored, 8 deflate; others are refused by [`read`].
    pub method: u16,
    /// True for folder entries (name ends with `/`).
    pub is_dir: bool,
    crc32: u32,
    flags: u16,
    local_header_offset: u64,
}

impl ZipEntry {
    /// The last path component, for a download file name.
    pub fn file_name(&self) -> &str {
        self.name
            .trim_end_matches(['/', '\\'])
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
    }

    /// True when the name would escape a target folder (`..`, absolute path,
    /// drive letter): shown with a warning, since we never extract to disk.
    pub fn has_unsafe_path(&self) -> bool {
        let n = &self.name;
        n.starts_with(['/', '\\'])
            || n.as_bytes().get(1) == Some(&b':')
            || n.split(['/', '\\']).any(|part| part == "..")
    }

    /// True when the entry is encrypted (flag bit 0), which [`read`] refuses.
    pub fn is_encrypted(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// Why an archive or entry cannot be read; messages are shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    /// No ZIP signature at all.
    #[error("this is not a ZIP archive")]
    NotZip,
    /// The archive ends before the data it describes.
    #[error("the ZIP archive is truncated")]
    Truncated,
    /// A valid feature we do not implement (ZIP64, encryption, other methods).
    #[error("unsupported ZIP feature: {0}")]
    Unsupported(String),
    /// The entry is bigger than the caller's limit (zip bomb guard).
    #[error("the file is {}, more than the {} this page unpacks", super::decode::human_size(*size), super::decode::human_size(*limit as u64))]
    TooLarge { size: u64, limit: usize },
    /// The entry inflates far more than real files do (a zip bomb).
    #[error("the file would inflate {0} times its packed size, past the {RATIO_CAP}× this page unpacks")]
    Ratio(u64),
    /// Entries share their data, or point outside the archive (a zip bomb trick).
    #[error("the ZIP archive is malformed: {0}")]
    Malformed(String),
    /// Inconsistent structures or data (bad CRC, bad deflate stream, ...).
    #[error("the ZIP archive is damaged: {0}")]
    Corrupt(String),
}

/// The largest entry the page unpacks to show or download (64 MiB).
pub const ENTRY_CAP: usize = 64 * 1024 * 1024;

/// How many times its packed size an entry may inflate: deflate tops out near
/// 1,032:1 on runs of one byte, and real outputs (text, images, tables) stay
/// far below 1000:1. Entries under [`RATIO_FREE`] are exempt: they cannot hurt.
pub const RATIO_CAP: u64 = 1000;

/// Entries up to this size (1 MiB) may have any ratio.
pub const RATIO_FREE: u64 = 1024 * 1024;

/// The inflated bytes a page keeps at once across its open entries (128 MiB).
pub const KEPT_CAP: u64 = 128 * 1024 * 1024;

/// The entries left open, oldest first, after opening `entry` (index, size):
/// the oldest close until the total fits in [`KEPT_CAP`].
pub fn admit(open: &[(usize, u64)], entry: (usize, u64)) -> Vec<(usize, u64)> {
    let mut kept: Vec<(usize, u64)> = open.iter().copied().filter(|(i, _)| *i != entry.0).collect();
    kept.push(entry);
    while kept.len() > 1 && kept.iter().map(|(_, size)| size).sum::<u64>() > KEPT_CAP {
        kept.remove(0);
    }
    kept
}

const EOCD_SIG: &[u8] = b"PK\x05\x06";
const CDIR_SIG: &[u8] = b"PK\x01\x02";
const LOCAL_SIG: &[u8] = b"PK\x03\x04";
const EOCD_LEN: usize = 22;
const CDIR_LEN: usize = 46;
const LOCAL_LEN: usize = 30;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(s.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

/// Finds the End Of Central Directory record by scanning backwards: it sits at
/// the end, followed only by a comment of at most 65535 bytes.
fn find_eocd(bytes: &[u8]) -> Option<usize> {
    let last = bytes.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(0xFFFF);
    (first..=last).rev().find(|&pos| {
        bytes.get(pos..pos + 4) == Some(EOCD_SIG)
            && u16_at(bytes, pos + 20)
                .is_some_and(|comment| pos + EOCD_LEN + usize::from(comment) <= bytes.len())
    })
}

/// Lists the entries from the central directory (the authoritative index;
/// local headers may carry zero sizes when a data descriptor is used).
pub fn list(bytes: &[u8]) -> Result<Vec<ZipEntry>, ZipError> {
    let Some(eocd) = find_eocd(bytes) else {
        // A local header without an end record is a cut-off download.
        return Err(if bytes.starts_with(LOCAL_SIG) {
            ZipError::Truncated
        } else {
            ZipError::NotZip
        });
    };
    let field16 = |at| u16_at(bytes, eocd + at).ok_or(ZipError::Truncated);
    let field32 = |at| u32_at(bytes, eocd + at).ok_or(ZipError::Truncated);
    let (disk, cd_disk, total) = (field16(4)?, field16(6)?, field16(10)?);
    let (cd_size, cd_offset) = (field32(12)?, field32(16)?);
    if total == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        return Err(ZipError::Unsupported("ZIP64 archives".into()));
    }
    if disk != 0 || cd_disk != 0 {
        return Err(ZipError::Unsupported("multi-part archives".into()));
    }
    let start = cd_offset as usize;
    let end = start
        .checked_add(cd_size as usize)
        .ok_or(ZipError::Truncated)?;
    if end > eocd {
        return Err(ZipError::Truncated);
    }
    let cd = bytes.get(start..end).ok_or(ZipError::Truncated)?;
    // Capacity bounded by what the directory can actually hold.
    let mut entries = Vec::with_capacity(usize::from(total).min(cd.len() / CDIR_LEN));
    let mut pos = 0usize;
    for _ in 0..total {
        let head = cd.get(pos..pos + CDIR_LEN).ok_or(ZipError::Truncated)?;
        if head.get(..4) != Some(CDIR_SIG) {
            return Err(ZipError::Corrupt("bad central directory entry".into()));
        }
        let h16 = |at| u16_at(head, at).unwrap_or_default();
        let h32 = |at| u32_at(head, at).unwrap_or_default();
        let name_len = usize::from(h16(28));
        let var_len = name_len + usize::from(h16(30)) + usize::from(h16(32));
        let name_bytes = cd
            .get(pos + CDIR_LEN..pos + CDIR_LEN + name_len)
            .ok_or(ZipError::Truncated)?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        let (compressed_size, size, offset) = (h32(20), h32(24), h32(42));
        if compressed_size == 0xFFFF_FFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            return Err(ZipError::Unsupported("ZIP64 entries".into()));
        }
        entries.push(ZipEntry {
            is_dir: name.ends_with('/') || name.ends_with('\\'),
            name,
            size: size.into(),
            compressed_size: compressed_size.into(),
            method: h16(10),
            crc32: h32(16),
            flags: h16(8),
            local_header_offset: offset.into(),
        });
        pos += CDIR_LEN + var_len;
    }
    check_layout(bytes, &entries, start)?;
    Ok(entries)
}

/// Where an entry's stored data lies in the archive, from its local header.
fn data_range(bytes: &[u8], entry: &ZipEntry) -> Result<std::ops::Range<usize>, ZipError> {
    let off = usize::try_from(entry.local_header_offset).map_err(|_| ZipError::Truncated)?;
    let head = bytes.get(off..off.saturating_add(LOCAL_LEN)).ok_or(ZipError::Truncated)?;
    if head.get(..4) != Some(LOCAL_SIG) {
        return Err(ZipError::Corrupt("bad local header".into()));
    }
    let skip = usize::from(u16_at(head, 26).unwrap_or_default()) + usize::from(u16_at(head, 28).unwrap_or_default());
    let start = off + LOCAL_LEN + skip;
    let len = usize::try_from(entry.compressed_size).map_err(|_| ZipError::Truncated)?;
    Ok(start..start.checked_add(len).ok_or(ZipError::Truncated)?)
}

/// Every entry's header and data must lie before the central directory, and
/// no two may share bytes: an archive whose directory points many entries at
/// one deflate stream multiplies one bomb into many.
fn check_layout(bytes: &[u8], entries: &[ZipEntry], cd_start: usize) -> Result<(), ZipError> {
    let mut spans = Vec::with_capacity(entries.len());
    for e in entries {
        // A bad local header fails that entry's read, not the listing.
        let Ok(data) = data_range(bytes, e) else { continue };
        if data.end > cd_start {
            return Err(ZipError::Malformed(format!("“{}” points outside the archive's data", e.name)));
        }
        let off = e.local_header_offset as usize;
        spans.push((off, data.end, &e.name));
    }
    spans.sort_unstable();
    for pair in spans.windows(2) {
        if let [(_, end, a), (next, _, b)] = pair {
            if next < end {
                return Err(ZipError::Malformed(format!("“{a}” and “{b}” share their data")));
            }
        }
    }
    Ok(())
}

/// Reads one entry's bytes, refusing entries whose declared size exceeds
/// `limit` and stopping inflation there too (zip bombs may lie about their
/// size). The CRC-32 is checked so a damaged download is reported, not shown.
pub fn read(bytes: &[u8], entry: &ZipEntry, limit: usize) -> Result<Vec<u8>, ZipError> {
    if entry.is_encrypted() {
        return Err(ZipError::Unsupported("encrypted entries".into()));
    }
    let too_large = ZipError::TooLarge { size: entry.size, limit };
    let size = usize::try_from(entry.size).map_err(|_| too_large.clone())?;
    if size > limit {
        return Err(too_large);
    }
    let ratio = entry.size / entry.compressed_size.max(1);
    if entry.size > RATIO_FREE && ratio > RATIO_CAP {
        return Err(ZipError::Ratio(ratio));
    }
    let data = bytes.get(data_range(bytes, entry)?).ok_or(ZipError::Truncated)?;
    let out = match entry.method {
        0 => data.to_vec(),
        // One byte over the declared size is enough to detect a lying header.
        8 => decompress_to_vec_with_limit(data, size.saturating_add(1)).map_err(|e| {
            match e.status {
                TINFLStatus::HasMoreOutput => ZipError::Corrupt("data larger than declared".into()),
                _ => ZipError::Corrupt("bad deflate data".into()),
            }
        })?,
        m => return Err(ZipError::Unsupported(format!("compression method {m}"))),
    };
    if out.len() != size {
        return Err(ZipError::Corrupt("size mismatch".into()));
    }
    if crc32(&out) != entry.crc32 {
        return Err(ZipError::Corrupt("CRC-32 mismatch".into()));
    }
    Ok(out)
}

const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// CRC-32 (IEEE, as in ZIP and PNG) of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8)
    })
}

/// Writes a ZIP of stored (uncompressed) entries, piece by piece, so that
/// the data of each entry can stay where it is (a browser blob) and only
/// the headers are made here: [`ZipWriter::entry`] gives the bytes to put
/// before an entry's data, [`ZipWriter::finish`] the bytes that end it.
/// No ZIP64: an archive stays under 4 GiB and 65,535 entries.
#[derive(Debug, Default)]
pub struct ZipWriter {
    central: Vec<u8>,
    offset: u64,
    count: u16,
}

impl ZipWriter {
    /// The most bytes an archive written here may hold.
    pub const MAX_BYTES: u64 = u32::MAX as u64;

    pub fn new() -> Self {
        Self::default()
    }

    /// The local header of an entry `name` whose `size` bytes have CRC-32 `crc`.
    pub fn entry(&mut self, name: &str, crc: u32, size: u64) -> Result<Vec<u8>, ZipError> {
        let name = name.as_bytes();
        let name_len = u16::try_from(name.len()).map_err(|_| ZipError::Unsupported("a file name over 65,535 bytes".into()))?;
        let end = self.offset + LOCAL_LEN as u64 + name.len() as u64 + size;
        if self.count == u16::MAX || end > Self::MAX_BYTES || size > Self::MAX_BYTES {
            return Err(ZipError::Unsupported("an archive over 4 GiB or 65,535 files".into()));
        }
        let (size32, offset32) = (size as u32, self.offset as u32);
        // Version 2.0, flag bit 11 (UTF-8 names), stored, no time.
        let fixed = |sig: &[u8], out: &mut Vec<u8>, central: bool| {
            out.extend_from_slice(sig);
            if central {
                out.extend_from_slice(&20u16.to_le_bytes());
            }
            for v in [20u16, 1 << 11, 0, 0, 0x21] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            for v in [crc, size32, size32] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
        };
        let mut local = Vec::with_capacity(LOCAL_LEN + name.len());
        fixed(LOCAL_SIG, &mut local, false);
        local.extend_from_slice(name);
        fixed(CDIR_SIG, &mut self.central, true);
        for v in [0u16, 0, 0] {
            self.central.extend_from_slice(&v.to_le_bytes());
        }
        self.central.extend_from_slice(&0u32.to_le_bytes());
        self.central.extend_from_slice(&offset32.to_le_bytes());
        self.central.extend_from_slice(name);
        self.offset = end;
        self.count += 1;
        Ok(local)
    }

    /// The central directory and its end record.
    pub fn finish(self) -> Vec<u8> {
        let mut out = self.central;
        let size = out.len() as u32;
        out.extend_from_slice(EOCD_SIG);
        for v in [0u16, 0, self.count, self.count] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(self.offset as u32).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archive_written_piece_by_piece_lists_and_reads_back() {
        let files: [(&str, &[u8]); 3] = [("leaf.json", b"{\"labels\":[\"rose\"]}"), ("folder/é.txt", b"hi"), ("empty", b"")];
        let mut w = ZipWriter::new();
        let mut archive = Vec::new();
        for (name, data) in files {
            archive.extend(w.entry(name, crc32(data), data.len() as u64).expect("entry"));
            archive.extend_from_slice(data);
        }
        archive.extend(w.finish());
        let entries = list(&archive).expect("list");
        assert_eq!(entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["leaf.json", "folder/é.txt", "empty"]);
        for ((_, data), entry) in files.iter().zip(&entries) {
            assert_eq!(read(&archive, entry, ENTRY_CAP).expect("read"), *data);
        }
        let mut big = ZipWriter::new();
        assert!(big.entry("x", 0, ZipWriter::MAX_BYTES).is_err());
        assert!(big.entry("x", 0, ZipWriter::MAX_BYTES - 100).is_ok());
    }

    /// Builds a one-entry stored archive by hand: local header, data, central
    /// directory, end record.
    fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
        let crc = crc32(data).to_le_bytes();
        let len = (data.len() as u32).to_le_bytes();
        let nlen = (name.len() as u16).to_le_bytes();
        let mut z = Vec::new();
        z.extend_from_slice(LOCAL_SIG);
        z.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend_from_slice(&crc);
        z.extend_from_slice(&len);
        z.extend_from_slice(&len);
        z.extend_from_slice(&nlen);
        z.extend_from_slice(&[0, 0]);
        z.extend_from_slice(name.as_bytes());
        z.extend_from_slice(data);
        let cd_start = z.len() as u32;
        z.extend_from_slice(CDIR_SIG);
        z.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend_from_slice(&crc);
        z.extend_from_slice(&len);
        z.extend_from_slice(&len);
        z.extend_from_slice(&nlen);
        z.extend_from_slice(&[0; 12]);
        z.extend_from_slice(&0u32.to_le_bytes());
        z.extend_from_slice(name.as_bytes());
        let cd_size = z.len() as u32 - cd_start;
        z.extend_from_slice(EOCD_SIG);
        z.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        z.extend_from_slice(&cd_size.to_le_bytes());
        z.extend_from_slice(&cd_start.to_le_bytes());
        z.extend_from_slice(&[0, 0]);
        z
    }

    /// An archive of `entries` central-directory records that all point at the
    /// one local entry of `zip` (the 16-entries-one-stream bomb).
    fn shared_stream(zip: &[u8], entries: u16) -> Vec<u8> {
        let eocd = find_eocd(zip).expect("eocd");
        let cd_start = u32_at(zip, eocd + 16).expect("cd offset") as usize;
        let record = zip[cd_start..eocd].to_vec();
        let mut z = zip[..cd_start].to_vec();
        for _ in 0..entries {
            z.extend_from_slice(&record);
        }
        let cd_size = (record.len() * usize::from(entries)) as u32;
        z.extend_from_slice(EOCD_SIG);
        z.extend_from_slice(&[0, 0, 0, 0]);
        z.extend_from_slice(&entries.to_le_bytes());
        z.extend_from_slice(&entries.to_le_bytes());
        z.extend_from_slice(&cd_size.to_le_bytes());
        z.extend_from_slice(&(cd_start as u32).to_le_bytes());
        z.extend_from_slice(&[0, 0]);
        z
    }

    /// A one-entry deflate archive of `data`.
    fn deflated_zip(name: &str, data: &[u8]) -> Vec<u8> {
        let packed = miniz_oxide::deflate::compress_to_vec(data, 9);
        let mut z = stored_zip(name, &packed);
        // Patch both headers: method 8, the real CRC and uncompressed size.
        let crc = crc32(data).to_le_bytes();
        let size = (data.len() as u32).to_le_bytes();
        let local = 0;
        z[local + 8..local + 10].copy_from_slice(&8u16.to_le_bytes());
        z[local + 14..local + 18].copy_from_slice(&crc);
        z[local + 22..local + 26].copy_from_slice(&size);
        let cd = find_eocd(&z).and_then(|e| u32_at(&z, e + 16)).expect("cd") as usize;
        z[cd + 10..cd + 12].copy_from_slice(&8u16.to_le_bytes());
        z[cd + 16..cd + 20].copy_from_slice(&crc);
        z[cd + 24..cd + 28].copy_from_slice(&size);
        z
    }

    #[test]
    fn entries_that_share_one_stream_are_refused_before_any_inflate() {
        let one = deflated_zip("zeros.bin", &vec![0u8; 4096]);
        assert_eq!(list(&one).map(|e| e.len()), Ok(1));
        let bomb = shared_stream(&one, 16);
        match list(&bomb) {
            Err(ZipError::Malformed(why)) => assert!(why.contains("share their data"), "{why}"),
            other => panic!("a shared stream must be refused: {other:?}"),
        }
        assert_eq!(list(&shared_stream(&one, 1)).map(|e| e.len()), Ok(1), "one record is a plain archive");
    }

    #[test]
    fn an_entry_pointing_past_the_data_is_refused() {
        let mut z = stored_zip("a.txt", b"hello");
        let cd = find_eocd(&z).and_then(|e| u32_at(&z, e + 16)).expect("cd") as usize;
        // Declare 1,000 stored bytes where there are 5.
        z[cd + 20..cd + 24].copy_from_slice(&1000u32.to_le_bytes());
        assert!(matches!(list(&z), Err(ZipError::Malformed(_)) | Err(ZipError::Truncated)), "{:?}", list(&z));
    }

    #[test]
    fn the_inflate_ratio_is_capped_above_the_free_size() {
        // Runs of zeros deflate about 1,030:1: over the cap once past RATIO_FREE.
        let big = deflated_zip("zeros.bin", &vec![0u8; 8 * 1024 * 1024]);
        let e = &list(&big).expect("list")[0];
        assert!(e.size / e.compressed_size > RATIO_CAP);
        match read(&big, e, ENTRY_CAP) {
            Err(ZipError::Ratio(r)) => assert!(r > RATIO_CAP),
            other => panic!("expected the ratio cap: {other:?}"),
        }
        // At RATIO_FREE and below, any ratio is fine.
        let small = deflated_zip("zeros.bin", &vec![0u8; RATIO_FREE as usize]);
        let e = &list(&small).expect("list")[0];
        assert_eq!(read(&small, e, ENTRY_CAP).map(|b| b.len()), Ok(RATIO_FREE as usize));
        // Text at a real-world ratio reads whatever its size.
        let text: Vec<u8> = (0..300_000u32).flat_map(|i| format!("{i},{}\n", i % 97).into_bytes()).collect();
        let csv = deflated_zip("t.csv", &text);
        let e = &list(&csv).expect("list")[0];
        assert_eq!(read(&csv, e, ENTRY_CAP).map(|b| b.len()), Ok(text.len()));
    }

    #[test]
    fn open_entries_stay_within_the_kept_cap() {
        let mib = 1024 * 1024;
        let open = admit(&[], (0, 60 * mib));
        let open = admit(&open, (1, 60 * mib));
        assert_eq!(open, vec![(0, 60 * mib), (1, 60 * mib)], "120 MiB fit");
        let open = admit(&open, (2, 8 * mib));
        assert_eq!(open.iter().map(|e| e.0).collect::<Vec<_>>(), [0, 1, 2], "exactly 128 MiB fit");
        let open = admit(&open, (3, 1));
        assert_eq!(open.iter().map(|e| e.0).collect::<Vec<_>>(), [1, 2, 3], "one byte over closes the oldest");
        assert_eq!(admit(&open, (2, 8 * mib)).last(), Some(&(2, 8 * mib)), "reopening moves it to the end");
        assert_eq!(admit(&open, (9, KEPT_CAP + 1)), vec![(9, KEPT_CAP + 1)], "a lone entry is always allowed (its own cap applies)");
    }

    #[test]
    fn the_entry_cap_is_exact() {
        let z = stored_zip("x", &[7u8; 64]);
        let e = &list(&z).expect("list")[0];
        assert_eq!(read(&z, e, 63), Err(ZipError::TooLarge { size: 64, limit: 63 }));
        assert_eq!(
            ZipError::TooLarge { size: 100 << 20, limit: ENTRY_CAP }.to_string(),
            "the file is 100.0 MB, more than the 64.0 MB this page unpacks"
        );
        assert!(read(&z, e, 64).is_ok());
        assert!(read(&z, e, 65).is_ok());
    }

    #[test]
    fn crc32_known_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn lists_and_reads_stored_entry() {
        let z = stored_zip("out/hello.txt", b"hello");
        let entries = list(&z).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "out/hello.txt");
        assert_eq!(entries[0].file_name(), "hello.txt");
        assert!(!entries[0].is_dir && !entries[0].has_unsafe_path());
        assert_eq!(read(&z, &entries[0], 100).unwrap(), b"hello");
        assert_eq!(read(&z, &entries[0], 4), Err(ZipError::TooLarge { size: 5, limit: 4 }));
    }

    #[test]
    fn empty_archive_and_not_zip() {
        let empty = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        assert_eq!(list(empty).unwrap(), vec![]);
        assert_eq!(list(b"hello"), Err(ZipError::NotZip));
        assert_eq!(list(b"PK\x03\x04abc"), Err(ZipError::Truncated));
    }

    #[test]
    fn crc_mismatch_is_corrupt() {
        let mut z = stored_zip("a", b"hello");
        z[30 + 1] = b'E';
        let entries = list(&z).unwrap();
        assert_eq!(
            read(&z, &entries[0], 100),
            Err(ZipError::Corrupt("CRC-32 mismatch".into()))
        );
    }

    #[test]
    fn unsafe_names_flagged() {
        for name in ["../etc/passwd", "/abs", "C:\\x", "a/../../b"] {
            let z = stored_zip(name, b"");
            assert!(list(&z).unwrap()[0].has_unsafe_path(), "{name}");
        }
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        let z = stored_zip("a.txt", b"some data here");
        for cut in 0..z.len() {
            if let Ok(entries) = list(&z[..cut]) {
                for e in &entries {
                    let _ = read(&z[..cut], e, 1000);
                }
            }
        }
    }
}
