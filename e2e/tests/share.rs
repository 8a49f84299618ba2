//! Share links: "Copy link" puts the typed inputs in the URL fragment (never
//! a file, never a credential); the link leads through login and fills them
//! in, and does not run on its own.

use e2e::{with_app, Options, Sandbox};
use oscar_sandbox::fixtures;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_link_fills_the_typed_inputs_after_login_and_does_not_run() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    let image = e2e::temp_file("secret-plan.png", &fixtures::png(8, 8, [1, 2, 3]));
    with_app(move |page| async move {
        page.open("/services/image-caption").await;
        page.wait_path("the login page", |p| p.starts_with("/login")).await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_text("h2", |t| t == "Input").await;
        page.fill("Caption", "a red leaf & 100% more #1").await;
        page.field("Shout").await.click().await.expect("shout");
        page.field("Image").await.send_keys(&image.display().to_string()).await.expect("image");
        page.press("Copy link").await;
        page.wait_text(".share-row ~ .field__hint", |t| t == "Not in the link: Image.").await;
        let link = page.js("return document.getElementById('share-link').value").await.as_str().unwrap_or_default().to_string();
        assert!(link.starts_with(&format!("{}/services/image-caption#inputs?", page.app_url)), "{link}");
        assert!(link.contains("caption=a%20red%20leaf%20%26%20100%25%20more%20%231") && link.contains("shout=true"), "{link}");
        for secret in ["secret-plan", oscar.password(), oscar.username()] {
            assert!(!link.contains(secret), "a file name or a credential is in the link");
        }

        page.press("Log out").await;
        page.wait_path("the login page", |p| p.starts_with("/login")).await;
        page.client.goto(&link).await.expect("open the link");
        page.wait_path("the login page", |p| p.starts_with("/login")).await;
        page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
        page.wait_text(".notice", |t| t == "Inputs from a shared link: Caption, Shout. Check them, then press Run.").await;
        assert_eq!(page.value_of("Caption").await, "a red leaf & 100% more #1");
        let shout = page.field("Shout").await.prop("checked").await.ok().flatten();
        assert_eq!(shout.as_deref(), Some("true"));
        assert_eq!(page.value_of("Image").await, "", "no file came with the link");
        assert!(page.texts(".run-caption").await.is_empty(), "the link did not run the service");
        assert!(oscar.last_run_body("image-caption").is_none(), "nothing was sent");
    })
    .await;
}
