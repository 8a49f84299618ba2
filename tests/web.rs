//! wasm tier: components mounted in a real (headless Chromium) browser, and
//! the sessionStorage door. Run with
//! `cargo test --target wasm32-unknown-unknown --test web` (see README).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use oscar_visor::components::{LoginForm, ServiceCardView};
use oscar_visor::interface::ServiceCard;
use oscar_visor::oscar::{ClusterConfig, Credentials, Endpoint, Secret, ServiceList};
use oscar_visor::session::{store, Session};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

/// A fresh container for one test's component.
fn container() -> HtmlElement {
    let div = document().create_element("div").expect("div").unchecked_into::<HtmlElement>();
    document().body().expect("body").append_child(&div).expect("append");
    div
}

async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Polls until `cond` holds; Leptos updates the DOM asynchronously.
async fn wait_until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..200 {
        if cond() {
            return;
        }
        tick(25).await;
    }
    panic!("timed out waiting until {what}");
}

fn text_of(root: &HtmlElement, selector: &str) -> Option<String> {
    root.query_selector(selector).ok().flatten().and_then(|e| e.text_content())
}

fn type_into(root: &HtmlElement, selector: &str, value: &str) {
    let input: HtmlInputElement = root.query_selector(selector).ok().flatten().expect(selector).unchecked_into();
    input.set_value(value);
    let event = web_sys::Event::new("input").expect("event");
    input.dispatch_event(&event).expect("dispatch");
}

#[wasm_bindgen_test]
async fn login_form_has_labelled_fields_and_explains_a_malformed_endpoint() {
    let root = container();
    let succeeded = RwSignal::new(false);
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <LoginForm on_success=Callback::new(move |_| succeeded.set(true))/> }
    });
    for (id, label) in [("login-endpoint", "Endpoint"), ("login-username", "Username"), ("login-password", "Password")] {
        assert_eq!(text_of(&root, &format!("label[for='{id}']")).as_deref(), Some(label));
    }
    let password: HtmlInputElement = root.query_selector("#login-password").ok().flatten().expect("password").unchecked_into();
    assert_eq!(password.type_(), "password");

    type_into(&root, "#login-endpoint", "oscar.example.org");
    type_into(&root, "#login-username", "oscar");
    type_into(&root, "#login-password", "secret");
    root.query_selector("button[type=submit]").ok().flatten().expect("submit").unchecked_into::<HtmlElement>().click();

    wait_until("the endpoint error shows", || {
        text_of(&root, "#login-endpoint-hint").is_some_and(|t| t.contains("https://oscar.example.org"))
    })
    .await;
    let endpoint = root.query_selector("#login-endpoint").ok().flatten().expect("endpoint");
    assert_eq!(endpoint.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(endpoint.unchecked_into::<HtmlInputElement>().value(), "oscar.example.org", "input is kept");
    assert!(!succeeded.get_untracked());
}

#[wasm_bindgen_test]
async fn service_card_shows_name_link_resources_and_modes() {
    let list = ServiceList::parse(
        r#"[{"name":"grayify","image":"ghcr.io/grycap/imagemagick","cpu":"0.5","memory":"1Gi",
            "owner":"cluster_admin","visibility":"public",
            "input":[{"storage_provider":"minio","path":"grayify/in"}]}]"#,
    )
    .expect("list");
    let config = ClusterConfig::parse(r#"{"config":{"serverless_backend":"knative"},"minio_provider":null}"#).expect("config");
    let card = ServiceCard::new(&list.services[0], &config);
    let root = container();
    let _mounted = leptos::mount::mount_to(root.clone(), move || view! { <ul><ServiceCardView card/></ul> });
    wait_until("the card renders", || text_of(&root, ".service-card__name").is_some()).await;
    let link = root.query_selector(".service-card__link").ok().flatten().expect("link");
    assert_eq!(link.get_attribute("href").as_deref(), Some("/services/grayify"));
    assert_eq!(link.text_content().as_deref(), Some("grayify"));
    assert_eq!(text_of(&root, ".badge").as_deref(), Some("sync · async"));
    let facts = text_of(&root, ".facts-row").unwrap_or_default();
    for expected in ["CPU", "0.5", "Memory", "1Gi", "Owner", "cluster_admin", "Visibility", "public"] {
        assert!(facts.contains(expected), "{expected} missing from {facts}");
    }
}

#[wasm_bindgen_test]
fn session_lives_in_session_storage_only() {
    let window = web_sys::window().expect("window");
    let local = window.local_storage().ok().flatten().expect("localStorage");
    local.clear().expect("clear");
    let config = ClusterConfig::parse(r#"{"config":{"name":"c"},"minio_provider":null}"#).expect("config");
    let session = Session::new(
        Endpoint::parse("http://127.0.0.1:8080").expect("endpoint"),
        Credentials::Basic { username: "oscar".into(), password: Secret::new("wasm-test-password") },
        config,
    );
    store::save(&session).expect("save");
    assert_eq!(store::load(), Some(session));
    assert_eq!(local.length().expect("length"), 0, "nothing in localStorage");
    store::clear();
    assert_eq!(store::load(), None);
}

#[wasm_bindgen_test]
fn corrupt_stored_session_means_logged_out() {
    let storage = web_sys::window().expect("window").session_storage().ok().flatten().expect("sessionStorage");
    storage.set_item("oscar-visor.session", "{not json").expect("set");
    assert_eq!(store::load(), None);
    assert_eq!(storage.get_item("oscar-visor.session").ok().flatten(), None, "the corrupt entry is removed");
}

/// `Uint8Array.prototype`, to take `toBase64` away and put it back.
fn uint8_prototype() -> js_sys::Object {
    let ctor = js_sys::Reflect::get(&js_sys::global(), &"Uint8Array".into()).expect("Uint8Array");
    js_sys::Reflect::get(&ctor, &"prototype".into()).expect("prototype").unchecked_into()
}

#[wasm_bindgen_test]
async fn native_and_wasm_base64_give_the_same_bytes_across_chunk_borders() {
    use base64::Engine;
    use oscar_visor::browser::{base64_of_blob, blob, has_native_base64, read_blob};
    use oscar_visor::oscar::invoke::{BASE64_CHUNK, READ_CHUNK};
    assert!(has_native_base64(), "Chromium here has Uint8Array.prototype.toBase64");
    for size in [0, 1, 2, BASE64_CHUNK + 1, READ_CHUNK + BASE64_CHUNK + 2] {
        let bytes: Vec<u8> = (0..size).map(|i| (i * 31 % 253) as u8).collect();
        let source = blob(&bytes, "application/octet-stream").expect("blob");
        let native = read_blob(&base64_of_blob(&source, |_| {}).await.expect("native")).await.expect("read");
        let proto = uint8_prototype();
        let saved = js_sys::Reflect::get(&proto, &"toBase64".into()).expect("toBase64");
        js_sys::Reflect::delete_property(&proto, &"toBase64".into()).expect("delete");
        assert!(!has_native_base64(), "the fallback is what runs now");
        let fallback = base64_of_blob(&source, |_| {}).await;
        js_sys::Reflect::set(&proto, &"toBase64".into(), &saved).expect("restore");
        let fallback = read_blob(&fallback.expect("fallback")).await.expect("read");
        let expected = base64::engine::general_purpose::STANDARD.encode(&bytes);
        assert_eq!(native.len(), expected.len(), "{size} bytes");
        assert!(native == expected.as_bytes(), "native toBase64 gives the standard encoding of {size} bytes");
        assert!(fallback == native, "the wasm fallback gives the same bytes for {size} bytes");
    }
}
