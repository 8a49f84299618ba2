//! Native tests of the asynchronous-run core (OSCAR-API.md §3, §5, §8, §9):
//! SigV4 presigning (AWS's published example, and path-style URLs checked
//! against signatures botocore 1.43 computed for the same inputs), S3 XML
//! answers (tests/fixtures/async/, MinIO-shaped), OSCAR's job list in both
//! shapes, and the run's pure logic. Hostile input must never panic:
//! release builds abort on panic.

use oscar_visor::oscar::jobs::{is_job_of, job_name_prefix, job_started_after, parse_job_list, Job, JobStatus};
use oscar_visor::oscar::s3::{
    classify, decode_entities, format_rfc3339, parse_error, parse_http_date, parse_list_objects_v2, parse_rfc3339,
    ObjectInfo, S3Problem,
};
use oscar_visor::oscar::sigv4::{
    amz_date, parse_endpoint, path_style_uri, presign, presign_detailed, sign, uri_encode, PresignRequest,
    S3Credentials, SigningInput,
};
use oscar_visor::oscar::storage::{
    clock_skew, input_key, list_query, output_belongs_to_run, safe_name, split_storage_path, stem, unique_id,
    usable_keys, Backoff, PendingRun, PresignAnswer, PresignBody, RunMarker, MAX_NAME_LEN,
};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/async/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// 2026-06-10T09:12:03Z.
const T0: i64 = 1_781_082_723;

fn minio_creds() -> S3Credentials {
    S3Credentials { access_key: "minio".into(), secret_key: "minio123".into(), region: "us-east-1".into() }
}

fn query_param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    url.split_once('?')?.1.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

// ---------------------------------------------------------------- sigv4

