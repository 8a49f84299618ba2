//! Profiles the pieces of a sync run in the page, to choose how to read,
//! encode and send (`scripts/bench.sh` prints it before the run benchmark).
use base64::Engine;
use e2e::{with_app, Options, Sandbox};
use oscar_sandbox::fixtures;
use serde_json::{json, Value};

/// PUTs the big file to presigned URLs: XHR with and without progress, and fetch.
const PUT_JS: &str = r#"
const [urls] = arguments;
const done = arguments[arguments.length - 1];
const file = window.__bigFile;
const runs = {};
const put = (name, url, how) => { const t = performance.now(); return new Promise((resolve, reject) => {
  if (how === 'fetch') {
    fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: file }).then(r => r.arrayBuffer()).then(resolve, reject);
  } else {
    const x = new XMLHttpRequest(); x.open('PUT', url); x.setRequestHeader('Content-Type', 'application/octet-stream');
    if (how === 'xhr-progress') x.upload.onprogress = () => {};
    x.onload = resolve; x.onerror = reject; x.send(file);
  }
}).then(() => { (runs[name] ??= []).push(performance.now() - t); }); };
(async () => {
  let i = 0;
  for (let round = 0; round < 5; round++) {
    await put('PUT 100 MB: xhr+progress', urls[i++], 'xhr-progress');
    await put('PUT 100 MB: xhr', urls[i++], 'xhr');
    await put('PUT 100 MB: fetch', urls[i++], 'fetch');
  }
  const out = {};
  for (const [k, v] of Object.entries(runs)) { v.sort((a, b) => a - b); out[k + ' (median of 5)'] = Math.round(v[2]); }
  done(out);
})().catch(e => done({ error: String(e) }));"#;

const PROBE_JS: &str = r#"
const [url, token, b64len] = arguments;
const done = arguments[arguments.length - 1];
const input = document.querySelector('input[type=file]:not(#probe-big)');
const file = input.files[0];
const out = {};
const time = async (name, f) => { const t = performance.now(); const r = await f(); out[name] = Math.round((performance.now() - t) * 10) / 10; return r; };
(async () => {
  const CH = 3 * 1024 * 1024, BIG = 12 * 1024 * 1024;
  await time('read slices 3MiB', async () => { for (let o = 0; o < file.size; o += CH) await file.slice(o, o + CH).arrayBuffer(); });
  await time('read slices 12MiB', async () => { for (let o = 0; o < file.size; o += BIG) await file.slice(o, o + BIG).arrayBuffer(); });
  const whole = new Uint8Array(await time('read whole', () => file.arrayBuffer()));
  const text = await time('toBase64 whole', async () => whole.toBase64());
  const parts = await time('toBase64 3MiB parts', async () => { const p = []; for (let o = 0; o < whole.length; o += CH) p.push(whole.subarray(o, o + CH).toBase64()); return p; });
  const blob = await time('Blob of string parts', async () => new Blob(parts, { type: 'text/plain' }));
  const ascii = await time('encodeInto one buffer', async () => { const b = new Uint8Array(b64len); let at = 0; const enc = new TextEncoder(); for (const p of parts) at += enc.encodeInto(p, b.subarray(at)).written; return b; });
  const blobAscii = await time('Blob of one byte buffer', async () => new Blob([ascii], { type: 'text/plain' }));
  const runs = {};
  const send = (name, body, how) => { const t = performance.now(); return new Promise((resolve, reject) => {
    if (how === 'fetch') {
      fetch(url, { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'text/plain' }, body })
        .then(r => r.arrayBuffer()).then(resolve, reject);
    } else {
      const x = new XMLHttpRequest(); x.open('POST', url); x.responseType = 'arraybuffer';
      x.setRequestHeader('Authorization', 'Bearer ' + token); x.setRequestHeader('Content-Type', 'text/plain');
      if (how === 'xhr-progress') x.upload.onprogress = () => {};
      x.onload = () => resolve(x.response); x.onerror = reject; x.send(body);
    }
  }).then(() => { (runs[name] ??= []).push(performance.now() - t); }); };
  for (let i = 0; i < 9; i++) {
    await send('send: xhr+progress Blob(strings)', blob, 'xhr-progress');
    await send('send: xhr Blob(strings)', blob, 'xhr');
    await send('send: fetch Blob(strings)', blob, 'fetch');
    await send('send: xhr+progress Blob(bytes)', blobAscii, 'xhr-progress');
    await send('send: fetch Blob(bytes)', blobAscii, 'fetch');
    await send('send: xhr+progress Uint8Array', ascii, 'xhr-progress');
    await send('send: fetch Uint8Array', ascii, 'fetch');
  }
  for (const [k, v] of Object.entries(runs)) { v.sort((a, b) => a - b); out[k + ' (median of 9)'] = Math.round(v[4]); }
  // Per-chunk work on a big file: the longest synchronous step, by chunk size.
  const bigFile = window.__bigFile;
  if (bigFile) {
    for (const mib of [1, 3, 6, 12]) {
      const ch = mib * 1024 * 1024; const enc = new TextEncoder(); const parts = [];
      let worst = 0, worstParts = ''; const t0 = performance.now();
      for (let o = 0; o < bigFile.size; o += ch) {
        const buf = new Uint8Array(await bigFile.slice(o, o + ch).arrayBuffer());
        const a = performance.now(); const s = buf.toBase64(); const b = performance.now(); const e = enc.encode(s); const c = performance.now();
        parts.push(new Blob([e])); const d = performance.now();
        if (d - a > worst) { worst = d - a; worstParts = `toBase64 ${Math.round(b - a)} encode ${Math.round(c - b)} blob ${Math.round(d - c)}`; }
      }
      const all = new Blob(parts);
      out[`100MB in ${mib} MiB chunks`] = `${Math.round(performance.now() - t0)} total, worst step ${Math.round(worst)} (${worstParts})`;
    }
  }
  done(out);
})().catch(e => done({ error: String(e) }));"#;

