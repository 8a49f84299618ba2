//! The fuzz targets: one function per decoder of untrusted bytes, each with
//! the invariants that must hold for any input. `fuzz/` runs them under
//! libFuzzer (`scripts/fuzz.sh`); `tests/fuzz_corpus.rs` replays the committed
//! corpus through the same functions on stable, so CI guards every case the
//! fuzzer found. Native only: none of this is in the wasm.
//!
//! A target panics when an invariant breaks, which is what the fuzzer
//! reports. Memory is bounded by [`CountingAlloc`] through [`bounded`].

use crate::interface::listing::{escape_html, ServiceCard};
use crate::interface::spec::{
    self, detect_spec, parse_ro_crate, parse_spec, render_body, resolve, to_fdl_annotation, to_json,
    zip_rule_for, ANNOTATION_KEY,
};
use crate::interface::{batch, outputs, table};
use crate::oscar::config::ClusterConfig;
use crate::oscar::endpoint::Endpoint;
use crate::oscar::service::{Service, ServiceList};
use crate::oscar::siteconfig::SiteConfig;
use crate::oscar::{decode, jobs, labels, s3, sigv4, zip};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most memory one call may hold at its peak, on top of what was live
/// when it started.
pub const MEMORY_BOUND: usize = 64 * 1024 * 1024;

/// Every target by name, as `fuzz/fuzz_targets/<name>.rs` and the corpus
/// folders `fuzz/corpus/<name>/` call them.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("run_body", run_body),
    ("labels", labels_target),
    ("zip", zip_target),
    ("s3", s3_target),
    ("jobs", jobs_target),
    ("services", services),
    ("config", config),
    ("spec", spec_target),
    ("ro_crate", ro_crate),
    ("table", table_target),
    ("sigv4", sigv4_target),
    ("endpoint", endpoint),
    ("batch", batch_target),
];

