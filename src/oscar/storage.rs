//! The pure logic of an asynchronous run (OSCAR-API.md §8): where the input
//! goes, how its name is made safe and unique, which outputs belong to it,
//! how fast to poll, the presign endpoint's JSON (§3) and what survives a
//! reload in sessionStorage (never a secret).

use super::lenient::{string_map, stringish};
use super::s3::ObjectInfo;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// The longest safe file name kept in a key (S3 allows 1024 bytes; scripts
/// and file systems in the container are happier with short names).
pub const MAX_NAME_LEN: usize = 200;

/// Splits a storage `path` into bucket and prefix: the bucket is the first
/// segment; a path without '/' becomes `<service>/<path>` (§5). The prefix
/// has no leading, trailing or doubled slashes.
pub fn split_storage_path(path: &str, service: &str) -> (String, String) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.trim().is_empty()).map(str::trim).collect();
    match segments.split_first() {
        Some((bucket, rest)) if !rest.is_empty() => (bucket.to_string(), rest.join("/")),
        Some((only, _)) if path.trim().trim_start_matches('/').contains('/') => (only.to_string(), String::new()),
        Some((only, _)) => (service.to_string(), only.to_string()),
        None => (service.to_string(), String::new()),
    }
}

/// The base name of a path a user or a browser gave (after the last `/` or
/// `\`): a file name must not add folders to a key.
fn base_name(file_name: &str) -> &str {
    file_name.rsplit(['/', '\\']).next().unwrap_or(file_name)
}

/// The file name made safe for a key and for the script that receives it
/// (the supervisor keeps the base name, §8): ASCII letters, digits, `.`,
/// `-`, `_` kept, anything else `_`; never empty; at most
/// [`MAX_NAME_LEN`] bytes, keeping a short extension.
pub fn safe_name(file_name: &str) -> String {
    let base = base_name(file_name.trim());
    let mut safe: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if safe.trim_matches('.').is_empty() {
        // "", "." and ".." name nothing; a run of dots would read as a path.
        safe = "file".to_string();
    }
    if safe.len() > MAX_NAME_LEN {
        // All ASCII now, so byte slicing is on char boundaries.
        let ext = match safe.rfind('.') {
            Some(i) if i > 0 && safe.len() - i <= 16 => safe[i..].to_string(),
            _ => String::new(),
        };
        safe.truncate(MAX_NAME_LEN - ext.len());
        safe.push_str(&ext);
    }
    safe
}

/// The key of a run's input: `<prefix>/<id>-<safe name>` (no leading '/'
/// when the prefix is empty).
pub fn input_key(prefix: &str, unique_id: &str, file_name: &str) -> String {
    let prefix = prefix.trim_matches('/');
    let unique = format!("{unique_id}-{}", safe_name(file_name));
    if prefix.is_empty() {
        unique
    } else {
        format!("{prefix}/{unique}")
    }
}

/// A short id (8 base-36 characters) from a random number the caller draws.
pub fn unique_id(random: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = random;
    let mut out = [b'0'; 8];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    out.iter().map(|b| char::from(*b)).collect()
}

/// The file name without its directory and last extension (`a.tar.gz` →
/// `a.tar`); a leading dot is not an extension (`.env` → `.env`).
pub fn stem(file_name: &str) -> &str {
    let base = base_name(file_name);
    match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    }
}

/// What identifies a run's outputs. Scripts name outputs after the input
/// (grayify keeps it; others change the extension), so both forms count.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunMarker {
    /// `<id>-<safe name>`, the last segment of the input key.
    pub unique: String,
    /// `<id>-<safe stem>`.
    pub stem: String,
    /// When the upload finished, on the server's clock.
    pub uploaded_unix: i64,
}

impl RunMarker {
    /// The marker of an input uploaded as [`input_key`]`(_, unique_id, file_name)`.
    pub fn new(unique_id: &str, file_name: &str, uploaded_unix: i64) -> Self {
        let safe = safe_name(file_name);
        let stem = format!("{unique_id}-{}", stem(&safe));
        Self { unique: format!("{unique_id}-{safe}"), stem, uploaded_unix }
    }
}

/// Whether an object of the output bucket belongs to this run: it is under
/// `output_prefix` and its name carries the run's unique name or stem, or
/// it appeared since the upload (minus `slack_secs`). There is no link from
/// job to output (§8), so the time rule catches outputs a script renamed.
pub fn output_belongs_to_run(object: &ObjectInfo, output_prefix: &str, marker: &RunMarker, slack_secs: i64) -> bool {
    let prefix = output_prefix.trim_matches('/');
    let rel = if prefix.is_empty() {
        Some(object.key.as_str())
    } else {
        object.key.strip_prefix(prefix).and_then(|r| r.strip_prefix('/'))
    };
    // Folder placeholders ("out/") are not outputs.
    let Some(rel) = rel.filter(|r| !r.is_empty() && !r.ends_with('/')) else {
        return false;
    };
    // An empty marker (e.g. from old storage) would match everything.
    let named = [&marker.unique, &marker.stem].iter().any(|m| m.len() > 1 && rel.contains(m.as_str()));
    let recent = object.last_modified_unix.is_some_and(|t| t >= marker.uploaded_unix.saturating_sub(slack_secs.max(0)));
    named || recent
}

