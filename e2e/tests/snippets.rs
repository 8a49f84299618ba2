//! "Use via API": the snippets the page shows are copied from it and run
//! for real against the stand-in (curl with bash, Python with GRyCAP's
//! oscar-python 2.2.0 from scripts/install-tools.sh), and must give what
//! the page showed. The oscar-cli snippet, which cannot run here, is held to
//! oscar-cli's documented commands and flags. No secret is ever in a snippet.

use e2e::{eventually, with_app, Options, Page, Sandbox};
use oscar_sandbox::fixtures;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

async fn open_logged_in(page: &Page, oscar: &Sandbox, service: &str) {
    page.open(&format!("/services/{service}")).await;
    page.log_in(&oscar.url(), oscar.username(), oscar.password()).await;
    page.wait_text("h2", |t| t == "Input").await;
}

async fn run(page: &Page) {
    page.press("Run").await;
    page.wait_text(".run-caption", |t| t.starts_with("Finished in")).await;
}

/// Opens "Use via API" on `tab`, presses its Copy button, and returns the
/// snippet as the clipboard got it (checked against the text shown).
async fn copy_snippet(page: &Page, tab: &str, stem: &str) -> String {
    page.js("const d = document.querySelector('details.api'); if (!d.open) d.querySelector('summary').click(); return null").await;
    page.press(tab).await;
    let shown = eventually(&format!("the {tab} snippet"), || async {
        let v = page.js(&format!("const p = document.querySelector('#tab-{stem} pre'); return p && p.checkVisibility() ? p.textContent : null")).await;
        v.as_str().map(String::from)
    })
    .await;
    page.cdp("Browser.grantPermissions", json!({"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})).await;
    let button = page.client.find(fantoccini::Locator::Css(&format!("#tab-{stem} button"))).await.expect("a Copy button");
    button.click().await.expect("press Copy");
    page.wait_text(&format!("#tab-{stem} button"), |t| t == "Copied").await;
    let copied = page.client.execute_async("navigator.clipboard.readText().then(arguments[0], e => arguments[0]('failed: ' + e))", vec![]).await.expect("read the clipboard");
    let copied = copied.as_str().unwrap_or_default().to_string();
    assert_eq!(copied, shown, "Copy puts the snippet shown in the clipboard");
    copied
}

/// A fresh folder holding `files`, to run a snippet in.
fn workdir(files: &[(&str, &[u8])]) -> PathBuf {
    let first = e2e::temp_file(".keep", b"");
    let dir = first.parent().expect("a folder").to_path_buf();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write an input");
    }
    dir
}

/// Runs `program` with `script` in `dir`, with the password (the only
/// secret the snippets ask for) in the environment; returns stdout.
async fn run_script(program: &Path, args: &[&str], script: &str, dir: &Path, oscar: &Sandbox) -> String {
    let out = tokio::process::Command::new(program)
        .args(args)
        .arg(script)
        .current_dir(dir)
        .env("OSCAR_ENDPOINT", oscar.url())
        .env("OSCAR_USER", oscar.username())
        .env("OSCAR_PASSWORD", oscar.password())
        .env_remove("OSCAR_TOKEN")
        .output()
        .await
        .expect("run the snippet");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "the snippet failed ({}):\n{script}\nstdout: {stdout}\nstderr: {}", out.status, String::from_utf8_lossy(&out.stderr));
    stdout
}

async fn bash(script: &str, dir: &Path, oscar: &Sandbox) -> String {
    run_script(Path::new("bash"), &["-c"], script, dir, oscar).await
}

/// The virtualenv python with oscar-python (scripts/install-tools.sh).
fn python() -> PathBuf {
    let tools = std::env::var("VISOR_TOOLS").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/oscar-visor/tools")
    });
    let py = tools.join("py/bin/python");
    assert!(py.exists(), "{} is missing: scripts/install-tools.sh installs oscar-python", py.display());
    py
}

async fn py(script: &str, dir: &Path, oscar: &Sandbox) -> String {
    run_script(&python(), &["-c"], script, dir, oscar).await
}

fn assert_no_secret(snippet: &str, oscar: &Sandbox, service: &str) {
    let token = oscar.service_token(service).expect("the service's token");
    for secret in [oscar.password(), token.as_str()] {
        // The message never shows the snippet: it would print the secret.
        assert!(!snippet.contains(secret), "a secret is in the {service} snippet");
    }
}