/// The target of a name.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Wraps the system allocator and keeps the live and peak byte counts, so a
/// target can check its own peak. Install it with `#[global_allocator]`.
pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn note_grow(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note_grow(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note_grow(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                note_grow(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Runs `f` and returns the most memory it held at once beyond what was live
/// before it (0 when [`CountingAlloc`] is not the global allocator). Counts
/// are process-wide: call it from one thread at a time.
pub fn peak_of(f: impl FnOnce()) -> usize {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed).saturating_sub(start)
}

/// Runs a target on one input and panics if it held more than
/// [`MEMORY_BOUND`] at once.
pub fn bounded(target: fn(&[u8]), data: &[u8]) {
    let peak = peak_of(|| target(data));
    assert!(peak <= MEMORY_BOUND, "held {peak} bytes at once (bound {MEMORY_BOUND})");
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Splits an input into `N` text fields at `\u{1}` (missing fields are empty),
/// for targets that take several strings.
fn fields<const N: usize>(data: &[u8]) -> [String; N] {
    let t = text(data);
    let mut parts = t.splitn(N, '\u{1}');
    std::array::from_fn(|_| parts.next().unwrap_or_default().to_string())
}

/// `/run` bodies, the default view of what they hold, and the base64 round trip.
pub fn run_body(data: &[u8]) {
    let out = decode::decode_run_body(data);
    let _ = outputs::default_view(out.detected.kind, &out.bytes);
    let (head, cut) = outputs::text_head(&out.bytes, outputs::TEXT_SHOWN_CAP);
    assert!(head.len() <= outputs::TEXT_SHOWN_CAP && (cut || head.len() == out.bytes.len()));
    let (tail, dropped) = outputs::tail(&out.logs, outputs::LOG_TAIL_LINES);
    assert_eq!(tail.len() + dropped, out.logs.len());
    let _ = decode::human_size(data.len() as u64);
    // Any file printed as base64 by the supervisor comes back byte for byte.
    if !data.is_empty() {
        use base64::Engine;
        let body = format!("{}\n", base64::engine::general_purpose::STANDARD.encode(data));
        let back = decode::decode_run_body(body.as_bytes());
        // The documented exception: base64 that could be a word or a digest
        // of bytes that are not recognisable stays text.
        let b64 = body.trim_end().as_bytes();
        // And under 16 characters, letters only ("Done", "test") is always a word.
        let short_word = b64.len() < 16 && b64.iter().all(u8::is_ascii_alphabetic);
        let excused = short_word || (decode::base64_needs_evidence(b64) && decode::sniff(data) == decode::Kind::Binary);
        if !excused {
            assert!(back.was_base64, "base64 of {} bytes not seen as base64", data.len());
            assert_eq!(back.bytes, data, "base64 round trip");
        }
    }
}

/// Label outputs, JSON or Python literals: scores in 0..=1, best first.
pub fn labels_target(data: &[u8]) {
    let t = text(data);
    if let Some(found) = labels::parse_labels(&t) {
        assert!(found.entries.iter().all(|e| (0.0..=1.0).contains(&e.score)), "a score outside 0..=1");
        assert!(found.entries.windows(2).all(|w| w[0].score >= w[1].score), "not sorted best first");
    }
    let _ = labels::python_literal_to_json(&t);
}

/// ZIP outputs: the listing, and every entry read within the app's caps.
pub fn zip_target(data: &[u8]) {
    let Ok(entries) = zip::list(data) else { return };
    let mut kept: Vec<(usize, u64)> = Vec::new();
    for (i, entry) in entries.iter().enumerate().take(64) {
        let _ = (entry.file_name(), entry.has_unsafe_path(), entry.is_encrypted());
        if let Ok(bytes) = zip::read(data, entry, zip::ENTRY_CAP) {
            assert_eq!(bytes.len() as u64, entry.size, "read size differs from the declared one");
            kept = zip::admit(&kept, (i, bytes.len() as u64));
            assert!(kept.iter().map(|(_, n)| n).sum::<u64>() <= zip::KEPT_CAP.max(bytes.len() as u64));
        }
    }
}

/// S3 answers: listings, errors, dates and entities.
pub fn s3_target(data: &[u8]) {
    let t = text(data);
    let _ = s3::parse_list_objects_v2(&t);
    let _ = s3::parse_error(&t);
    let status = data.first().map_or(500, |b| 400 + u16::from(*b));
    let _ = s3::classify(status, &t).to_string();
    let _ = s3::decode_entities(&t);
    for line in t.lines().take(16) {
        let _ = s3::parse_http_date(line);
        if let Some(unix) = s3::parse_rfc3339(line) {
            let again = s3::format_rfc3339(unix);
            assert_eq!(s3::parse_rfc3339(&again), Some(unix), "{again} does not parse back");
        }
    }
}

/// Job lists, and matching a run to its job.
pub fn jobs_target(data: &[u8]) {
    let [body, service] = fields::<2>(data);
    let Ok(page) = jobs::parse_job_list(&body) else { return };
    for job in page.jobs.iter().take(64) {
        let _ = jobs::is_job_of(&job.name, &service);
    }
    let _ = jobs::job_name_prefix(&service);
    let claimed: Vec<String> = page.jobs.iter().take(2).map(|j| j.name.clone()).collect();
    if let Some(job) = jobs::job_of_run(&page.jobs, &service, 0, 30, None, &claimed) {
        assert!(!claimed.contains(&job.name), "a claimed job was matched again");
    }
}

/// Service lists, and the card markup that goes into `innerHTML`.
pub fn services(data: &[u8]) {
    let t = text(data);
    let Ok(list) = ServiceList::parse(&t) else { return };
    let Ok(config) = ClusterConfig::parse(r#"{"config":{"serverless_backend":"knative"},"minio_provider":null}"#) else {
        panic!("the fixed cluster config does not parse")
    };
    for service in list.services.iter().take(64) {
        let card = ServiceCard::new(service, &config);
        let markup = card.markup(&crate::routes::service(service.name.as_str()));
        // Whatever the name holds, it is text in the card, never markup.
        assert!(markup.contains(&escape_html(service.name.as_str())));
        assert_eq!(markup.matches('<').count(), ServiceCard::new(&plain(service), &config).markup("/").matches('<').count());
    }
}

/// The service with every shown field replaced by plain text of no markup.
fn plain(service: &Service) -> Service {
    let mut s = service.clone();
    if let Some(x) = crate::oscar::service::ServiceName::parse("x") {
        s.name = x;
    }
    for f in [&mut s.image, &mut s.cpu, &mut s.memory, &mut s.owner, &mut s.visibility] {
        *f = if f.is_empty() { String::new() } else { "x".into() };
    }
    s
}

/// Cluster `/system/config` and the site's `config.json`.
pub fn config(data: &[u8]) {
    let t = text(data);
    if let Ok(c) = ClusterConfig::parse(&t) {
        let _ = (c.supports_sync(), c.display_name());
    }
    let (site, warning) = SiteConfig::parse(&t);
    if serde_json::from_str::<serde_json::Value>(&t).is_err() {
        assert!(warning.is_some() && site == SiteConfig::default(), "a broken config.json changed settings unwarned");
    }
    assert!(!site.fixed_endpoint || site.endpoint.is_some(), "a fixed endpoint without an endpoint");
    assert!(site.embed_origins.iter().all(|o| o.starts_with("https://") || o.starts_with("http://")));
    let _ = site.allows_parent("http://127.0.0.1:1");
}

/// Interface specs: parse, write → parse, render with the defaults, the
/// annotation and `interfaces.json` paths of resolve.
pub fn spec_target(data: &[u8]) {
    let t = text(data);
    match parse_spec(&t) {
        Ok(s) => {
            let written = to_json(&s);
            let again = parse_spec(&written).unwrap_or_else(|e| panic!("written spec does not parse: {e:?}\n{written}"));
            assert_eq!(again, s, "parse(write(s)) != s");
            assert_eq!(to_json(&again), written, "writing is not stable");
            let _ = to_fdl_annotation(&s);
            let _ = s.notes();
            if let spec::Encoding::Template(t) = &s.encoding {
                let _ = t.placeholders();
            }
            let _ = render_body(&s, &s.default_values());
            for out in &s.outputs {
                let _ = zip_rule_for(&out.entries, &s.title);
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.len() <= spec::MAX_ERRORS + 1, "{} problems reported", errors.len());
            for e in &errors {
                assert!(e.path.chars().count() <= spec::MAX_PATH_CHARS, "a path of {} chars", e.path.chars().count());
            }
        }
    }
    let service = service_with_annotation(&t);
    let r = resolve(&service, None, None, None);
    assert!(r.problems.iter().all(|(_, errs)| errs.len() <= spec::MAX_ERRORS + 1));
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&t) {
        let operator = serde_json::json!({ "services": { "svc": value } });
        let _ = resolve(&service_with_annotation(""), None, Some(&operator), None);
    }
}

fn service_with_annotation(annotation: &str) -> Service {
    let value = serde_json::json!({ "name": "svc", "annotations": { ANNOTATION_KEY: annotation } });
    match Service::from_value(value) {
        Ok(s) => s,
        Err(e) => panic!("the fixed service does not decode: {e}"),
    }
}

/// RO-Crate metadata from OSCAR Hub, and the spec detected with its hints.
pub fn ro_crate(data: &[u8]) {
    let t = text(data);
    let hints = parse_ro_crate(&t);
    let s = detect_spec(&service_with_annotation(""), hints.as_ref());
    let written = to_json(&s);
    assert_eq!(parse_spec(&written).ok(), Some(s), "a detected spec does not round-trip:\n{written}");
}

/// CSV and TSV tables: written tables read back as they were.
pub fn table_target(data: &[u8]) {
    let t = text(data);
    let delimiter = table::guess_delimiter(&t);
    let rows = table::parse(&t, delimiter, 1000);
    assert!(rows.len() <= 1000);
    let csv = table::to_csv(&rows);
    let back = table::parse(&csv, ',', 1000);
    assert_eq!(back, rows, "to_csv then parse changed the table:\n{csv:?}");
}

/// SigV4: key and path encoding, endpoint parsing and presigning.
pub fn sigv4_target(data: &[u8]) {
    let [key, endpoint, bucket] = fields::<3>(data);
    for keep_slash in [false, true] {
        let enc = sigv4::uri_encode(&key, keep_slash);
        assert!(
            enc.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b) || (keep_slash && b == b'/')),
            "{enc:?} keeps a reserved byte"
        );
        assert_eq!(percent_decode(&enc), key.as_bytes(), "uri_encode does not decode back");
    }
    let _ = sigv4::parse_endpoint(&endpoint);
    let _ = sigv4::path_style_uri("", &bucket, &key);
    let creds = sigv4::S3Credentials {
        access_key: "AKIDEXAMPLE".into(),
        secret_key: "secret".into(),
        region: String::new(),
    };
    let req = sigv4::PresignRequest {
        method: "PUT",
        endpoint: &endpoint,
        bucket: &bucket,
        key: &key,
        query: &[("prefix", key.as_str())],
        now_unix: i64::from(data.first().copied().unwrap_or(0)) * 86_400 * 365,
        expires_secs: 3600,
        signed_headers: &[],
    };
    if let Ok(url) = sigv4::presign(&req, &creds) {
        assert!(!url.contains("secret"), "the secret key is in a URL");
        assert!(url.contains("X-Amz-Signature="));
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(hex.unwrap_or(b'%'));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// The login endpoint, and the routes read from the address bar.
pub fn endpoint(data: &[u8]) {
    let [typed, path] = fields::<2>(data);
    if let Ok(e) = Endpoint::parse(&typed) {
        assert!(!e.as_str().ends_with('/') && !e.as_str().contains(char::is_whitespace));
        assert_eq!(Endpoint::parse(e.as_str()).as_ref(), Ok(&e), "a parsed endpoint parses again the same");
        let _ = e.url("/system/config");
    }
    if let Some(next) = crate::routes::safe_next(&path) {
        assert!(next.starts_with('/') && !next.starts_with("//"), "{next:?} could leave the app");
    }
    let base = crate::routes::detect_base(&path);
    let _ = crate::routes::strip_base(&path, &base);
    let _ = crate::routes::encode_component(&path);
    let _ = crate::routes::login_then(&path);
}

/// Batch runs (`interface::batch`): the row summary of any output, output
/// keys and job logs matched back to their item, result names, the saved
/// state a reload parses, and "One input per line".
pub fn batch_target(data: &[u8]) {
    let summary = batch::summarize(data);
    assert!(summary.line.chars().count() <= batch::SUMMARY_CHARS * 2, "a row summary of {} characters", summary.line.chars().count());
    let [id, key, name] = fields::<3>(data);
    let _ = batch::item_of_output(&key, &id);
    let _ = batch::item_of_logs(&key, &id);
    let result = batch::result_name(&name, &key, &id);
    assert!(!result.is_empty() && !result.contains('/'), "a result name {result:?} makes folders");
    // An id the app makes, and any index: the key it uploads leads back to the item.
    let made = batch::batch_id(data.len() as u64 * 7919);
    let index = data.len() % batch::MAX_ITEMS;
    let input = batch::input_key(&key, &made, index, &name);
    let output = format!("out/{}", input.rsplit('/').next().unwrap_or_default());
    assert_eq!(batch::item_of_output(&output, &made), Some(index), "{input} does not lead back to item {index}");
    if let Some(saved) = batch::SavedBatch::parse(&text(data)) {
        let reloaded = saved.reloaded();
        assert!(!reloaded.sync || reloaded.items.iter().all(|i| !matches!(i.status, batch::Status::Queued | batch::Status::Uploading | batch::Status::Waiting)));
    }
    let _ = batch::split_lines(&text(data), data.first().is_some_and(|b| b & 1 == 1));
    let _ = batch::summary_csv(&[batch::SummaryRow {
        input: name,
        status: "done",
        seconds: None,
        output: key,
        label: Some(id),
        score: None,
        error: String::new(),
    }]);
}
