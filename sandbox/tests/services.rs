//! The demo services over real HTTP: `/run/<service>` with the service token and real input
//! files from `oscar_sandbox::fixtures`, results decoded and checked.

mod common;

use common::{b64, basic, get_auth, req, run, start, unb64};
use oscar_sandbox::{fixtures, Options, Sandbox};
use serde_json::Value;
use std::io::Cursor;

async fn sandbox() -> Sandbox {
    start(Options::default()).await
}

/// `(name, bytes)` of every entry of a stored ZIP, found through its central directory.
fn unzip(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
    let u32_at =
        |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]) as usize;
    let eocd = zip.len() - 22;
    assert_eq!(
        &zip[eocd..eocd + 4],
        b"PK\x05\x06",
        "end of central directory"
    );
    let count = u16_at(eocd + 10);
    let mut at = u32_at(eocd + 16);
    let mut files = Vec::new();
    for _ in 0..count {
        assert_eq!(&zip[at..at + 4], b"PK\x01\x02", "central directory entry");
        let method = u16_at(at + 10);
        let crc = u32_at(at + 16) as u32;
        let size = u32_at(at + 20);
        let name_len = u16_at(at + 28);
        let extra = u16_at(at + 30);
        let comment = u16_at(at + 32);
        let local = u32_at(at + 42);
        let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).expect("name");
        assert_eq!(method, 0, "stored");
        assert_eq!(&zip[local..local + 4], b"PK\x03\x04", "local header");
        let data_at = local + 30 + u16_at(local + 26) + u16_at(local + 28);
        let data = zip[data_at..data_at + size].to_vec();
        assert_eq!(crc32fast::hash(&data), crc, "CRC of {name}");
        files.push((name, data));
        at += 46 + name_len + extra + comment;
    }
    files
}

/// (width, height, color type) of a PNG, decoded with the png crate.
fn png_info(bytes: &[u8]) -> (u32, u32, png::ColorType) {
    let reader = png::Decoder::new(Cursor::new(bytes))
        .read_info()
        .expect("valid PNG");
    let info = reader.info();
    (info.width, info.height, info.color_type)
}

/// The last line of a body (the base64 payload after any log lines).
fn last_line(text: &str) -> &str {
    text.trim_end_matches('\n')
        .rsplit('\n')
        .next()
        .unwrap_or("")
}

fn is_log_line(l: &str) -> bool {
    // 2026-06-10 09:12:03,123 - supervisor - INFO - ...
    let b = l.as_bytes();
    b.len() > 26 && b[4] == b'-' && b[10] == b' ' && b[19] == b',' && l[23..].starts_with(" - ")
}