/// The output text as the page shows it, exactly.
async fn output_text(page: &Page) -> String {
    page.js("return document.querySelector('.output-text').textContent").await.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_and_python_snippets_print_the_same_cowsay_as_the_page() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    with_app(move |page| async move {
        open_logged_in(&page, &oscar, "cowsay").await;
        page.fill("JSON", r#"{"message": "It's \"quoted\" $HOME `x` 🐮"}"#).await;
        run(&page).await;
        let art = output_text(&page).await;
        assert!(art.contains(r#"< It's "quoted" $HOME `x` 🐮 >"#), "{art}");

        let curl = copy_snippet(&page, "curl", "api-curl").await;
        assert_no_secret(&curl, &oscar, "cowsay");
        assert!(curl.contains("/run/cowsay"), "{curl}");
        let dir = workdir(&[]);
        assert_eq!(bash(&curl, &dir, &oscar).await.trim_end(), art.trim_end(), "curl prints what the page showed");

        let python = copy_snippet(&page, "Python", "api-python").await;
        assert_no_secret(&python, &oscar, "cowsay");
        assert_eq!(py(&python, &dir, &oscar).await.trim_end(), art.trim_end(), "Python prints what the page showed");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snippets_for_an_image_write_the_same_bytes_the_page_shows() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    let png = fixtures::png_gradient(24, 16);
    let picked = e2e::temp_file("leaf photo.png", &png);
    with_app(move |page| async move {
        open_logged_in(&page, &oscar, "grayify").await;
        page.field("Image file").await.send_keys(&picked.display().to_string()).await.expect("choose the image");
        page.wait_text(".send-preview", |t| t.contains("leaf photo.png")).await;
        page.client.find(fantoccini::Locator::Css("input[name=run-mode][value=sync]")).await.expect("sync").click().await.expect("sync");
        run(&page).await;
        let shown = page
            .client
            .execute_async(
                "fetch(document.querySelector('.output-image img, img.output-image').src).then(r => r.arrayBuffer()).then(b => arguments[0](Array.from(new Uint8Array(b))))",
                vec![],
            )
            .await
            .expect("the shown image");
        let shown: Vec<u8> = serde_json::from_value(shown).expect("bytes");
        assert_ne!(shown, png, "grayify changed the image");

        let curl = copy_snippet(&page, "curl", "api-curl").await;
        assert_no_secret(&curl, &oscar, "grayify");
        let dir = workdir(&[("leaf photo.png", &png)]);
        bash(&curl, &dir, &oscar).await;
        assert_eq!(std::fs::read(dir.join("output.png")).expect("curl wrote output.png"), shown);

        let python = copy_snippet(&page, "Python", "api-python").await;
        assert_no_secret(&python, &oscar, "grayify");
        let dir = workdir(&[("leaf photo.png", &png)]);
        py(&python, &dir, &oscar).await;
        assert_eq!(std::fs::read(dir.join("output.png")).expect("Python wrote output.png"), shown);

        let cli = copy_snippet(&page, "oscar-cli", "api-cli").await;
        assert_no_secret(&cli, &oscar, "grayify");
        assert_documented(&cli);
        assert!(cli.contains("oscar-cli service run grayify --cluster visor --file-input 'leaf photo.png' --output output.png --decode-output"), "{cli}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_with_a_file_and_typed_inputs_runs_from_curl_and_python() {
    let oscar = Arc::new(Sandbox::start(Options::default()).await.expect("stand-in"));
    let png = fixtures::png(12, 9, [200, 40, 40]);
    let picked = e2e::temp_file("red.png", &png);
    with_app(move |page| async move {
        open_logged_in(&page, &oscar, "image-caption").await;
        page.field("Image").await.send_keys(&picked.display().to_string()).await.expect("choose the image");
        page.fill("Caption", "a 'red' square & more").await;
        page.field("Shout").await.click().await.expect("shout");
        run(&page).await;
        page.cdp("Browser.grantPermissions", json!({"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})).await;
        page.press("Copy JSON").await;
        page.wait_text(".field__hint[role=status]", |t| t == "Copied.").await;
        let copied = page.client.execute_async("navigator.clipboard.readText().then(arguments[0])", vec![]).await.expect("the page's JSON");
        let shown: Value = serde_json::from_str(copied.as_str().unwrap_or_default()).expect("the page's JSON parses");
        assert_eq!(shown["caption"], json!("A 'RED' SQUARE & MORE"), "{shown}");

        let curl = copy_snippet(&page, "curl", "api-curl").await;
        assert_no_secret(&curl, &oscar, "image-caption");
        assert!(curl.contains("base64 -w0 'red.png'"), "the file is read by name: {curl}");
        let dir = workdir(&[("red.png", &png)]);
        bash(&curl, &dir, &oscar).await;
        let from_curl: Value = serde_json::from_slice(&std::fs::read(dir.join("output.json")).expect("curl wrote output.json")).expect("JSON");
        assert_eq!(from_curl, shown);

        let python = copy_snippet(&page, "Python", "api-python").await;
        assert_no_secret(&python, &oscar, "image-caption");
        let dir = workdir(&[("red.png", &png)]);
        py(&python, &dir, &oscar).await;
        let from_python: Value = serde_json::from_slice(&std::fs::read(dir.join("output.json")).expect("Python wrote output.json")).expect("JSON");
        assert_eq!(from_python, shown);
        assert_documented(&copy_snippet(&page, "oscar-cli", "api-cli").await);
    })
    .await;
}

/// oscar-cli's documented commands (grycap/oscar-cli README, v1.x): the
/// words of each, how many positional arguments it takes, and its flags.
const DOCUMENTED: &[(&[&str], usize, usize, &[&str])] = &[
    (&["cluster", "add"], 3, 4, &["--disable-ssl", "-o", "--oidc-account-name", "--password-stdin", "--config"]),
    (&["service", "run"], 1, 1, &["-c", "--cluster", "--decode-output", "-e", "--endpoint", "-f", "--file-input", "-o", "--output", "-i", "--text-input", "-t", "--token", "--config"]),
    (&["service", "put-file"], 2, 4, &["-c", "--cluster", "--no-progress", "--config"]),
    (&["service", "get-file"], 1, 4, &["-c", "--cluster", "--download-latest-into", "--no-progress", "--config"]),
    (&["service", "logs", "list"], 1, 1, &["-s", "--status", "-c", "--cluster", "--config"]),
];

/// Flags that take a value.
const WITH_VALUE: &[&str] = &["-c", "--cluster", "-e", "--endpoint", "-f", "--file-input", "-o", "--output", "-i", "--text-input", "-t", "--token", "--config", "-s", "--status", "--oidc-account-name"];

/// Splits a shell line into words (single and double quotes, no expansion).
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quote, mut any) = (Vec::new(), String::new(), None::<char>, false);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

/// Every `oscar-cli` command in `snippet` is documented, with documented flags.
fn assert_documented(snippet: &str) {
    let mut seen = 0;
    for line in snippet.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let Some(at) = line.find("oscar-cli ") else { continue };
        seen += 1;
        let w = words(&line[at + "oscar-cli ".len()..]);
        let (cmd, min, max, flags) = DOCUMENTED
            .iter()
            .find(|(cmd, ..)| w.len() >= cmd.len() && w.iter().zip(cmd.iter()).all(|(a, b)| a == b))
            .unwrap_or_else(|| panic!("not a documented oscar-cli command: {line}"));
        let mut positional = 0;
        let mut rest = w[cmd.len()..].iter();
        while let Some(word) = rest.next() {
            if word.starts_with('-') {
                let name = word.split('=').next().unwrap_or_default();
                assert!(flags.contains(&name), "oscar-cli {} has no flag {name}: {line}", cmd.join(" "));
                if WITH_VALUE.contains(&name) && !word.contains('=') {
                    rest.next();
                }
            } else {
                positional += 1;
            }
        }
        assert!((*min..=*max).contains(&positional), "oscar-cli {} takes {min} to {max} arguments, not {positional}: {line}", cmd.join(" "));
    }
    assert!(seen >= 2, "the snippet adds the cluster and runs: {snippet}");
}

#[test]
fn the_flag_check_catches_an_undocumented_flag() {
    let caught = std::panic::catch_unwind(|| assert_documented("oscar-cli cluster add a 'http://x' u --password-stdin\noscar-cli service run s --input x"));
    assert!(caught.is_err(), "--input is not an oscar-cli flag");
    assert_documented("oscar-cli cluster add a 'http://x' u --password-stdin\noscar-cli service run s -c a --text-input 'a b' --decode-output");
}
