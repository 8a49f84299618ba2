//! Test OIDC tokens over real HTTP (OSCAR-API.md §2): `/system/*` as a non-admin user,
//! `/run` and `/job` with the user's JWT.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{get_auth, req, start};
use oscar_sandbox::{Options, Sandbox, DEMO_USER};
use serde_json::Value;

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

async fn get_as(sb: &Sandbox, token: &str, path: &str) -> common::Reply {
    req(
        &sb.url(),
        "GET",
        path,
        &[("Authorization", &bearer(token))],
        b"",
    )
    .await
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|s| s["name"].as_str().expect("name").to_string())
        .collect()
}

#[tokio::test]
async fn issued_token_shape() {
    let sb = start(Options::default()).await;
    let t = sb.issue_token("someone@egi.eu", 60);
    let parts: Vec<&str> = t.split('.').collect();
    assert_eq!(parts.len(), 3);
    let dec = |p: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("b64url")).expect("json")
    };
    assert_eq!(
        dec(parts[0]),
        serde_json::json!({"alg":"HS256","typ":"JWT"})
    );
    let claims = dec(parts[1]);
    assert_eq!(claims["iss"], format!("{}/oidc", sb.url()));
    assert_eq!(sb.oidc_issuer(), format!("{}/oidc", sb.url()));
    assert_eq!(claims["sub"], "someone@egi.eu");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        60
    );
    assert_eq!(
        claims["group_membership"],
        serde_json::json!(["/oscar-users"])
    );
}

#[tokio::test]
async fn system_as_oidc_user_filters_by_visibility() {
    let sb = start(Options::default()).await;
    let all = names(&get_auth(&sb, "/system/services").await.json());
    for n in ["sleep-test", "grayify", "text-to-speech", "table-stats"] {
        assert!(all.contains(&n.to_string()), "admin sees {n}");
    }

    // The demo user: public services and their own private sleep-test.
    let t = sb.issue_token(DEMO_USER, 600);
    let r = get_as(&sb, &t, "/system/services").await;
    assert_eq!(r.status, 200);
    let mine = names(&r.json());
    assert!(mine.contains(&"cowsay".to_string()));
    assert!(mine.contains(&"kokoro-tts".to_string()));
    assert!(
        mine.contains(&"sleep-test".to_string()),
        "own private service"
    );
    for hidden in ["grayify", "text-to-speech", "table-stats", "fail-test"] {
        assert!(!mine.contains(&hidden.to_string()), "{hidden} is hidden");
    }
    assert!(mine.len() < all.len());

    // A restricted service shows to its allowed users.
    let alice = "62bb11b40398f7c8f4ba3a2a7d5e0f9e1f3b6a7c@egi.eu";
    let ta = sb.issue_token(alice, 600);
    let theirs = names(&get_as(&sb, &ta, "/system/services").await.json());
    assert!(theirs.contains(&"table-stats".to_string()));
    assert!(theirs.contains(&"text-to-speech".to_string()), "owner");
    assert!(!theirs.contains(&"sleep-test".to_string()));

    // One service: visible 200, invisible 403 text, unknown 404.
    let r = get_as(&sb, &t, "/system/services/sleep-test").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["owner"], DEMO_USER);
    let r = get_as(&sb, &t, "/system/services/grayify").await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains(DEMO_USER), "{}", r.text());
    assert_eq!(get_as(&sb, &t, "/system/services/nope").await.status, 404);
    assert_eq!(get_as(&sb, &t, "/system/logs/grayify").await.status, 403);
    assert_eq!(get_as(&sb, &t, "/system/logs/cowsay").await.status, 200);

    // /system/config and /system/info answer normally.
    let r = get_as(&sb, &t, "/system/config").await;
    assert_eq!(r.status, 200);
    assert!(r.json()["minio_provider"]["access_key"].is_string());
    assert_eq!(get_as(&sb, &t, "/system/info").await.status, 200);
}

#[tokio::test]
async fn system_rejects_bad_tokens() {
    let sb = start(Options::default()).await;
    // Expired: 401 empty, no Basic challenge.
    let r = get_as(&sb, &sb.issue_token(DEMO_USER, -10), "/system/services").await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    assert_eq!(r.header("www-authenticate"), None);
    // Tampered payload: 401 empty.
    let t = sb.issue_token(DEMO_USER, 600);
    let r = get_as(&sb, &tamper(&t), "/system/services").await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    // Another sandbox's token: a foreign issuer, 401 text.
    let other = start(Options::default()).await;
    let r = get_as(&sb, &other.issue_token(DEMO_USER, 600), "/system/services").await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.text(),
        format!(
            "'{}/oidc' is not listed as an authorized issuer",
            other.url()
        )
    );
    // Not a JWT: 400 with the parse error.
    let r = get_as(&sb, "abc", "/system/services").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text(),
        "token is malformed: token contains an invalid number of segments"
    );
    // Wrong Basic and no header still get the Basic challenge.
    let r = req(&sb.url(), "GET", "/system/services", &[], b"").await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());

    // OIDC off: a valid token is a failed Basic auth.
    let off = start(Options {
        oidc: false,
        ..Options::default()
    })
    .await;
    let r = get_as(&off, &off.issue_token(DEMO_USER, 600), "/system/services").await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
}

/// The token with `sub` changed and the old signature kept.
fn tamper(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    claims["sub"] = Value::from("cluster_admin");
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    )
}

#[tokio::test]
async fn run_and_job_with_the_users_jwt() {
    let sb = start(Options::default()).await;
    let t = sb.issue_token(DEMO_USER, 600);
    let h = bearer(&t);
    let post = |path: &'static str, auth: String, body: &'static [u8]| {
        let url = sb.url();
        async move {
            req(
                &url,
                "POST",
                path,
                &[("Authorization", auth.as_str())],
                body,
            )
            .await
        }
    };
    // Public service: runs.
    let r = post("/run/echo", h.clone(), b"aGVsbG8=").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "aGVsbG8=\n");
    // Own private service: runs (sleep-test sleeps, so use /job).
    let r = post("/job/sleep-test", h.clone(), b"aGVsbG8=").await;
    assert_eq!(r.status, 201);
    // Someone else's private service, or none: 404.
    let r = post("/run/grayify", h.clone(), b"aGVsbG8=").await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
    assert_eq!(
        post("/job/grayify", h.clone(), b"aGVsbG8=").await.status,
        404
    );
    assert_eq!(post("/run/nope", h.clone(), b"aGVsbG8=").await.status, 404);
    // Expired and tampered: 401 empty.
    let r = post(
        "/run/echo",
        bearer(&sb.issue_token(DEMO_USER, -1)),
        b"aGVsbG8=",
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    let r = post("/run/echo", bearer(&tamper(&t)), b"aGVsbG8=").await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    // Not a JWT on /run: 502 with the parse error (§2).
    let r = post("/run/echo", "Bearer abc".into(), b"aGVsbG8=").await;
    assert_eq!(r.status, 502);
    assert!(r.text().contains("token is malformed"));
}
