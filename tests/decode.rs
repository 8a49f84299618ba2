//! Native tests of output decoding on real files (tests/fixtures/decode/,
//! made once by its generate.py with the Python stdlib, as the FaaS
//! Supervisor would): sniffing, `/run` bodies with supervisor logs
//! (OSCAR-API.md §7), the multi-file ZIP, classification shapes (§10), and
//! hostile input that must never panic (release builds abort on panic).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use oscar_visor::oscar::decode::{decode_run_body, looks_like_base64, sniff, Kind};
use oscar_visor::oscar::labels::{parse_labels, python_literal_to_json, Labels};
use oscar_visor::oscar::zip::{self, ZipError};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/decode/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text_fixture(name: &str) -> String {
    String::from_utf8(fixture(name)).expect("fixture is UTF-8")
}

const KINDS: [(&str, Kind); 25] = [
    ("tiny.png", Kind::Png),
    ("tiny.gif", Kind::Gif),
    ("tone.wav", Kind::Wav),
    ("bundle.zip", Kind::Zip),
    ("doc.pdf", Kind::Pdf),
    ("icon.svg", Kind::Svg),
    ("table.csv", Kind::Csv),
    ("table.tsv", Kind::Tsv),
    ("data.json", Kind::Json),
    ("cowsay.txt", Kind::Text),
    ("deepaas.json", Kind::Json),
    ("plants-ai4os.json", Kind::Json),
    ("plants-python.txt", Kind::Text),
    ("noisy-body.txt", Kind::Text),
    ("zip-body.txt", Kind::Text),
    ("head.mp3", Kind::Mp3),
    ("frame.mp3", Kind::Mp3),
    ("head.ogg", Kind::Ogg),
    ("head.flac", Kind::Flac),
    ("head.mp4", Kind::Mp4),
    ("head.m4a", Kind::Mp4),
    ("head.webm", Kind::Webm),
    ("tiny.bmp", Kind::Bmp),
    ("head.webp", Kind::Webp),
    ("generate.py", Kind::Text),
];

#[test]
fn every_fixture_is_sniffed_right() {
    for (name, kind) in KINDS {
        assert_eq!(sniff(&fixture(name)), kind, "{name}");
    }
}

#[test]
fn every_fixture_round_trips_as_a_base64_body() {
    for (name, kind) in KINDS {
        let bytes = fixture(name);
        // `print(base64)` in the supervisor adds one trailing newline.
        let body = format!("{}\n", STANDARD.encode(&bytes));
        let out = decode_run_body(body.as_bytes());
        assert!(out.was_base64 && out.logs.is_empty(), "{name}");
        assert_eq!(out.bytes, bytes, "{name}");
        assert_eq!(out.detected.kind, kind, "{name}");
    }
}

#[test]
fn supervisor_noisy_body_yields_the_png() {
    let out = decode_run_body(&fixture("noisy-body.txt"));
    // Four log messages; the stray `convert:` line continues the WARNING.
    assert_eq!(out.logs.len(), 4);
    assert!(out.logs[2].contains("WARNING - Script output:\nconvert: profile"));
    assert!(out.was_base64);
    assert_eq!(out.detected.kind, Kind::Png);
    assert_eq!(out.bytes, fixture("tiny.png"));
    // Windows line endings change nothing.
    let crlf = text_fixture("noisy-body.txt").replace('\n', "\r\n");
    let out = decode_run_body(crlf.as_bytes());
    assert_eq!((out.logs.len(), out.detected.kind), (4, Kind::Png));
    assert_eq!(out.bytes, fixture("tiny.png"));
}

#[test]
fn stray_lines_before_base64_join_the_logs() {
    let out = decode_run_body(&fixture("stray-body.txt"));
    assert_eq!(out.logs.len(), 6);
    assert_eq!(out.logs[5], "Done");
    assert!(out.was_base64);
    assert_eq!(out.bytes, fixture("tiny.png"));
}