#[test]
fn aws_example_signature_and_query() {
    let signed = sign(
        &SigningInput {
            method: "GET",
            host: "examplebucket.s3.amazonaws.com",
            canonical_uri: "/test.txt",
            query: &[],
            now_unix: 1_369_353_600,
            expires_secs: 86_400,
            signed_headers: &[],
        },
        &S3Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            region: "us-east-1".into(),
        },
    )
    .expect("signs");
    assert_eq!(signed.signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    assert_eq!(
        signed.string_to_sign,
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04"
    );
    assert_eq!(
        signed.query,
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
}

#[test]
fn path_style_put_with_space_and_unicode_matches_botocore() {
    let req = PresignRequest {
        method: "PUT",
        endpoint: "http://127.0.0.1:9000",
        bucket: "grayify",
        key: "in/ab12cd34-my photo é.jpg",
        query: &[],
        now_unix: T0,
        expires_secs: 900,
        signed_headers: &[],
    };
    let (url, signed) = presign_detailed(&req, &minio_creds()).expect("presigns");
    assert_eq!(
        signed.canonical_request,
        "PUT\n/grayify/in/ab12cd34-my%20photo%20%C3%A9.jpg\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=minio%2F20260610%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260610T091203Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\nhost:127.0.0.1:9000\n\nhost\nUNSIGNED-PAYLOAD"
    );
    assert_eq!(signed.signature, "a4bdb834451e2316e33e473d22a78e83aba45d0cffd750fa2e5dc48e4ff126aa");
    assert!(url.starts_with("http://127.0.0.1:9000/grayify/in/ab12cd34-my%20photo%20%C3%A9.jpg?X-Amz-Algorithm="));
    assert_eq!(presign(&req, &minio_creds()).expect("presigns"), url);
}

#[test]
fn bucket_level_list_matches_botocore() {
    let mut req = PresignRequest {
        method: "GET",
        endpoint: "http://127.0.0.1:9000/",
        bucket: "grayify",
        key: "",
        query: &[("list-type", "2"), ("prefix", "out/")],
        now_unix: T0,
        expires_secs: 900,
        signed_headers: &[],
    };
    let (url, signed) = presign_detailed(&req, &minio_creds()).expect("presigns");
    assert!(signed.canonical_request.starts_with("GET\n/grayify\nX-Amz-Algorithm="));
    assert!(signed.canonical_request.contains("&X-Amz-SignedHeaders=host&list-type=2&prefix=out%2F\n"));
    assert_eq!(signed.signature, "dc127501b6eafa66b8401ffe6f3a2f4aa6ae9fce95731e57dce9bfa1c2c90515");
    assert!(url.starts_with("http://127.0.0.1:9000/grayify?"));
    assert_eq!(query_param(&url, "prefix"), Some("out%2F"));

    let query = list_query("out/", Some("1a/b+c=="));
    req.query = &query;
    let (url, signed) = presign_detailed(&req, &minio_creds()).expect("presigns");
    assert_eq!(signed.signature, "7d40e341426307d9040c3aefaafffae92d9a869dd67efbf6b5848da571fb23c4");
    assert_eq!(query_param(&url, "continuation-token"), Some("1a%2Fb%2Bc%3D%3D"));
}

#[test]
fn query_sorted_by_name_then_value_and_headers_canonical() {
    let (_, signed) = presign_detailed(
        &PresignRequest {
            method: "put",
            endpoint: "https://MinIO.Example.org:443/",
            bucket: "b",
            key: "k",
            query: &[("z", "1"), ("a", "2"), ("a", "1")],
            now_unix: T0,
            expires_secs: 60,
            signed_headers: &[("Content-Type", "  image/jpeg  "), ("X-Amz-Meta-A", "a   b")],
        },
        &S3Credentials { region: String::new(), ..minio_creds() },
    )
    .expect("presigns");
    let lines: Vec<&str> = signed.canonical_request.lines().collect();
    assert_eq!(lines[0], "PUT");
    assert!(
        lines[2].starts_with("X-Amz-Algorithm=")
            && lines[2].contains("X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-meta-a&a=1&a=2&z=1")
    );
    assert_eq!(&lines[3..6], ["content-type:image/jpeg", "host:minio.example.org", "x-amz-meta-a:a b"]);
    assert_eq!(lines[7], "content-type;host;x-amz-meta-a");
    // An empty region falls back to MinIO's default.
    assert!(signed.string_to_sign.contains("/us-east-1/s3/aws4_request"));
}

#[test]
fn endpoint_with_path_prefix_and_ports() {
    let e = parse_endpoint("https://gw.example.org/minio/").expect("parses");
    assert_eq!(path_style_uri(&e.base_path, "b", "a/b c").expect("ok"), "/minio/b/a/b%20c");
    assert_eq!(parse_endpoint("https://h:8443").expect("ok").host, "h:8443");
    assert_eq!(parse_endpoint("http://h:443").expect("ok").host, "h:443");
    assert_eq!(parse_endpoint("  http://h  ").expect("ok").host, "h");
}

#[test]
fn presign_refuses_bad_requests() {
    let creds = minio_creds();
    let base = PresignRequest {
        method: "GET",
        endpoint: "http://127.0.0.1:9000",
        bucket: "b",
        key: "k",
        query: &[],
        now_unix: T0,
        expires_secs: 900,
        signed_headers: &[],
    };
    assert!(presign(&base, &creds).is_ok());
    for bad in [
        PresignRequest { expires_secs: 0, ..base.clone() },
        PresignRequest { expires_secs: 604_801, ..base.clone() },
        PresignRequest { bucket: "", ..base.clone() },
        PresignRequest { bucket: "a/b", ..base.clone() },
        PresignRequest { key: "in/../x", ..base.clone() },
        PresignRequest { key: "./x", ..base.clone() },
        PresignRequest { method: "", ..base.clone() },
        PresignRequest { method: "G T", ..base.clone() },
        PresignRequest { endpoint: "127.0.0.1:9000", ..base.clone() },
        PresignRequest { endpoint: "javascript:alert(1)", ..base.clone() },
        PresignRequest { now_unix: i64::MAX, ..base.clone() },
        PresignRequest { now_unix: i64::MIN, ..base.clone() },
        PresignRequest { now_unix: -100_000_000_000, ..base.clone() },
        // Year -100: "-100" is four characters but not a year AWS knows.
        PresignRequest { now_unix: -65_320_000_000, ..base.clone() },
    ] {
        assert!(presign(&bad, &creds).is_err(), "{bad:?}");
    }
    let no_keys = S3Credentials { secret_key: String::new(), ..minio_creds() };
    assert!(presign(&base, &no_keys).is_err());
    // Odd but legal keys sign fine.
    for key in ["a//b", "/lead", "trail/", "..x", "%41", "a+b=c&d?e#f", "日本/語", "\u{0}\u{7f}"] {
        let url = presign(&PresignRequest { key, ..base.clone() }, &creds).expect(key);
        assert!(!url.contains(' ') && !url.contains('#'), "{url}");
    }
}

#[test]
fn credentials_debug_is_redacted() {
    let shown = format!("{:?}", minio_creds());
    assert!(shown.contains("minio") && shown.contains("<redacted>"));
    assert!(!shown.contains("minio123"), "{shown}");
}

#[test]
fn amz_dates_and_encoding() {
    assert_eq!(amz_date(T0), ("20260610T091203Z".into(), "20260610".into()));
    assert_eq!(amz_date(253_402_300_799).0, "99991231T235959Z");
    // Extremes format without overflow (and are refused by `sign`).
    let _ = amz_date(i64::MAX);
    let _ = amz_date(i64::MIN);
    assert_eq!(uri_encode("AZaz09-._~", false), "AZaz09-._~");
    assert_eq!(uri_encode("/ !*'()", true), "/%20%21%2A%27%28%29");
}

// ---------------------------------------------------------------- s3

#[test]
fn minio_listing() {
    let listing = parse_list_objects_v2(&fixture("list-minio.xml")).expect("parses");
    assert!(!listing.is_truncated);
    assert_eq!(listing.next_continuation_token, None);
    assert_eq!(listing.objects.len(), 3);
    assert_eq!(
        listing.objects[1],
        ObjectInfo {
            key: "out/k3x9q2ab-my_photo.jpg".into(),
            size: 48_213,
            last_modified_unix: Some(1_781_082_729),
            etag: "9b2cf535f27731c974343645a3985328".into(),
        }
    );
    assert_eq!(listing.objects[0].key, "out/");
    assert_eq!(listing.objects[2].key, "out/R&D <draft> café.txt");
    assert_eq!(listing.objects[2].etag, "5d41402abc4b2a76b9719d911017c592-2");
    assert_eq!(listing.objects[2].last_modified_unix, Some(1_781_026_801));
}

#[test]
fn empty_and_truncated_listings() {
    let empty = parse_list_objects_v2(&fixture("list-empty.xml")).expect("parses");
    assert!(empty.objects.is_empty() && !empty.is_truncated);
    let page = parse_list_objects_v2(&fixture("list-truncated.xml")).expect("parses");
    assert!(page.is_truncated);
    assert_eq!(page.next_continuation_token.as_deref(), Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="));
    assert_eq!(page.objects.len(), 2);
    assert_eq!(page.objects[0].etag, "aaa");
    assert_eq!(page.objects[1].size, u64::MAX);
    assert_eq!(page.objects[1].last_modified_unix, Some(T0 + 1));
    assert_eq!(parse_list_objects_v2("<ListBucketResult/>").expect("ok"), Default::default());
}

#[test]
fn listing_rejects_garbage_and_errors() {
    let err = parse_list_objects_v2(&fixture("error-nosuchbucket.xml")).expect_err("an error body");
    assert!(err.contains("NoSuchBucket"), "{err}");
    for bad in [
        "",
        "garbage",
        "{\"json\":true}",
        "<html><body>502 Bad Gateway</body></html>",
        "<ListBucketResult><Contents><Key>a</Key>",
        "<ListBucketResult",
        "<<<>>>",
        "<!-- only a comment -->",
    ] {
        assert!(parse_list_objects_v2(bad).is_err(), "{bad}");
    }
}

#[test]
fn listing_tolerates_odd_but_valid_xml() {
    let xml = "<s3:ListBucketResult xmlns:s3='x'><!-- hi --><s3:Contents><s3:Key>a&amp;b</s3:Key><Size>-1</Size>\
               <LastModified>yesterday</LastModified></s3:Contents><Contents><Size>5</Size></Contents>\
               <Contents><Key></Key></Contents><IsTruncated>TRUE</IsTruncated><NextContinuationToken> </NextContinuationToken>\
               </s3:ListBucketResult><Trailing>ignored</Trailing>";
    let listing = parse_list_objects_v2(xml).expect("parses");
    assert_eq!(listing.objects, vec![ObjectInfo { key: "a&b".into(), ..Default::default() }]);
    assert!(listing.is_truncated);
    assert_eq!(listing.next_continuation_token, None);
    // Hostile nesting is refused quickly, whatever the close tags say.
    let deep = format!("<ListBucketResult>{}{}", "<a>".repeat(200_000), "</b>".repeat(200_000));
    assert!(parse_list_objects_v2(&deep).is_err());
    let nested =
        "<ListBucketResult><Contents><Key>k<i>nested</i>!</Key><Owner><ID>x</ID></Owner></Contents></ListBucketResult>";
    assert_eq!(parse_list_objects_v2(nested).expect("parses").objects[0].key, "k!");
    // Sizes beyond u64 are unreadable, not a panic.
    let big =
        "<ListBucketResult><Contents><Key>k</Key><Size>99999999999999999999999</Size></Contents></ListBucketResult>";
    assert_eq!(parse_list_objects_v2(big).expect("parses").objects[0].size, 0);
}

#[test]
fn error_bodies() {
    let e = parse_error(&fixture("error-nosuchbucket.xml")).expect("an error");
    assert_eq!((e.code.as_str(), e.message.as_str()), ("NoSuchBucket", "The specified bucket does not exist"));
    assert_eq!(parse_error(&fixture("list-empty.xml")), None);
    assert_eq!(parse_error("<Error><Message>no code</Message></Error>"), None);
    assert_eq!(parse_error(""), None);
    assert_eq!(parse_error("Forbidden"), None);
}

#[test]
fn classify_maps_codes_to_advice() {
    assert_eq!(classify(403, &fixture("error-signature.xml")), S3Problem::SignatureOrClock);
    assert_eq!(classify(404, &fixture("error-nosuchbucket.xml")), S3Problem::NoSuchBucket("grayify".into()));
    let body = |code: &str, msg: &str| format!("<Error><Code>{code}</Code><Message>{msg}</Message></Error>");
    assert_eq!(classify(403, &body("RequestTimeTooSkewed", "")), S3Problem::TooSkewed);
    assert_eq!(classify(403, &body("AccessDenied", "Access Denied.")), S3Problem::AccessDenied);
    assert_eq!(classify(403, &body("AccessDenied", "Request has expired")), S3Problem::SignatureOrClock);
    assert_eq!(classify(403, &body("AccessDenied", "Request is not valid yet")), S3Problem::TooSkewed);
    assert_eq!(classify(403, &body("InvalidAccessKeyId", "")), S3Problem::SignatureOrClock);
    assert_eq!(classify(404, &body("NoSuchKey", "")), S3Problem::NoSuchKey);
    assert_eq!(
        classify(404, "<Error><Code>NoSuchBucket</Code><Resource>/other/x</Resource></Error>"),
        S3Problem::NoSuchBucket("other".into())
    );
    assert_eq!(classify(404, &body("NoSuchBucket", "")), S3Problem::NoSuchBucket(String::new()));
    assert_eq!(
        classify(500, &body("InternalError", "")),
        S3Problem::Other { status: 500, code: "InternalError".into() }
    );
    assert_eq!(classify(403, ""), S3Problem::Other { status: 403, code: String::new() });

    let text = S3Problem::SignatureOrClock.to_string();
    assert!(text.contains("keys") && text.contains("clock"), "{text}");
    assert!(S3Problem::NoSuchBucket("grayify".into()).to_string().contains("“grayify”"));
    assert!(!S3Problem::NoSuchBucket(String::new()).to_string().contains("“"));
    assert!(S3Problem::AccessDenied.to_string().contains("permission"));
    assert!(S3Problem::TooSkewed.to_string().contains("clock"));
    assert!(S3Problem::Other { status: 500, code: "X".into() }.to_string().contains("HTTP 500 (X)"));
}

#[test]
fn http_dates() {
    assert_eq!(parse_http_date("Wed, 10 Jun 2026 09:12:03 GMT"), Some(T0));
    assert_eq!(parse_http_date("10 jun 2026 09:12:03 gmt"), Some(T0));
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    for bad in [
        "",
        "now",
        "Wed, 10 Jun 2026 09:12:03",
        "Wed, 10 Jun 2026 09:12:03 CET",
        "Wed, 31 Jun 2026 09:12:03 GMT",
        "Wed, 10 Foo 2026 09:12:03 GMT",
        "Wed, 10 Jun 26 09:12:03 GMT",
        "Wed, 10 Jun 2026 24:00:00 GMT",
        "Wed, 10 Jun 2026 9:12:03 GMT",
        "Wed, 10 Jun 2026 09:12:03 GMT extra",
        "Wed, +1 Jun 2026 09:12:03 GMT",
        "Wed, 10 Jun 99999999999999999999 09:12:03 GMT",
        "Wed, 10 Jun 2026 0é:12:03 GMT",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad}");
    }
}

#[test]
fn rfc3339_dates() {
    assert_eq!(parse_rfc3339("2026-06-10T09:12:03Z"), Some(T0));
    assert_eq!(parse_rfc3339("2026-06-10T09:12:03.123456Z"), Some(T0));
    assert_eq!(parse_rfc3339("2026-06-10T11:12:03+02:00"), Some(T0));
    assert_eq!(parse_rfc3339("2026-06-10T06:42:03-02:30"), Some(T0));
    assert_eq!(parse_rfc3339("2026-06-10t09:12:03z"), Some(T0));
    assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
    assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1));
    for bad in [
        "",
        "2026-06-10",
        "2026-06-10T09:12:03",
        "2026-06-10T09:12:03.Z",
        "2026-13-10T09:12:03Z",
        "2026-06-00T09:12:03Z",
        "2023-02-29T00:00:00Z",
        "2026-06-10T09:60:03Z",
        "2026-06-10T09:12:03+2:00",
        "2026-06-10T09:12:03+24:00",
        "2026-06-10T09:12:03Zjunk",
        "+2026-06-10T09:12:03Z",
        "2026-06-10T09:12:03é",
        "éééééééééééééééééééééé",
        "2026-06-10T09:12:03.999999999999999999999999999999Z0",
    ] {
        assert_eq!(parse_rfc3339(bad), None, "{bad}");
    }
    assert_eq!(format_rfc3339(T0), "2026-06-10T09:12:03Z");
    assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59Z");
    for t in [0, T0, 951_782_400, 253_402_300_799, -62_135_596_800] {
        assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t), "{t}");
    }
    let _ = format_rfc3339(i64::MAX);
    let _ = format_rfc3339(i64::MIN);
}