#[tokio::main]
async fn main() {
    let oscar = Sandbox::start(Options::default()).await.expect("stand-in");
    let (url, user, pass) = (oscar.url(), oscar.username().to_string(), oscar.password().to_string());
    let side = ((10_000_000 / 3) as f64).sqrt() as u32;
    let png = fixtures::png_noise(side, side, 7);
    let path = e2e::temp_file("noise-10mb.png", &png);
    let b64len = base64::engine::general_purpose::STANDARD.encode(&png).len();
    let svc: Value = {
        let out = std::process::Command::new("curl").args(["-s", "-u", &format!("{user}:{pass}"), &format!("{url}/system/services/plants-classification-sync")]).output().expect("curl");
        serde_json::from_slice(&out.stdout).expect("service")
    };
    let token = svc["token"].as_str().unwrap_or_default().to_string();
    let (url2, user2, pass2) = (url.clone(), user.clone(), pass.clone());
    with_app(move |page| async move {
        page.open("/services/plants-classification-sync").await;
        page.log_in(&url, &user, &pass).await;
        page.wait_text("h2", |t| t == "Input").await;
        page.field("Image file").await.send_keys(&path.display().to_string()).await.expect("choose");
        // A 100 MB file in the page, from a second picker made for the probe.
        let big = std::env::temp_dir().join("visor-probe-100mb.bin");
        if !big.exists() {
            std::fs::write(&big, vec![7u8; 100_000_000]).expect("big");
        }
        page.js("const i = document.createElement('input'); i.type = 'file'; i.id = 'probe-big'; document.body.append(i); return null").await;
        page.client.find(fantoccini::Locator::Id("probe-big")).await.expect("probe input").send_keys(&big.display().to_string()).await.expect("big file");
        page.js("window.__bigFile = document.getElementById('probe-big').files[0]; return null").await;
        let r = page.client.execute_async(PROBE_JS, vec![json!(format!("{url}/run/plants-classification-sync")), json!(token), json!(b64len)]).await.expect("probe");
        for (k, v) in r.as_object().cloned().unwrap_or_default() {
            println!("{k:<28} {v} ms");
        }
        // Presigned PUT URLs into a path of grayify's bucket that starts no job.
        let urls: Vec<String> = (0..15)
            .map(|i| {
                let body = json!({"object_key": format!("probe/put-{i}.bin"), "operation": "upload", "expires_in": 600, "content_type": "application/octet-stream"});
                let out = std::process::Command::new("curl")
                    .args(["-s", "-u", &format!("{user2}:{pass2}"), "-H", "Content-Type: application/json", "--data", &body.to_string()])
                    .arg(format!("{url2}/system/buckets/grayify/presign"))
                    .output()
                    .expect("curl");
                serde_json::from_slice::<Value>(&out.stdout).ok().and_then(|v| v["url"].as_str().map(String::from)).unwrap_or_default()
            })
            .collect();
        let r = page.client.execute_async(PUT_JS, vec![json!(urls)]).await.expect("put probe");
        for (k, v) in r.as_object().cloned().unwrap_or_default() {
            println!("{k:<28} {v} ms");
        }
    })
    .await;
}