#[test]
fn multi_file_body_is_the_zip() {
    let out = decode_run_body(&fixture("zip-body.txt"));
    assert_eq!(
        (out.logs.len(), out.was_base64, out.detected.kind),
        (4, true, Kind::Zip)
    );
    assert_eq!(out.bytes, fixture("bundle.zip"));
    assert_eq!(zip::list(&out.bytes).map(|e| e.len()), Ok(3));
}

#[test]
fn plain_stdout_bodies_stay_text() {
    let cowsay = text_fixture("cowsay.txt");
    let out = decode_run_body(cowsay.as_bytes());
    assert_eq!(
        (out.logs.len(), out.was_base64, out.detected.kind),
        (0, false, Kind::Text)
    );
    assert_eq!(out.as_text(), Some(cowsay.trim_end()));
    let logs = "2026-06-10 09:12:03,123 - supervisor - INFO - Executing user_script.sh\n";
    let out = decode_run_body(format!("{logs}{logs}{cowsay}").as_bytes());
    assert_eq!((out.logs.len(), out.was_base64), (2, false));
    assert_eq!(out.as_text(), Some(cowsay.trim_end()));
    let out = decode_run_body(format!("{logs}{}", text_fixture("deepaas.json")).as_bytes());
    assert_eq!(
        (out.logs.len(), out.was_base64, out.detected.kind),
        (1, false, Kind::Json)
    );
    let traceback = "Traceback (most recent call last):\n  File \"/oscar/script.py\", line 3, in <module>\nValueError: bad input\n";
    let out = decode_run_body(format!("{logs}{traceback}").as_bytes());
    assert_eq!((out.was_base64, out.detected.kind), (false, Kind::Text));
}

/// Found by the fuzzer (corpus `run_body/crash-short-letters-only-base64-is-a-word`):
/// the base64 of "2(220)" is `MigyMjAp`, letters only and under 16 characters, which
/// reads as a word. It stays text, as every such word does; the target's invariant
/// now says so too.
#[test]
fn short_letters_only_base64_is_a_word() {
    let out = decode_run_body(b"MigyMjAp\n");
    assert!(!out.was_base64);
    assert_eq!(out.bytes, b"MigyMjAp");
    // With a digit it is base64.
    assert_eq!(decode_run_body(b"MjIwKQ==\n").bytes, b"220)");
}

#[test]
fn words_are_not_base64() {
    let words = [
        "test",
        "Done",
        "abcd",
        "done",
        "true",
        "None",
        "pass",
        "fail",
        "Text",
        "word",
        "null",
        "okay",
        "Good",
        "more",
        "1234",
        "12345678",
        "Finished",
        "Complete",
        "Processed",
        "SUCCESS",
        "ERROR",
        "Hello",
        "cowsay",
        "HelloWorld",
        "abcdefgh",
        "Internationalization",
        "deadbeefdeadbeefdeadbeef",
        "aaaaaaaaaaaaaaaa",
    ];
    for word in words {
        assert_eq!(looks_like_base64(word), None, "{word}");
        let out = decode_run_body(format!("{word}\n").as_bytes());
        assert!(!out.was_base64, "{word}");
        assert_eq!(out.bytes, word.as_bytes(), "{word}");
    }
}

#[test]
fn zip_lists_and_reads_back_originals() {
    let z = fixture("bundle.zip");
    let entries = zip::list(&z).expect("lists");
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["img_gray.png", "img_metrics.json", "img_table.csv"]);
    assert_eq!(
        entries.iter().map(|e| e.method).collect::<Vec<_>>(),
        [0, 8, 8]
    );
    let expected = [
        fixture("tiny.png"),
        fixture("data.json"),
        fixture("table.csv").repeat(20),
    ];
    for (entry, want) in entries.iter().zip(&expected) {
        assert!(!entry.is_dir && !entry.has_unsafe_path());
        assert_eq!(entry.size, want.len() as u64);
        assert_eq!(
            zip::read(&z, entry, 1 << 20).as_ref(),
            Ok(want),
            "{}",
            entry.name
        );
        assert_eq!(
            sniff(want),
            sniff(&zip::read(&z, entry, 1 << 20).unwrap_or_default())
        );
    }
    // The CSV inflates to more than it occupies: the limit is on the output.
    assert!(entries[2].compressed_size < entries[2].size);
    assert!(matches!(zip::read(&z, &entries[2], 100), Err(ZipError::TooLarge { limit: 100, .. })));
}