#[test]
fn entities_never_panic() {
    for s in ["&", "&;", "&#;", "&#x;", "&#xFFFFFFFFFF;", "&amp", "&&amp;&", "é&é;", "&#1114112;"] {
        let _ = decode_entities(s);
    }
    assert_eq!(decode_entities("&amp;amp;"), "&amp;");
    // Long runs stay linear (a quadratic scan would take minutes here).
    let many = "&".repeat(2_000_000);
    assert_eq!(decode_entities(&many), many);
    let key = format!("<ListBucketResult><Contents><Key>{}</Key></Contents></ListBucketResult>", "&a".repeat(500_000));
    assert_eq!(parse_list_objects_v2(&key).expect("parses").objects[0].key.len(), 1_000_000);
}

// ---------------------------------------------------------------- jobs

#[test]
fn job_list_v364() {
    let page = parse_job_list(&fixture("jobs-v3.6.4.json")).expect("parses");
    assert_eq!(page.next_page.as_deref(), Some("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzfQ"));
    assert_eq!(page.remaining_jobs, Some(12));
    let names: Vec<(&str, JobStatus)> = page.jobs.iter().map(|j| (&j.name[..16], j.status)).collect();
    assert_eq!(
        names,
        [
            ("grayify-11111111", JobStatus::Suspended),
            ("grayify-0a1b2c3d", JobStatus::Running),
            ("grayify-5f1c2d9e", JobStatus::Succeeded),
            ("grayify-66666666", JobStatus::Failed),
        ]
    );
    let done = &page.jobs[2];
    assert_eq!((done.creation_unix, done.start_unix, done.finish_unix), (Some(T0), Some(T0 + 2), Some(T0 + 6)));
    assert_eq!(page.jobs[1].finish_unix, None);
    assert_eq!(page.jobs[3].creation_unix, Some(1_780_992_000));
}