#[tokio::test]
async fn plants_sync_labels_differ_by_colour() {
    let sb = sandbox().await;
    let mut tops = Vec::new();
    for (rgb, jpeg) in [
        ([220, 30, 40], false),
        ([40, 170, 60], false),
        ([220, 30, 40], true),
    ] {
        let img = if jpeg {
            fixtures::jpeg(40, 30, rgb)
        } else {
            fixtures::png(40, 30, rgb)
        };
        let r = run(
            &sb,
            "plants-classification-sync",
            None,
            b64(&img).as_bytes(),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.text().ends_with('\n'));
        let v: Value = serde_json::from_slice(&unb64(&r.text())).expect("JSON output.json");
        let labels = v["labels"].as_array().expect("labels");
        let probs = v["probabilities"].as_array().expect("probabilities");
        assert_eq!(labels.len(), 5);
        assert_eq!(probs.len(), 5);
        let sum: f64 = probs.iter().filter_map(Value::as_f64).sum();
        assert!(sum > 0.0 && sum <= 1.0, "{sum}");
        tops.push(labels[0].as_str().expect("label").to_string());
    }
    assert_ne!(
        tops[0], tops[1],
        "red and green images get different top labels"
    );
    assert_eq!(tops[0], tops[2], "PNG and JPEG of the same colour agree");

    let r = run(
        &sb,
        "plants-classification-sync",
        None,
        b64(b"GIF89a....").as_bytes(),
    )
    .await;
    // deepaas-cli exits 1, so the watchdog answers 500 with the output.
    assert_eq!(r.status, 500);
    assert!(
        r.text().starts_with("exit status 1") && r.text().contains("PIL.UnidentifiedImageError"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn plants_deepaas_python_dict() {
    let sb = sandbox().await;
    let img = fixtures::png(24, 24, [235, 200, 40]);
    let r = run(
        &sb,
        "plants-classification",
        Some("text/plain"),
        b64(&img).as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200);
    let out = String::from_utf8(unb64(&r.text())).expect("text");
    assert!(
        out.starts_with("{'status': 'ok', 'predictions': [{'label': '"),
        "{out}"
    );
    assert!(out.ends_with("}]}\n"));
    assert_eq!(out.matches("'label_id': ").count(), 5);
    assert_eq!(
        out.matches("'probability': 0.").count(),
        5,
        "Python floats: 0.0, not 0"
    );
}

#[tokio::test]
async fn imagemagick_zip_of_three() {
    let sb = sandbox().await;
    let r = run(
        &sb,
        "imagemagick",
        None,
        b64(&fixtures::png_gradient(64, 48)).as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200);
    let zip = unb64(&r.text());
    assert!(zip.starts_with(b"PK\x03\x04"));
    let files = unzip(&zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["input_gray.png", "input_edges.png", "input_metrics.json"]
    );
    assert_eq!(png_info(&files[0].1), (64, 48, png::ColorType::Grayscale));
    assert_eq!(png_info(&files[1].1), (64, 48, png::ColorType::Grayscale));
    let m: Value = serde_json::from_slice(&files[2].1).expect("metrics JSON");
    assert_eq!(m["width"], 64);
    assert_eq!(m["height"], 48);
    let mean = m["mean_luma"].as_f64().expect("mean_luma");
    assert!(mean > 10.0 && mean < 245.0, "{mean}");
    let density = m["edge_density"].as_f64().expect("edge_density");
    assert!(density > 0.0 && density < 0.5, "{density}");

    // A solid JPEG: no edges.
    let r = run(
        &sb,
        "imagemagick",
        None,
        b64(&fixtures::jpeg(16, 16, [90, 90, 90])).as_bytes(),
    )
    .await;
    let files = unzip(&unb64(&r.text()));
    let m: Value = serde_json::from_slice(&files[2].1).expect("metrics JSON");
    assert_eq!(m["edge_density"], 0.0);
    assert_eq!(png_info(&files[0].1).0, 16);

    // Not an image: ImageMagick's complaint, still 200.
    let r = run(&sb, "imagemagick", None, b64(b"hello").as_bytes()).await;
    assert_eq!(r.status, 200);
    assert!(
        r.text().starts_with("convert: no decode delegate"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn grayify_logs_then_png() {
    let sb = sandbox().await;
    let r = run(
        &sb,
        "grayify",
        None,
        b64(&fixtures::png(10, 7, [10, 200, 30])).as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200);
    let text = r.text();
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert!(lines.len() > 5);
    assert!(
        lines[..lines.len() - 1].iter().all(|l| is_log_line(l)),
        "{text}"
    );
    assert!(text.contains(" - supervisor - INFO - Received input event\n"));
    assert!(!text.contains(" - DEBUG - "), "INFO hides DEBUG");
    let png = unb64(last_line(&text));
    assert_eq!(png_info(&png), (10, 7, png::ColorType::Grayscale));
}

fn wav_data_len(wav: &[u8]) -> usize {
    assert_eq!(&wav[0..4], b"RIFF");
    assert_eq!(&wav[8..12], b"WAVE");
    assert_eq!(u16::from_le_bytes([wav[20], wav[21]]), 1, "PCM");
    assert_eq!(u16::from_le_bytes([wav[22], wav[23]]), 1, "mono");
    assert_eq!(
        u32::from_le_bytes([wav[24], wav[25], wav[26], wav[27]]),
        16_000
    );
    assert_eq!(u16::from_le_bytes([wav[34], wav[35]]), 16, "16-bit");
    assert_eq!(&wav[36..40], b"data");
    let n = u32::from_le_bytes([wav[40], wav[41], wav[42], wav[43]]) as usize;
    assert_eq!(wav.len(), 44 + n);
    n
}

#[tokio::test]
async fn text_to_speech_wav_scales_with_text() {
    let sb = sandbox().await;
    let short = run(&sb, "text-to-speech", None, b64(b"Hello").as_bytes()).await;
    let long = run(
        &sb,
        "text-to-speech",
        None,
        b64(b"HelloHelloHello").as_bytes(),
    )
    .await;
    assert_eq!(short.status, 200);
    let a = wav_data_len(&unb64(&short.text()));
    let b = wav_data_len(&unb64(&long.text()));
    assert_eq!(a, 5 * 1200 * 2, "75 ms per character at 16 kHz");
    assert_eq!(b, 3 * a);
    let spaced = run(&sb, "text-to-speech", None, b64(b"Hi there.").as_bytes()).await;
    assert_eq!(
        wav_data_len(&unb64(&spaced.text())),
        (7 * 1200 + 960 + 4160) * 2
    );
    let empty = run(&sb, "text-to-speech", None, b64(b"  \n").as_bytes()).await;
    assert_eq!(empty.status, 200);
    assert!(empty
        .text()
        .starts_with("Traceback (most recent call last):"));

    let k = |speed: f64| {
        serde_json::json!({"model":"af_bella","language":"en-gb","message":"Hello there",
                           "config":{"speed":speed,"volume":3.1,"output":"wav"}})
        .to_string()
    };
    let k1 = run(
        &sb,
        "kokoro-tts",
        Some("application/json"),
        k(1.0).as_bytes(),
    )
    .await;
    let k2 = run(
        &sb,
        "kokoro-tts",
        Some("application/json"),
        k(2.0).as_bytes(),
    )
    .await;
    let d1 = wav_data_len(&unb64(&k1.text()));
    let d2 = wav_data_len(&unb64(&k2.text()));
    assert_eq!(d1, (10 * 1200 + 960) * 2);
    assert_eq!(d2, d1 / 2);
}

#[tokio::test]
async fn table_stats_of_csv_sample() {
    let sb = sandbox().await;
    let r = run(
        &sb,
        "table-stats",
        Some("text/csv"),
        b64(fixtures::csv_sample().as_bytes()).as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv"));
    assert_eq!(
        String::from_utf8(unb64(&r.text())).expect("utf-8"),
        "column,count,missing,mean,min,max\n\
         plant,4,0,,,\n\
         height_cm,4,0,100,8,210\n\
         leaves,3,1,88.666667,12,220\n\
         notes,4,0,,,\n"
    );
}

#[tokio::test]
async fn echo_round_trips_binary() {
    let sb = sandbox().await;
    for bytes in [
        fixtures::pdf_minimal(),
        fixtures::wav_tone(440.0, 300),
        fixtures::jpeg(9, 9, [1, 2, 3]),
        fixtures::png_gradient(30, 20),
    ] {
        let r = run(
            &sb,
            "echo",
            Some("application/octet-stream"),
            b64(&bytes).as_bytes(),
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/octet-stream"));
        assert_eq!(unb64(&r.text()), bytes);
    }
    // A JSON string holding base64 is unwrapped first (clients that JSON.stringify).
    let pdf = fixtures::pdf_minimal();
    let body = serde_json::to_string(&b64(&pdf)).expect("json");
    let r = run(&sb, "echo", Some("application/json"), body.as_bytes()).await;
    assert_eq!(unb64(&r.text()), pdf);
    // A JSON object goes through verbatim.
    let r = run(&sb, "echo", None, br#"{"a": [1, 2]}"#).await;
    assert_eq!(unb64(&r.text()), br#"{"a": [1, 2]}"#);
}

#[tokio::test]
async fn noisy_body_is_logs_then_text() {
    let sb = sandbox().await;
    let r = run(
        &sb,
        "noisy-test",
        Some("text/plain;charset=UTF-8"),
        b64(b"The quick brown fox jumped over the lazy dog").as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain;charset=UTF-8"));
    let text = r.text();
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| is_log_line(l) && l.contains(" - supervisor - INFO - ")),
        "{text}"
    );
    assert!(text.ends_with("\nWords: 9\nCharacters: 44\n"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 20, "{}", lines.len());
    assert!(
        lines[..lines.len() - 2].iter().all(|l| is_log_line(l)),
        "{text}"
    );
    for level in ["INFO", "DEBUG", "WARNING"] {
        assert!(text.contains(&format!(" - {level} - ")), "{level}");
    }
    assert!(text.contains(" - supervisor - WARNING - "));
}

#[tokio::test]
async fn fail_test_is_200_with_traceback() {
    let sb = sandbox().await;
    let r = run(&sb, "fail-test", None, b64(b"anything").as_bytes()).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        "Traceback (most recent call last):\n  File \"/opt/predict.py\", line 12, in <module>\n    model = load(\"model.h5\")\nOSError: Unable to open file (file signature not found)\n"
    );
    let secs: f64 = r
        .header("x-duration-seconds")
        .expect("X-Duration-Seconds")
        .parse()
        .expect("a float");
    assert!((0.0..5.0).contains(&secs));
    assert_eq!(r.header("content-type"), None);
}

#[tokio::test]
async fn bad_base64_is_500() {
    let sb = sandbox().await;
    for body in [&b"hello"[..], &b"SGk"[..], &b"\"abcde\""[..]] {
        let r = run(&sb, "echo", Some("text/plain"), body).await;
        assert_eq!(r.status, 500);
        let t = r.text();
        assert!(t.starts_with("exit status 1\n"), "{t}");
        assert!(t.contains("Traceback (most recent call last):\n"));
        assert!(t.contains("binascii.Error: "), "{t}");
    }
    // With INFO logs the supervisor's lines come before the traceback.
    let r = run(&sb, "grayify", None, b"x").await;
    assert_eq!(r.status, 500);
    assert!(r
        .text()
        .contains(" - supervisor - INFO - Received input event\n"));
}

#[tokio::test]
async fn cowsay_plain_text_and_json() {
    let sb = sandbox().await;
    let r = run(
        &sb,
        "cowsay",
        Some("application/json"),
        br#"{"message":"Moo"}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        r.text().starts_with(" _____\n< Moo >\n -----\n"),
        "{}",
        r.text()
    );
    // cowsay wants JSON: a base64 text body reaches jq as plain text.
    let r = run(&sb, "cowsay", None, b64(b"Moo").as_bytes()).await;
    assert_eq!(r.status, 200);
    assert!(r.text().starts_with("jq: error"), "{}", r.text());
}

#[tokio::test]
async fn sleep_test_sleeps_the_configured_time() {
    let sb = sandbox().await;
    let auth = basic(&sb);
    let mut svc = get_auth(&sb, "/system/services/sleep-test").await.json();
    svc["environment"]["variables"]["SLEEP_SECONDS"] = "1".into();
    let r = req(
        &sb.url(),
        "PUT",
        "/system/services",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        svc.to_string().as_bytes(),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let t = std::time::Instant::now();
    let r = run(&sb, "sleep-test", None, b64(b"zzz").as_bytes()).await;
    assert!(t.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(unb64(&r.text()), b"Slept 1 seconds\n");
    let secs: f64 = r
        .header("x-duration-seconds")
        .and_then(|s| s.parse().ok())
        .expect("duration");
    assert!(secs >= 1.0, "{secs}");
}

#[tokio::test]
async fn catalogue_shapes() {
    let sb = sandbox().await;
    let list = get_auth(&sb, "/system/services").await.json();
    let by = |n: &str| {
        list.as_array()
            .and_then(|l| l.iter().find(|s| s["name"] == n))
            .cloned()
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    let sync = by("plants-classification-sync");
    assert!(sync["input"].is_null());
    assert_eq!(sync["environment"]["variables"]["INPUT_TYPE"], "image");
    for (name, level) in [
        ("cowsay", "CRITICAL"),
        ("plants-classification-sync", "CRITICAL"),
        ("plants-classification", "CRITICAL"),
        ("imagemagick", "CRITICAL"),
        ("grayify", "INFO"),
        ("text-to-speech", "CRITICAL"),
        ("table-stats", "CRITICAL"),
        ("echo", "CRITICAL"),
        ("noisy-test", "INFO"),
        ("fail-test", "CRITICAL"),
    ] {
        assert_eq!(by(name)["log_level"], level, "{name}");
    }
    assert_eq!(
        by("table-stats")["input"][0]["suffix"],
        serde_json::json!(["csv", "tsv"])
    );
}