/// Offset of the first local header's data (fixture names are ASCII, no extra).
fn first_data_offset(z: &[u8]) -> usize {
    30 + usize::from(u16::from_le_bytes([z[26], z[27]]))
        + usize::from(u16::from_le_bytes([z[28], z[29]]))
}

fn eocd(z: &[u8]) -> usize {
    z.windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .expect("eocd")
}

fn first_cd(z: &[u8]) -> usize {
    z.windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory")
}

#[test]
fn zip_crc_mismatch_is_detected() {
    let mut z = fixture("bundle.zip");
    let at = first_data_offset(&z) + 20;
    z[at] ^= 0x55;
    let entries = zip::list(&z).expect("still lists");
    assert_eq!(
        zip::read(&z, &entries[0], 1 << 20),
        Err(ZipError::Corrupt("CRC-32 mismatch".into()))
    );
    // Damaging deflated data is reported too (bad stream, size or CRC).
    let mut z = fixture("bundle.zip");
    let entries = zip::list(&z).expect("lists");
    let second = z
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x03\x04")
        .nth(1)
        .map(|(i, _)| i)
        .expect("2nd");
    let data = second + 30 + "img_metrics.json".len();
    for b in &mut z[data..data + 8] {
        *b ^= 0xA5;
    }
    assert!(matches!(
        zip::read(&z, &entries[1], 1 << 20),
        Err(ZipError::Corrupt(_))
    ));
}