#[test]
fn job_list_v363_bare_map() {
    let page = parse_job_list(&fixture("jobs-v3.6.3.json")).expect("parses");
    assert_eq!(page.next_page, None);
    assert_eq!(page.remaining_jobs, None);
    assert_eq!(page.jobs.len(), 2);
    assert_eq!(page.jobs[0].status, JobStatus::Pending);
    assert_eq!(page.jobs[0].creation_unix, None);
}

#[test]
fn job_list_edge_shapes() {
    for empty in
        ["{}", "{\"jobs\":null}", "{\"jobs\":{}}", " {\"jobs\":{},\"remaining_jobs\":0} ", "{\"next_page\":null}"]
    {
        let page = parse_job_list(empty).expect(empty);
        assert!(page.jobs.is_empty(), "{empty}");
        assert_eq!(page.next_page, None);
    }
    let page = parse_job_list("{\"jobs\":{\"a\":{}},\"next_page\":\"\",\"remaining_jobs\":\"7\"}").expect("ok");
    assert_eq!((page.jobs.len(), page.next_page, page.remaining_jobs), (1, None, Some(7)));
    assert_eq!(page.jobs[0].status, JobStatus::Unknown);
    let page = parse_job_list("{\"jobs\":{},\"remaining_jobs\":-3}").expect("ok");
    assert_eq!(page.remaining_jobs, None);
    // Non-object entries and odd field types are skipped, not fatal.
    let page = parse_job_list(
        "{\"x\":1,\"y\":null,\"z\":[],\"\":{},\"ok\":{\"status\":7,\"creation_time\":12,\"start_time\":\"garbage\"}}",
    )
    .expect("ok");
    assert_eq!(page.jobs.len(), 1);
    assert_eq!(
        page.jobs[0],
        Job { name: "ok".into(), status: JobStatus::Unknown, creation_unix: None, start_unix: None, finish_unix: None }
    );
}