/// The query of a ListObjectsV2 request on `prefix` (as a folder), with
/// the continuation token of the previous page, if any.
pub fn list_query<'a>(prefix: &'a str, continuation: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut q = vec![("list-type", "2"), ("prefix", prefix)];
    if let Some(token) = continuation {
        q.push(("continuation-token", token));
    }
    q
}

/// Polling delays: 500 ms, then ×1.5 each time, capped at 5 s, so a quick
/// job is seen quickly and a long one does not flood the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    next: u32,
}

impl Backoff {
    /// The first delay.
    pub const START_MS: u32 = 500;
    /// The longest delay.
    pub const MAX_MS: u32 = 5000;

    /// A fresh schedule starting at [`Self::START_MS`].
    pub fn new() -> Self {
        Self { next: Self::START_MS }
    }

    /// The delay to wait now; each call returns the next step.
    pub fn next_delay_ms(&mut self) -> u32 {
        let now = self.next.min(Self::MAX_MS);
        self.next = now.saturating_mul(3) / 2;
        now
    }

    /// Starts over (e.g. when something changed and a quick look pays off).
    pub fn reset(&mut self) {
        self.next = Self::START_MS;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

/// The seconds to add to local time to get the server's time.
pub fn clock_skew(server_date_unix: i64, local_unix: i64) -> i64 {
    server_date_unix.saturating_sub(local_unix)
}

/// The body of `POST /system/buckets/{bucket}/presign` (v3.6.4+, §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PresignBody {
    /// The key inside the bucket.
    pub object_key: String,
    /// `upload` or `download`.
    pub operation: String,
    /// Seconds, 1..=604800 (OSCAR answers 400 otherwise).
    pub expires_in: u32,
    /// Sent only for uploads that will carry this Content-Type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

fn optional_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = stringish(d)?;
    Ok(Some(s).filter(|s| !s.trim().is_empty()))
}

/// The answer of the presign endpoint; nulls and unknown fields tolerated.
#[derive(Clone, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct PresignAnswer {
    /// The key, as OSCAR understood it.
    #[serde(deserialize_with = "stringish")]
    pub object_key: String,
    /// `upload` or `download`.
    #[serde(deserialize_with = "stringish")]
    pub operation: String,
    /// `PUT` or `GET`.
    #[serde(deserialize_with = "stringish")]
    pub method: String,
    /// The presigned URL.
    #[serde(deserialize_with = "stringish")]
    pub url: String,
    /// RFC 3339 expiry.
    #[serde(deserialize_with = "optional_string")]
    pub expires_at: Option<String>,
    /// Headers the request must carry.
    #[serde(deserialize_with = "string_map")]
    pub headers: BTreeMap<String, String>,
}

impl PresignAnswer {
    /// Parses the answer; an answer without a URL is an error.
    pub fn parse(body: &str) -> Result<Self, String> {
        let answer: Self =
            serde_json::from_str(body).map_err(|e| format!("the presign answer is not the expected JSON ({e})"))?;
        if !(answer.url.starts_with("http://") || answer.url.starts_with("https://")) {
            return Err("the presign answer has no URL".to_string());
        }
        Ok(answer)
    }
}

/// A run in flight, kept in sessionStorage to reattach after a reload. It
/// holds names and times only: keys and tokens are fetched again.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PendingRun {
    /// The service name.
    pub service: String,
    /// The input bucket.
    pub bucket: String,
    /// The uploaded object's key.
    pub input_key: String,
    /// The output bucket.
    pub output_bucket: String,
    /// The output prefix (no slashes at the ends).
    pub output_prefix: String,
    /// How to recognise the outputs and the job.
    pub marker: RunMarker,
    /// The name the user picked, for display.
    pub file_name: String,
}

impl PendingRun {
    /// Reads a stored run; `None` if unreadable or incomplete.
    pub fn from_json(s: &str) -> Option<Self> {
        let run: Self = serde_json::from_str(s).ok()?;
        let complete = !run.service.is_empty()
            && !run.bucket.is_empty()
            && !run.input_key.is_empty()
            && !run.output_bucket.is_empty()
            && !run.marker.unique.is_empty();
        complete.then_some(run)
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Whether storage keys can sign: not empty and not the `"hidden"` that
/// OSCAR ≥ 3.5 puts in service definitions instead of the real keys (§5).
pub fn usable_keys(access: &str, secret: &str) -> bool {
    let ok = |k: &str| !k.trim().is_empty() && !k.trim().eq_ignore_ascii_case("hidden");
    ok(access) && ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_steps() {
        let mut b = Backoff::new();
        let steps: Vec<u32> = (0..9).map(|_| b.next_delay_ms()).collect();
        assert_eq!(steps, [500, 750, 1125, 1687, 2530, 3795, 5000, 5000, 5000]);
        b.reset();
        assert_eq!(b.next_delay_ms(), 500);
    }

    #[test]
    fn ids_are_eight_base36() {
        assert_eq!(unique_id(0), "00000000");
        assert_eq!(unique_id(35), "0000000z");
        assert_eq!(unique_id(u64::MAX).len(), 8);
    }
}