#[test]
fn zip_hostile_headers_fail_cleanly() {
    let z = fixture("bundle.zip");
    let e = eocd(&z);
    // Central directory pointing out of bounds.
    let mut bad = z.clone();
    bad[e + 16..e + 20].copy_from_slice(&0x7FFF_0000u32.to_le_bytes());
    assert_eq!(zip::list(&bad), Err(ZipError::Truncated));
    // Directory claiming more entries than it holds.
    let mut bad = z.clone();
    bad[e + 10..e + 12].copy_from_slice(&500u16.to_le_bytes());
    assert!(zip::list(&bad).is_err());
    // ZIP64 markers.
    let mut bad = z.clone();
    bad[e + 16..e + 20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(zip::list(&bad), Err(ZipError::Unsupported(_))));
    // A huge declared uncompressed size (zip bomb header) is refused up front.
    let cd = first_cd(&z);
    let mut bad = z.clone();
    bad[cd + 24..cd + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let entries = zip::list(&bad).expect("lists");
    assert_eq!(entries[0].size, 0xFFFF_FFF0);
    assert!(matches!(zip::read(&bad, &entries[0], 64 << 20), Err(ZipError::TooLarge { .. })));
    // A lying small size on a deflated entry stops inflation early.
    let second_cd = cd + 46 + "img_gray.png".len();
    let mut bad = z.clone();
    bad[second_cd + 24..second_cd + 28].copy_from_slice(&3u32.to_le_bytes());
    let entries = zip::list(&bad).expect("lists");
    assert!(matches!(
        zip::read(&bad, &entries[1], 64 << 20),
        Err(ZipError::Corrupt(_))
    ));
    // Local header offset out of bounds.
    let mut bad = z.clone();
    bad[cd + 42..cd + 46].copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
    let entries = zip::list(&bad).expect("lists");
    assert_eq!(
        zip::read(&bad, &entries[0], 1 << 20),
        Err(ZipError::Truncated)
    );
    // Unknown method.
    let mut bad = z.clone();
    bad[cd + 10] = 14;
    let entries = zip::list(&bad).expect("lists");
    assert!(matches!(
        zip::read(&bad, &entries[0], 1 << 20),
        Err(ZipError::Unsupported(_))
    ));
    assert_eq!(zip::list(&fixture("tiny.png")), Err(ZipError::NotZip));
}

#[test]
fn zip_every_truncation_fails_cleanly() {
    let z = fixture("bundle.zip");
    for cut in 0..z.len() {
        let part = &z[..cut];
        match zip::list(part) {
            Ok(entries) => entries
                .iter()
                .for_each(|e| drop(zip::read(part, e, 1 << 20))),
            Err(err) => assert!(!err.to_string().is_empty()),
        }
    }
    assert_eq!(zip::list(&z[..z.len() - 1]), Err(ZipError::Truncated));
}

fn assert_sorted(labels: &Labels) {
    assert!(labels.entries.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(labels
        .entries
        .iter()
        .all(|e| (0.0..=1.0).contains(&e.score)));
}

fn top_of(text: &str) -> (String, f64, usize) {
    let labels = parse_labels(text).unwrap_or_else(|| panic!("labels in {text}"));
    assert_sorted(&labels);
    let top = labels.entries.first().expect("top");
    (top.label.clone(), top.score, labels.entries.len())
}

#[test]
fn every_label_shape_parses() {
    assert_eq!(
        top_of(&text_fixture("deepaas.json")),
        ("Rosa canina".into(), 0.61, 3)
    );
    assert_eq!(
        top_of(&text_fixture("plants-python.txt")),
        ("Rosa canina".into(), 0.61, 3)
    );
    assert_eq!(
        top_of(&text_fixture("plants-ai4os.json")),
        ("Taraxacum officinale".into(), 0.8, 3)
    );
    let cases = [
        (r#"{"predictions":{"labels":["a","b"],"probabilities":[0.3,0.7]}}"#, "b", 0.7),
        (r#"{"status":"ok","predictions":[{"label":"a","probability":0.2},{"label":"b","probability":0.8}]}"#, "b", 0.8),
        (r#"{"predictions":{"status":"ok","predictions":[{"class":"a","score":0.9}]}}"#, "a", 0.9),
        (r#"[{"name":"a","confidence":0.4},{"name":"b","confidence":0.6}]"#, "b", 0.6),
        (r#"{"predictions":[{"labels":["a","b"],"probabilities":[0.1,0.9]}]}"#, "b", 0.9),
        (r#"{"cat": 0.2, "dog": 0.8}"#, "dog", 0.8),
        (r#"{"labels":["a","b"],"probabilities":[25,75]}"#, "b", 0.75),
        ("{'cat': 0.2, 'dog': 0.8,}", "dog", 0.8),
        ("[('label', 0.5)]", "", 0.0),
        ("{'predictions': ({'label': 'x', 'prob': 1e-1}, {'label': 'y', 'prob': 9E-1},)}", "y", 0.9),
        ("Prediction done\n{'status': 'ok', 'predictions': [{'label': 'Rosa', 'probability': 0.5}]}\n", "Rosa", 0.5),
    ];
    for (text, label, score) in cases {
        if label.is_empty() {
            assert_eq!(parse_labels(text), None, "{text}");
            continue;
        }
        let (top, s, _) = top_of(text);
        assert_eq!((top.as_str(), s), (label, score), "{text}");
    }
    // A decoded output file goes straight to the label view.
    let body = format!("{}\n", STANDARD.encode(fixture("plants-python.txt")));
    let out = decode_run_body(body.as_bytes());
    assert_eq!(
        out.as_text()
            .and_then(parse_labels)
            .map(|l| l.entries.len()),
        Some(3)
    );
    assert_eq!(parse_labels(&text_fixture("data.json")), None);
    assert_eq!(parse_labels(&text_fixture("cowsay.txt")), None);
    assert_eq!(parse_labels(&text_fixture("table.csv")), None);
}

/// Deterministic xorshift64 so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn everything(bytes: &[u8]) {
    let _ = sniff(bytes);
    let out = decode_run_body(bytes);
    let _ = out.detected.kind.label();
    if let Ok(entries) = zip::list(bytes) {
        entries
            .iter()
            .for_each(|e| drop(zip::read(bytes, e, 1 << 16)));
    }
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_labels(&text);
    let _ = python_literal_to_json(&text);
    let _ = looks_like_base64(&text);
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for len in (0..600).chain([1024, 4096, 65_600]) {
        let mut bytes = rng.bytes(len);
        everything(&bytes);
        // Same noise behind each magic signature, so the deeper parsers run.
        for magic in [
            &b"PK\x03\x04"[..],
            b"PK\x05\x06",
            b"RIFF",
            b"BM",
            b"\xff\xfb",
            b"<svg ",
            b"{",
            b"2026-06-10 09:12:03,123 - s - INFO - ",
        ] {
            let n = magic.len().min(bytes.len());
            bytes[..n].copy_from_slice(&magic[..n]);
            everything(&bytes);
        }
    }
}

#[test]
fn mutated_zips_never_panic() {
    let z = fixture("bundle.zip");
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let mut bad = z.clone();
        for _ in 0..=(rng.next() % 4) {
            let at = (rng.next() % bad.len() as u64) as usize;
            bad[at] = rng.next() as u8;
        }
        if let Ok(entries) = zip::list(&bad) {
            entries
                .iter()
                .for_each(|e| drop(zip::read(&bad, e, 1 << 20)));
        }
    }
}

#[test]
fn token_soup_never_panics() {
    let tokens = [
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ",",
        ":",
        "'",
        "\"",
        "\\",
        "\\x",
        "\\u12",
        "u'",
        "'a'",
        "\"b\"",
        "1",
        "-2.5e",
        "1e309",
        "nan",
        "True",
        "None",
        "np.float32(",
        "label",
        "probability",
        "predictions",
        "labels",
        "probabilities",
        "0.5",
        "150",
        " ",
        "\n",
        "é",
        "SGk=",
        "\u{feff}",
    ];
    let mut rng = Rng(7);
    for len in 0..3000 {
        let text: String = (0..len % 60).map(|_| rng.pick(&tokens)).collect();
        everything(text.as_bytes());
    }
    everything("{'a': ".repeat(10_000).as_bytes());
    everything("[".repeat(100_000).as_bytes());
    everything(
        "2026-06-10 09:12:03,123 - s - INFO - x\n"
            .repeat(5000)
            .as_bytes(),
    );
}

/// Found by fuzzing (fuzz/corpus/run_body/crash-zero-run-binary-…): a binary
/// file with long zero runs encodes to letters-only base64, which was taken
/// for a word and shown as text. Mixed-case letters of 64 or more are base64.
#[test]
fn letters_only_base64_of_a_binary_file_is_still_decoded() {
    let mut bytes = b"AfLaC".to_vec();
    bytes.extend_from_slice(&[0, 0, 0, 0x22]);
    bytes.extend_from_slice(&[0; 48]);
    let body = format!("{}\n", STANDARD.encode(&bytes));
    assert!(body.trim_end().bytes().all(|b| b.is_ascii_alphabetic()), "the case needs letters-only base64: {body}");
    let out = decode_run_body(body.as_bytes());
    assert!(out.was_base64 && out.bytes == bytes, "decoded: {:?}", out.was_base64);
    // Long one-case words and hex digests stay text.
    for word in ["a".repeat(64), "ABCD".repeat(20), "0123456789abcdef".repeat(4)] {
        assert!(!decode_run_body(format!("{word}\n").as_bytes()).was_base64, "{word}");
    }
}