#[test]
fn job_list_hostile_input() {
    for bad in ["", "null", "[]", "\"jobs\"", "42", "{", "{\"jobs\":", "<html>"] {
        assert!(parse_job_list(bad).is_err(), "{bad}");
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_job_list(&deep).is_err());
    let deep_obj = format!("{{\"jobs\":{}1{}}}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    assert!(parse_job_list(&deep_obj).is_err());
    let huge = "{\"remaining_jobs\":1e400}";
    let _ = parse_job_list(huge);
    let many: String = (0..5000)
        .map(|i| format!("\"svc-{i:08}-0000-4000-8000-000000000000\":{{\"status\":\"Running\",\"creation_time\":\"2026-06-10T09:{:02}:00Z\"}}", i % 60))
        .collect::<Vec<_>>()
        .join(",");
    let page = parse_job_list(&format!("{{{many}}}")).expect("parses");
    assert_eq!(page.jobs.len(), 5000);
    assert!(page.jobs.windows(2).all(|w| w[0].creation_unix >= w[1].creation_unix));
}

#[test]
fn statuses_and_prefixes() {
    for (s, st) in [
        ("Pending", JobStatus::Pending),
        ("Running", JobStatus::Running),
        ("Succeeded", JobStatus::Succeeded),
        ("Failed", JobStatus::Failed),
        ("Suspended", JobStatus::Suspended),
        ("Unknown", JobStatus::Unknown),
        (" running ", JobStatus::Running),
        ("", JobStatus::Unknown),
    ] {
        assert_eq!(JobStatus::parse(s), st, "{s}");
    }
    assert!(JobStatus::Succeeded.is_finished() && JobStatus::Failed.is_finished());
    for open in [JobStatus::Pending, JobStatus::Running, JobStatus::Suspended, JobStatus::Unknown] {
        assert!(!open.is_finished());
    }
    // §3: names of 25+ characters are cut to 16 in job names.
    assert_eq!(job_name_prefix("a-very-long-service-name-xyz"), "a-very-long-serv-");
    assert_eq!(job_name_prefix("exactly-twenty-four-char"), "exactly-twenty-four-char-");
    assert_eq!(job_name_prefix("ünïcödé-ünïcödé-ünïcödé-ü"), "ünïcödé-ünïcödé--");
    assert!(!is_job_of("grayify-", "grayify"));
    assert!(!is_job_of("grayify-5f1c2d9e-3b7a-4c1e-9a0b-2f6d8e7c1a2", "grayify"));
    assert!(is_job_of("grayify-5F1C2D9E-3B7A-4C1E-9A0B-2F6D8E7C1A23", "grayify"));
}

fn job(name: &str, created: Option<i64>) -> Job {
    Job { name: name.into(), status: JobStatus::Running, creation_unix: created, start_unix: None, finish_unix: None }
}

#[test]
fn finding_the_job_of_a_run() {
    let jobs = vec![
        job("grayify-00000000-0000-4000-8000-000000000001", Some(T0 - 100)),
        job("grayify-00000000-0000-4000-8000-000000000002", Some(T0 + 30)),
        job("grayify-00000000-0000-4000-8000-000000000003", Some(T0 + 4)),
        job("grayify-00000000-0000-4000-8000-000000000004", None),
        job("grayify-extra-00000000-0000-4000-8000-000000000005", Some(T0 + 1)),
        job("other-00000000-0000-4000-8000-000000000006", Some(T0 + 1)),
    ];
    let found = job_started_after(&jobs, "grayify", T0 + 5, 2).expect("found");
    assert!(found.name.ends_with("03"));
    assert!(job_started_after(&jobs, "grayify", T0 + 31, 0).is_none());
    assert!(job_started_after(&jobs, "grayify", T0 + 31, 1).expect("with slack").name.ends_with("02"));
    // Negative slack counts as none; extremes do not overflow.
    assert!(job_started_after(&jobs, "grayify", T0 + 31, -1000).is_none());
    assert!(job_started_after(&jobs, "grayify", i64::MIN, i64::MAX).expect("any").name.ends_with("01"));
    assert!(job_started_after(&jobs, "grayify", i64::MAX, 0).is_none());
    assert!(job_started_after(&[], "grayify", 0, 0).is_none());
    let long = [job("a-very-long-serv-00000000-0000-4000-8000-000000000001", Some(T0))];
    assert!(job_started_after(&long, "a-very-long-service-name-xyz", T0, 0).is_some());
    // Ties on time go to the first name.
    let tied = [
        job("s-00000000-0000-4000-8000-00000000000b", Some(T0)),
        job("s-00000000-0000-4000-8000-00000000000a", Some(T0)),
    ];
    assert!(job_started_after(&tied, "s", T0, 0).expect("one").name.ends_with("0a"));
}

// ---------------------------------------------------------------- storage

#[test]
fn storage_paths() {
    let split = |p: &str| split_storage_path(p, "grayify");
    assert_eq!(split("grayify/in"), ("grayify".into(), "in".into()));
    assert_eq!(split("other/deep/er/"), ("other".into(), "deep/er".into()));
    assert_eq!(split("/b//x//y/"), ("b".into(), "x/y".into()));
    assert_eq!(split("in"), ("grayify".into(), "in".into()));
    assert_eq!(split("b/"), ("b".into(), String::new()));
    assert_eq!(split(""), ("grayify".into(), String::new()));
    assert_eq!(split("///"), ("grayify".into(), String::new()));
}

#[test]
fn input_keys_and_safe_names() {
    assert_eq!(input_key("in", "k3x9q2ab", "my photo.jpg"), "in/k3x9q2ab-my_photo.jpg");
    assert_eq!(input_key("/in/", "id", "a.png"), "in/id-a.png");
    assert_eq!(input_key("", "id", "a.png"), "id-a.png");
    assert_eq!(safe_name("../../etc/passwd"), "passwd");
    assert_eq!(safe_name("C:\\Users\\me\\x y.txt"), "x_y.txt");
    assert_eq!(safe_name("dir/"), "file");
    assert_eq!(safe_name(""), "file");
    assert_eq!(safe_name(".."), "file");
    assert_eq!(safe_name("."), "file");
    assert_eq!(safe_name("..."), "file");
    assert_eq!(safe_name("café 日本.png"), "caf____.png");
    assert_eq!(safe_name("a;rm -rf $(x).sh"), "a_rm_-rf___x_.sh");
    assert_eq!(safe_name(".hidden"), ".hidden");
    assert_eq!(safe_name("\u{0}\n"), "_");
    let long = format!("{}.tar.gz", "x".repeat(5000));
    let safe = safe_name(&long);
    assert_eq!(safe.len(), MAX_NAME_LEN);
    assert!(safe.ends_with("x.gz"));
    let long_ext = format!("a.{}", "e".repeat(300));
    assert_eq!(safe_name(&long_ext).len(), MAX_NAME_LEN);
    let unicode_long = "é".repeat(1000);
    assert_eq!(safe_name(&unicode_long).len(), MAX_NAME_LEN);
    // Every key produced is one the presigner accepts.
    for name in ["..", ".", "a/../b", "/", "\\", "日本", "x".repeat(10_000).as_str()] {
        let key = input_key("in", &unique_id(7), name);
        let uri = path_style_uri("", "b", &key);
        assert!(uri.is_ok(), "{name}: {key}");
    }
}

#[test]
fn ids_and_stems() {
    assert_eq!(unique_id(0), "00000000");
    assert_eq!(unique_id(36), "00000010");
    assert_eq!(unique_id(u64::MAX).len(), 8);
    assert!(unique_id(0xdead_beef_cafe).chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
    assert_ne!(unique_id(1), unique_id(2));
    assert_eq!(stem("photo.jpg"), "photo");
    assert_eq!(stem("a.tar.gz"), "a.tar");
    assert_eq!(stem(".env"), ".env");
    assert_eq!(stem("noext"), "noext");
    assert_eq!(stem("dir.d/file"), "file");
    assert_eq!(stem("x."), "x");
    assert_eq!(stem(""), "");
    assert_eq!(stem("日本.語"), "日本");
}

fn object(key: &str, modified: Option<i64>) -> ObjectInfo {
    ObjectInfo { key: key.into(), size: 1, last_modified_unix: modified, etag: String::new() }
}

#[test]
fn outputs_of_a_run() {
    let marker = RunMarker::new("k3x9q2ab", "my photo.jpg", T0);
    assert_eq!(
        marker,
        RunMarker { unique: "k3x9q2ab-my_photo.jpg".into(), stem: "k3x9q2ab-my_photo".into(), uploaded_unix: T0 }
    );
    let mine = |key: &str, t: Option<i64>| output_belongs_to_run(&object(key, t), "out", &marker, 5);
    assert!(mine("out/k3x9q2ab-my_photo.jpg", Some(T0 - 10_000)));
    assert!(mine("out/k3x9q2ab-my_photo.png", None));
    assert!(mine("out/sub/result-k3x9q2ab-my_photo.txt", None));
    assert!(mine("out/renamed.png", Some(T0 - 5)));
    assert!(!mine("out/renamed.png", Some(T0 - 6)));
    assert!(!mine("out/renamed.png", None));
    assert!(!mine("in/k3x9q2ab-my_photo.jpg", Some(T0 + 10)));
    assert!(!mine("outside/k3x9q2ab-my_photo.jpg", Some(T0 + 10)));
    assert!(!mine("out/", Some(T0 + 10)));
    assert!(!mine("out/folder/", Some(T0 + 10)));
    assert!(!mine("out", Some(T0 + 10)));
    // An empty prefix means the whole bucket.
    assert!(output_belongs_to_run(&object("k3x9q2ab-my_photo.png", None), "", &marker, 0));
    assert!(output_belongs_to_run(&object("k3x9q2ab-my_photo.png", None), "/", &marker, 0));
    // An empty marker (from damaged storage) must not claim everything.
    let empty = RunMarker { unique: String::new(), stem: String::new(), uploaded_unix: i64::MAX };
    assert!(!output_belongs_to_run(&object("out/x", Some(T0)), "out", &empty, 0));
    let past = RunMarker { uploaded_unix: i64::MIN, ..RunMarker::default() };
    assert!(output_belongs_to_run(&object("out/x", Some(i64::MIN)), "out", &past, i64::MAX));
}

#[test]
fn backoff_schedule() {
    let mut b = Backoff::new();
    let steps: Vec<u32> = (0..8).map(|_| b.next_delay_ms()).collect();
    assert_eq!(steps, [500, 750, 1125, 1687, 2530, 3795, 5000, 5000]);
    for _ in 0..10_000 {
        assert!(b.next_delay_ms() <= 5000);
    }
    assert_eq!(Backoff::default(), Backoff::new());
}

#[test]
fn clock_skews() {
    assert_eq!(clock_skew(T0 + 300, T0), 300);
    assert_eq!(clock_skew(T0, T0 + 42), -42);
    assert_eq!(clock_skew(i64::MAX, i64::MIN), i64::MAX);
    assert_eq!(clock_skew(i64::MIN, i64::MAX), i64::MIN);
    let date = parse_http_date("Wed, 10 Jun 2026 09:17:03 GMT").expect("a date");
    assert_eq!(clock_skew(date, T0), 300);
}

#[test]
fn presign_endpoint_json() {
    let body = PresignBody {
        object_key: "in/x.jpg".into(),
        operation: "upload".into(),
        expires_in: 900,
        content_type: Some("image/jpeg".into()),
    };
    assert_eq!(
        serde_json::to_string(&body).expect("serialises"),
        r#"{"object_key":"in/x.jpg","operation":"upload","expires_in":900,"content_type":"image/jpeg"}"#
    );
    let plain = PresignBody { content_type: None, ..body };
    assert!(!serde_json::to_string(&plain).expect("serialises").contains("content_type"));

    let answer = PresignAnswer::parse(
        r#"{"object_key":"in/x.jpg","operation":"upload","method":"PUT","url":"https://minio.example.org/grayify/in/x.jpg?X-Amz-Signature=abc",
            "expires_at":"2026-06-10T09:27:03Z","headers":{"Content-Type":"image/jpeg","X-N":5},"new_field":[1]}"#,
    )
    .expect("parses");
    assert_eq!(answer.method, "PUT");
    assert_eq!(answer.expires_at.as_deref().and_then(parse_rfc3339), Some(T0 + 900));
    assert_eq!(answer.headers.get("Content-Type").map(String::as_str), Some("image/jpeg"));
    assert_eq!(answer.headers.get("X-N").map(String::as_str), Some("5"));
    let nulls = PresignAnswer::parse(
        r#"{"object_key":null,"operation":null,"method":null,"url":"http://h/b/k","expires_at":null,"headers":null}"#,
    )
    .expect("parses");
    assert_eq!((nulls.expires_at, nulls.headers.len(), nulls.method.as_str()), (None, 0, ""));
    for bad in ["", "{}", "[]", "null", r#"{"url":""}"#, r#"{"url":"javascript:alert(1)"}"#, r#"{"url":5}"#] {
        assert!(PresignAnswer::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn pending_run_round_trip_without_secrets() {
    let (bucket, prefix) = split_storage_path("grayify/in", "grayify");
    let (output_bucket, output_prefix) = split_storage_path("grayify/out", "grayify");
    let run = PendingRun {
        service: "grayify".into(),
        input_key: input_key(&prefix, "k3x9q2ab", "my photo.jpg"),
        bucket,
        output_bucket,
        output_prefix,
        marker: RunMarker::new("k3x9q2ab", "my photo.jpg", T0),
        file_name: "my photo.jpg".into(),
    };
    let json = run.to_json();
    assert_eq!(PendingRun::from_json(&json), Some(run));
    for word in ["secret", "token", "password", "access_key"] {
        assert!(!json.contains(word), "{word} in {json}");
    }
    for bad in ["", "null", "{}", "[1]", r#"{"service":"s"}"#, "{\"service\":", &"[".repeat(10_000)] {
        assert_eq!(PendingRun::from_json(bad), None, "{bad}");
    }
    // Unknown fields from a newer version are ignored.
    let extended = json.replacen('{', "{\"future\":true,", 1);
    assert!(PendingRun::from_json(&extended).is_some());
}

#[test]
fn keys_usable_only_when_real() {
    assert!(usable_keys("minio", "minio123"));
    assert!(!usable_keys("hidden", "hidden"));
    assert!(!usable_keys("minio", "Hidden"));
    assert!(!usable_keys("", "x"));
    assert!(!usable_keys("x", "  "));
}
