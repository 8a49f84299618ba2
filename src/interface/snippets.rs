//! "Use via API": the current run as a curl, oscar-cli or Python script.
//!
//! The snippets send what the page would send (OSCAR-API.md §7, §8): the
//! body comes from the same builder as a run ([`payload::build`]), with each
//! file a JSON body embeds standing for its base64, which the script makes
//! from the local file of the same name. Secrets never appear: the scripts
//! read `OSCAR_ENDPOINT`, `OSCAR_USER`, `OSCAR_PASSWORD` and `OSCAR_TOKEN`
//! from the environment, and fetch the service's token themselves.

use super::asyncplan::AsyncPlan;
use super::payload::{self, Payload, Values};
use super::spec::{Encoding, Spec};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::BTreeMap;

/// How the user logged in (never the secret itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Login {
    /// OSCAR's user and password: the scripts fetch the service's token.
    Basic { user: String },
    /// An OIDC access token, sent on every call.
    Oidc,
}

/// The way the page runs the service now.
#[derive(Clone, Debug, PartialEq)]
pub enum Way {
    /// `POST /run/<name>`.
    Sync,
    /// An upload to the input bucket; the output lands in the output bucket.
    Bucket(AsyncPlan),
    /// `POST /job/<name>` (no input bucket).
    Job,
}

/// What a sync answer holds, as far as the page knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Not run yet: the script tries base64 and falls back to text.
    Unknown,
    /// The script's text (no output file).
    Text,
    /// An output file in base64, to be written as `output.<extension>`.
    File(String),
}

/// Everything a snippet is made from.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    pub endpoint: &'a str,
    pub login: Login,
    pub service: &'a str,
    pub spec: &'a Spec,
    pub values: &'a Values,
    pub way: Way,
    pub answer: Answer,
}

/// The three tabs' texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippets {
    pub curl: String,
    pub cli: String,
    pub python: String,
}

/// A piece of a body: text as is, or the base64 of a local file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Text(String),
    FileBase64(String),
}

/// What the request body is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// The base64 of a local file (the single-file shortcut).
    File(String),
    /// The base64 of this text (a text or table input).
    Text(String),
    /// A JSON body, sent as is, files spliced in as base64.
    Json(Vec<Part>),
    /// A local JSON file, sent as is.
    JsonFile(String),
}

impl Body {
    /// The local files the body is made from.
    pub fn files(&self) -> Vec<&str> {
        match self {
            Self::File(f) | Self::JsonFile(f) => vec![f.as_str()],
            Self::Text(_) => Vec::new(),
            Self::Json(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::FileBase64(f) => Some(f.as_str()),
                    Part::Text(_) => None,
                })
                .collect(),
        }
    }
}

/// A stand-in for file number `i`: bytes whose base64 is a marker that no
/// real value contains (16 characters: no padding, so it comes back exact).
fn marker(i: usize) -> String {
    format!("VISORFILE{:04}ZZZ", i % 10_000)
}

/// The body the page would send for these values, or what is missing.
pub fn body(spec: &Spec, values: &Values) -> Result<Body, String> {
    if let Some(f) = payload::single_file(spec, values) {
        return Ok(Body::File(f.name.clone()));
    }
    let files = payload::files_to_read(spec, values);
    if matches!(spec.encoding, Encoding::Json) {
        if let Some((_, f)) = files.first() {
            return Ok(Body::JsonFile(f.name.clone()));
        }
    }
    let mut read = BTreeMap::new();
    let mut names = Vec::new();
    for (i, (id, f)) in files.iter().enumerate() {
        let bytes = STANDARD.decode(marker(i)).map_err(|e| e.to_string())?;
        read.insert(id.to_string(), bytes);
        names.push((marker(i), f.name.clone()));
    }
    let built = payload::build(spec, values, &read).map_err(|why| {
        if names.is_empty() {
            why
        } else {
            format!("{why} (a file this interface reads as text cannot be scripted here: send it from a terminal as the page does)")
        }
    })?;
    match built {
        Payload::File(f) => Ok(Body::File(f.name)),
        Payload::Bytes { bytes, .. } => Ok(Body::Text(String::from_utf8_lossy(&bytes).into_owned())),
        Payload::Json(text) => {
            let parts = splice(&text, &names);
            let found = parts.iter().filter(|p| matches!(p, Part::FileBase64(_))).count();
            if found < names.len() {
                return Err("This interface puts a file's text into the body, which a script cannot copy from the page: choose the input again as a file the body embeds in base64.".into());
            }
            Ok(Body::Json(parts))
        }
    }
}

/// Cuts `text` at every marker, in order of appearance.
fn splice(text: &str, names: &[(String, String)]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let next = names.iter().filter_map(|(m, n)| rest.find(m.as_str()).map(|at| (at, m.len(), n))).min_by_key(|(at, _, _)| *at);
        match next {
            Some((at, len, name)) => {
                if at > 0 {
                    parts.push(Part::Text(rest[..at].to_string()));
                }
                parts.push(Part::FileBase64(name.clone()));
                rest = &rest[at + len..];
            }
            None => {
                if !rest.is_empty() {
                    parts.push(Part::Text(rest.to_string()));
                }
                return parts;
            }
        }
    }
}

/// `s` in single quotes for a POSIX shell.
pub fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` as a Python string literal (JSON's escapes mean the same in Python
/// for everything serde_json writes: it leaves non-ASCII as is).
pub fn py(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// What a log line of the FaaS Supervisor holds (OSCAR-API.md §7).
const LOG_MARK: &str = " - supervisor - ";

/// The three snippets for `cx`, or why the form cannot be sent yet.
pub fn snippets(cx: &Context) -> Result<Snippets, String> {
    let body = body(cx.spec, cx.values)?;
    Ok(Snippets { curl: curl(cx, &body), cli: cli(cx, &body), python: python(cx, &body) })
}

/// `-u user:password` or the OIDC bearer, for `/system` calls.
fn system_auth(login: &Login) -> &'static str {
    match login {
        Login::Basic { .. } => r#"-u "$OSCAR_USER:$OSCAR_PASSWORD""#,
        Login::Oidc => r#"-H "Authorization: Bearer $OSCAR_TOKEN""#,
    }
}

/// The shell lines that set the variables (secrets typed, never written).
fn shell_setup(cx: &Context, token: bool) -> String {
    let mut out = format!("export OSCAR_ENDPOINT={}\n", sh(cx.endpoint));
    match &cx.login {
        Login::Basic { user } => {
            out.push_str(&format!("export OSCAR_USER={}\n", sh(user)));
            out.push_str("# The password is typed, never written down: it stays out of files and of this snippet.\n");
            out.push_str("[ -n \"$OSCAR_PASSWORD\" ] || { read -rsp 'OSCAR password: ' OSCAR_PASSWORD; echo; export OSCAR_PASSWORD; }\n");
            if token {
                out.push_str(&format!(
                    "# The service's token, from its definition (GET /system/services/{name}).\n\
                     OSCAR_TOKEN=$(curl -fsS {auth} \"$OSCAR_ENDPOINT/system/services/{name}\" | grep -o '\"token\" *: *\"[^\"]*\"' | head -n 1 | cut -d '\"' -f 4)\n",
                    name = cx.service,
                    auth = system_auth(&cx.login),
                ));
            }
        }
        Login::Oidc => {
            out.push_str("# An OIDC access token for this cluster (for example: oidc-token <account>), typed, never written down.\n");
            out.push_str("[ -n \"$OSCAR_TOKEN\" ] || { read -rsp 'OIDC access token: ' OSCAR_TOKEN; echo; export OSCAR_TOKEN; }\n");
        }
    }
    out
}

/// Shell commands that write the body to stdout, and whether they do (else
/// curl reads a file or an argument: the returned curl data option).
fn shell_body(body: &Body) -> (String, String) {
    match body {
        Body::File(f) => (format!("base64 -w0 {} | ", sh(f)), "--data-binary @-".into()),
        Body::Text(t) => (format!("printf '%s' {} | base64 -w0 | ", sh(t)), "--data-binary @-".into()),
        Body::JsonFile(f) => (String::new(), format!("--data-binary @{}", sh(f))),
        Body::Json(parts) if parts.iter().all(|p| matches!(p, Part::Text(_))) => {
            let text: String = parts.iter().map(|p| if let Part::Text(t) = p { t.as_str() } else { "" }).collect();
            (String::new(), format!("--data-binary {}", sh(&text)))
        }
        Body::Json(parts) => {
            let mut lines = String::from("{\n");
            for p in parts {
                match p {
                    Part::Text(t) => lines.push_str(&format!("  printf '%s' {}\n", sh(t))),
                    Part::FileBase64(f) => lines.push_str(&format!("  base64 -w0 {}\n", sh(f))),
                }
            }
            lines.push_str("} | ");
            (lines, "--data-binary @-".into())
        }
    }
}

/// The Content-Type the body goes with (OSCAR ignores it and echoes it back).
fn content_type(body: &Body) -> &'static str {
    match body {
        Body::Json(_) | Body::JsonFile(_) => "application/json",
        Body::File(_) | Body::Text(_) => "text/plain",
    }
}

fn curl(cx: &Context, body: &Body) -> String {
    let name = cx.service;
    match &cx.way {
        Way::Sync | Way::Job => {
            let job = cx.way == Way::Job;
            let mut out = shell_setup(cx, matches!(cx.login, Login::Basic { .. }));
            let (feed, data) = shell_body(body);
            let path = if job { "job" } else { "run" };
            out.push_str(&format!(
                "{}\n{feed}curl -fsS -X POST \"$OSCAR_ENDPOINT/{path}/{name}\" -H \"Authorization: Bearer $OSCAR_TOKEN\" -H 'Content-Type: {}' {data}",
                if job { format!("# POST /job/{name}: the cluster runs it as a job and answers 201 with no body.") } else { format!("# POST /run/{name}: the answer is OSCAR's log lines, then the output.") },
                content_type(body),
            ));
            if job {
                out.push_str(&format!(
                    "\n# Its jobs and their status (GET /system/logs/{name}), then a job's logs with /system/logs/{name}/<job>.\ncurl -fsS {} \"$OSCAR_ENDPOINT/system/logs/{name}\"\n",
                    system_auth(&cx.login)
                ));
                return out;
            }
            out.push_str(&format!(" \\\n  | grep -v '{LOG_MARK}'"));
            match &cx.answer {
                Answer::Text => out.push('\n'),
                Answer::File(ext) => out.push_str(&format!(" | base64 -d > output.{ext}\necho 'Wrote output.{ext}'\n")),
                Answer::Unknown => out.push_str(
                    " > answer.txt\n# An output file comes in base64; otherwise the answer is the script's text.\n\
                     if base64 -d answer.txt > output.bin 2>/dev/null; then echo 'Wrote output.bin'; else cat answer.txt; fi\n",
                ),
            }
            out
        }
        Way::Bucket(plan) => {
            let mut out = shell_setup(cx, false);
            let (upload, local) = upload_file(body);
            if let Some(lines) = upload {
                out.push_str(&lines);
            }
            let key = join_key(&plan.input_prefix, &local);
            let auth = system_auth(&cx.login);
            out.push_str(&format!(
                "# A presigned upload to the input bucket (POST /system/buckets/{b}/presign), then the upload itself.\n\
                 url=$(curl -fsS {auth} -X POST \"$OSCAR_ENDPOINT/system/buckets/{b}/presign\" -H 'Content-Type: application/json' \\\n  \
                 -d {req} | grep -o '\"url\" *: *\"[^\"]*\"' | cut -d '\"' -f 4 | sed 's/\\\\u0026/\\&/g')\n\
                 curl -fsS -T {file} \"$url\"\n",
                b = plan.input_bucket,
                req = sh(&format!(r#"{{"object_key":{},"operation":"upload","expires_in":900}}"#, py(&key))),
                file = sh(&local),
            ));
            match &plan.output {
                Some((bucket, prefix)) => out.push_str(&format!(
                    "# The cluster runs a job for the upload; its output lands in {bucket}/{prefix}. Its objects:\n\
                     curl -fsS {auth} \"$OSCAR_ENDPOINT/system/buckets/{bucket}\"\n\
                     # Then fetch one with a presigned download (\"operation\":\"download\" and its object_key).\n",
                )),
                None => out.push_str(&format!(
                    "# The cluster runs a job for the upload; it writes no output to a bucket. Its jobs:\ncurl -fsS {auth} \"$OSCAR_ENDPOINT/system/logs/{name}\"\n"
                )),
            }
            out
        }
    }
}

/// A key under `prefix`.
fn join_key(prefix: &str, name: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// For an upload: shell lines that make the local file first (a typed body
/// becomes `input.txt` or `input.json`), and the file's name.
fn upload_file(body: &Body) -> (Option<String>, String) {
    match body {
        Body::File(f) | Body::JsonFile(f) => (None, f.clone()),
        Body::Text(t) => (Some(format!("printf '%s' {} > input.txt\n", sh(t))), "input.txt".into()),
        Body::Json(parts) => {
            let (feed, data) = shell_body(body);
            let lines = if data == "--data-binary @-" {
                format!("{}input.json\n", feed.trim_end_matches("| ").to_string() + "> ")
            } else {
                let text: String = parts.iter().map(|p| if let Part::Text(t) = p { t.as_str() } else { "" }).collect();
                format!("printf '%s' {} > input.json\n", sh(&text))
            };
            (Some(lines), "input.json".into())
        }
    }
}

/// The storage provider of the input, as oscar-cli and oscar-python name it.
const PROVIDER: &str = "minio.default";

fn cli(cx: &Context, body: &Body) -> String {
    let name = cx.service;
    let mut out = String::from("# Once: add the cluster (the password is read from stdin, never from the command line).\n");
    match &cx.login {
        Login::Basic { user } => out.push_str(&format!(
            "printf '%s' \"$OSCAR_PASSWORD\" | oscar-cli cluster add visor {} {} --password-stdin\n",
            sh(cx.endpoint),
            sh(user)
        )),
        Login::Oidc => out.push_str(&format!(
            "oscar-cli cluster add visor {} --oidc-account-name <your oidc-agent account>\n",
            sh(cx.endpoint)
        )),
    }
    match &cx.way {
        Way::Sync | Way::Job => {
            let (make, input) = match body {
                Body::File(f) | Body::JsonFile(f) => (None, format!("--file-input {}", sh(f))),
                Body::Text(t) => (None, format!("--text-input {}", sh(t))),
                Body::Json(parts) if parts.iter().all(|p| matches!(p, Part::Text(_))) => {
                    let text: String = parts.iter().map(|p| if let Part::Text(t) = p { t.as_str() } else { "" }).collect();
                    (None, format!("--text-input {}", sh(&text)))
                }
                Body::Json(_) => {
                    let (lines, _) = upload_file(body);
                    (lines, "--file-input input.json".into())
                }
            };
            if let Some(lines) = make {
                out.push_str("# The JSON body, with the files in base64:\n");
                out.push_str(&lines);
            }
            if cx.way == Way::Job {
                out.push_str("# oscar-cli has no POST /job: upload to the input bucket instead, or use the curl tab.\n");
                return out;
            }
            let output = match &cx.answer {
                Answer::File(ext) => format!(" --output output.{ext} --decode-output"),
                Answer::Text | Answer::Unknown => String::new(),
            };
            out.push_str(&format!("oscar-cli service run {name} --cluster visor {input}{output}\n"));
        }
        Way::Bucket(plan) => {
            let (make, local) = upload_file(body);
            if let Some(lines) = make {
                out.push_str(&lines);
            }
            out.push_str(&format!(
                "# Upload to the input bucket ({}/{}); the cluster runs a job for it.\noscar-cli service put-file {name} {PROVIDER} {} --cluster visor\n",
                plan.input_bucket,
                plan.input_prefix,
                sh(&local)
            ));
            if plan.output.is_some() {
                out.push_str(&format!(
                    "# When the job is done, the newest output:\noscar-cli service get-file {name} {PROVIDER} --download-latest-into=output/ --cluster visor\n"
                ));
            }
            out.push_str(&format!("# The jobs and their status:\noscar-cli service logs list {name} --cluster visor\n"));
        }
    }
    out
}

fn python(cx: &Context, body: &Body) -> String {
    let name = cx.service;
    let mut out = String::from("# Needs: pip install oscar-python==2.2.0\n");
    match &cx.login {
        Login::Basic { user } => out.push_str(&format!(
            "# Set first, in the shell: export OSCAR_ENDPOINT={} OSCAR_USER={}; read -rs OSCAR_PASSWORD; export OSCAR_PASSWORD\n",
            sh(cx.endpoint),
            sh(user)
        )),
        Login::Oidc => out.push_str(&format!(
            "# Set first, in the shell: export OSCAR_ENDPOINT={}; read -rs OSCAR_TOKEN; export OSCAR_TOKEN (an OIDC access token)\n",
            sh(cx.endpoint)
        )),
    }
    out.push_str("import base64\nimport binascii\nimport os\nimport time\n\nfrom oscar_python.client import Client\n\n");
    match &cx.login {
        Login::Basic { .. } => out.push_str(
            "client = Client({\"cluster_id\": \"visor\", \"endpoint\": os.environ[\"OSCAR_ENDPOINT\"],\n                 \
             \"user\": os.environ[\"OSCAR_USER\"], \"password\": os.environ[\"OSCAR_PASSWORD\"], \"ssl\": True})\n",
        ),
        Login::Oidc => out.push_str(
            "client = Client({\"cluster_id\": \"visor\", \"endpoint\": os.environ[\"OSCAR_ENDPOINT\"],\n                 \
             \"oidc_token\": os.environ[\"OSCAR_TOKEN\"], \"ssl\": True})\n",
        ),
    }
    // oscar-python base64-encodes a file given by path; a typed body goes
    // through a file too (it would encode text as ASCII only).
    let local = match body {
        Body::File(f) | Body::JsonFile(f) => f.clone(),
        Body::Text(t) => {
            out.push_str(&format!("\nwith open(\"input.txt\", \"w\", encoding=\"utf-8\") as f:\n    f.write({})\n", py(t)));
            "input.txt".into()
        }
        Body::Json(parts) => {
            let pieces: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => py(t),
                    Part::FileBase64(f) => format!("b64({})", py(f)),
                })
                .collect();
            if parts.iter().any(|p| matches!(p, Part::FileBase64(_))) {
                out.push_str("\n\ndef b64(path):\n    with open(path, \"rb\") as f:\n        return base64.b64encode(f.read()).decode()\n\n");
            }
            out.push_str(&format!(
                "\nbody = {}\nwith open(\"input.json\", \"w\", encoding=\"utf-8\") as f:\n    f.write(body)\n",
                pieces.join(" + ")
            ));
            "input.json".into()
        }
    };
    match &cx.way {
        Way::Sync => {
            out.push_str(&format!(
                "\n# POST /run/{name}; run_service fetches the service's token and sends the file in base64.\n\
                 response = client.run_service({}, input={}, timeout=300)\n\
                 # The answer is OSCAR's log lines, then the output.\n\
                 lines = [l for l in response.text.splitlines() if {} not in l]\n",
                py(name),
                py(&local),
                py(LOG_MARK)
            ));
            match &cx.answer {
                Answer::Text => out.push_str("print(\"\\n\".join(lines).strip(\"\\n\").rstrip())\n"),
                Answer::File(ext) => out.push_str(&format!(
                    "with open(\"output.{ext}\", \"wb\") as f:\n    f.write(base64.b64decode(\"\".join(l.strip() for l in lines)))\nprint(\"Wrote output.{ext}\")\n"
                )),
                Answer::Unknown => out.push_str(
                    "try:\n    output = base64.b64decode(\"\".join(l.strip() for l in lines), validate=True)\n    \
                     with open(\"output.bin\", \"wb\") as f:\n        f.write(output)\n    print(\"Wrote output.bin\")\n\
                     except binascii.Error:\n    print(\"\\n\".join(lines).strip(\"\\n\").rstrip())\n",
                ),
            }
        }
        Way::Job => out.push_str(&format!(
            "\n# POST /job/{name}: the cluster runs it as a job.\nclient.run_service({}, input={}, async_call=True, timeout=300)\nprint(client.list_jobs({}).text)\n",
            py(name),
            py(&local),
            py(name)
        )),
        Way::Bucket(plan) => {
            out.push_str(&format!(
                "\nstorage = client.create_storage_client({})\n# Upload to the input bucket; the cluster runs a job for it.\nstorage.upload_file({}, {}, {})\n",
                py(name),
                py(PROVIDER),
                py(&local),
                py(&join_key(&plan.input_bucket, plan.input_prefix.trim_matches('/')))
            ));
            if let Some((bucket, prefix)) = &plan.output {
                let stem = local.rsplit_once('.').map(|(s, _)| s).unwrap_or(&local).to_string();
                out.push_str(&format!(
                    "# Wait for an output named after the input in {bucket}/{prefix}, then download it here.\n\
                     for _ in range(120):\n    \
                     listing = storage.list_files_from_path({provider}, {path})\n    \
                     keys = [o[\"Key\"] for o in listing.get(\"Contents\", []) if {stem} in o[\"Key\"].rsplit(\"/\", 1)[-1]]\n    \
                     if keys:\n        \
                     storage.download_file({provider}, \".\", {bucket_lit} + \"/\" + keys[0])\n        \
                     print(\"Wrote\", keys[0].rsplit(\"/\", 1)[-1])\n        \
                     break\n    \
                     time.sleep(2)\n\
                     else:\n    \
                     print(\"No output yet: see the jobs with client.list_jobs.\")\n",
                    provider = py(PROVIDER),
                    path = py(&join_key(bucket, prefix.trim_matches('/'))),
                    stem = py(&stem),
                    bucket_lit = py(bucket),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interface::blob::BlobRef;
    use crate::interface::spec::{parse_spec, FieldKind, InputSpec, Mode, Spec, SPEC_VERSION};
    use crate::interface::values::{FileValue, InputValue};

    fn spec_of(json: &str) -> Spec {
        parse_spec(json).expect("spec")
    }

    fn one(kind: FieldKind) -> Spec {
        Spec {
            version: SPEC_VERSION,
            title: String::new(),
            description: String::new(),
            mode: Mode::Both,
            inputs: vec![InputSpec::new("input", kind)],
            encoding: Encoding::Base64,
            outputs: Vec::new(),
            examples: Vec::new(),
        }
    }

    fn file(name: &str) -> InputValue {
        InputValue::File(FileValue::new(name, "image/png", BlobRef::from_bytes(&[1, 2, 3, 4])))
    }

    fn cx<'a>(spec: &'a Spec, values: &'a Values, way: Way, answer: Answer) -> Context<'a> {
        Context {
            endpoint: "http://127.0.0.1:8080",
            login: Login::Basic { user: "oscar".into() },
            service: "svc",
            spec,
            values,
            way,
            answer,
        }
    }

    #[test]
    fn a_single_file_is_sent_as_its_base64() {
        let spec = one(FieldKind::Image);
        let values: Values = [("input".to_string(), file("leaf's.png"))].into();
        assert_eq!(body(&spec, &values), Ok(Body::File("leaf's.png".into())));
        let s = snippets(&cx(&spec, &values, Way::Sync, Answer::File("png".into()))).expect("snippets");
        assert!(s.curl.contains(r"base64 -w0 'leaf'\''s.png' | curl -fsS -X POST "), "{}", s.curl);
        assert!(s.curl.ends_with("| base64 -d > output.png\necho 'Wrote output.png'\n"), "{}", s.curl);
        assert!(s.python.contains(r#"client.run_service("svc", input="leaf's.png", timeout=300)"#), "{}", s.python);
        assert!(s.cli.contains("oscar-cli service run svc --cluster visor --file-input 'leaf'\\''s.png' --output output.png --decode-output"), "{}", s.cli);
    }

    #[test]
    fn a_template_splices_each_file_as_base64_between_the_json_text() {
        let spec = spec_of(
            r#"{"visor":1,"inputs":[{"id":"image","kind":"image"},{"id":"caption","kind":"text"}],
               "request":{"encoding":"template","template":{"img":"{{image}}","text":"{{caption}}","n":1}}}"#,
        );
        let values: Values = [("image".to_string(), file("a b.png")), ("caption".to_string(), InputValue::Text("it's \"red\" 🍂".into()))].into();
        let b = body(&spec, &values).expect("body");
        assert_eq!(
            b,
            Body::Json(vec![
                Part::Text(r#"{"img":""#.into()),
                Part::FileBase64("a b.png".into()),
                Part::Text(r#"","text":"it's \"red\" 🍂","n":1}"#.into()),
            ])
        );
        let s = snippets(&cx(&spec, &values, Way::Sync, Answer::Text)).expect("snippets");
        assert!(s.curl.contains("  base64 -w0 'a b.png'\n"), "{}", s.curl);
        assert!(s.curl.contains(r#"  printf '%s' '","text":"it'\''s \"red\" 🍂","n":1}'"#), "{}", s.curl);
        assert!(s.python.contains(r#"body = "{\"img\":\"" + b64("a b.png") + "\",\"text\":\"it's \\\"red\\\" 🍂\",\"n\":1}""#), "{}", s.python);
    }

    #[test]
    fn a_missing_input_says_what_to_fill_in() {
        let spec = spec_of(r#"{"visor":1,"inputs":[{"id":"message","kind":"number","label":"Message","required":true}],"request":{"encoding":"template","template":{"message":"{{message}}"}}}"#);
        let values = Values::new();
        let why = snippets(&cx(&spec, &values, Way::Sync, Answer::Text)).expect_err("nothing to send");
        assert!(why.contains("Message"), "{why}");
    }

    #[test]
    fn text_is_base64_encoded_by_the_shell_and_written_to_a_file_for_python() {
        let spec = one(FieldKind::Text);
        let values: Values = [("input".to_string(), InputValue::Text("héllo\nworld".into()))].into();
        let s = snippets(&cx(&spec, &values, Way::Sync, Answer::Unknown)).expect("snippets");
        assert!(s.curl.contains("printf '%s' 'héllo\nworld' | base64 -w0 | curl"), "{}", s.curl);
        assert!(s.curl.contains("if base64 -d answer.txt > output.bin"), "{}", s.curl);
        assert!(s.python.contains("f.write(\"héllo\\nworld\")"), "{}", s.python);
        assert!(s.cli.contains("--text-input 'héllo\nworld'"), "{}", s.cli);
    }

    #[test]
    fn no_secret_is_ever_written_and_the_token_is_fetched_from_the_service() {
        let spec = one(FieldKind::Text);
        let values: Values = [("input".to_string(), InputValue::Text("hi".into()))].into();
        let s = snippets(&cx(&spec, &values, Way::Sync, Answer::Text)).expect("snippets");
        assert!(s.curl.contains("OSCAR_TOKEN=$(curl -fsS -u \"$OSCAR_USER:$OSCAR_PASSWORD\" \"$OSCAR_ENDPOINT/system/services/svc\""), "{}", s.curl);
        assert!(s.curl.contains("read -rsp"), "{}", s.curl);
        let mut oidc = cx(&spec, &values, Way::Sync, Answer::Text);
        oidc.login = Login::Oidc;
        let s = snippets(&oidc).expect("snippets");
        assert!(!s.curl.contains("/system/services/"), "an OIDC token is sent as is: {}", s.curl);
        assert!(s.python.contains("\"oidc_token\": os.environ[\"OSCAR_TOKEN\"]"), "{}", s.python);
    }

    #[test]
    fn async_runs_upload_to_the_input_bucket() {
        let spec = one(FieldKind::Image);
        let values: Values = [("input".to_string(), file("leaf.png"))].into();
        let plan = AsyncPlan {
            input_bucket: "grayify".into(),
            input_prefix: "in".into(),
            output: Some(("grayify".into(), "out".into())),
            endpoint: String::new(),
            access: None,
        };
        let s = snippets(&cx(&spec, &values, Way::Bucket(plan), Answer::Unknown)).expect("snippets");
        assert!(s.curl.contains(r#"-d '{"object_key":"in/leaf.png","operation":"upload","expires_in":900}'"#), "{}", s.curl);
        assert!(s.curl.contains("curl -fsS -T 'leaf.png' \"$url\""), "{}", s.curl);
        assert!(s.cli.contains("oscar-cli service put-file svc minio.default 'leaf.png' --cluster visor"), "{}", s.cli);
        assert!(s.cli.contains("oscar-cli service get-file svc minio.default --download-latest-into=output/"), "{}", s.cli);
        assert!(s.python.contains(r#"storage.upload_file("minio.default", "leaf.png", "grayify/in")"#), "{}", s.python);
    }

    #[test]
    fn markers_come_back_exactly() {
        for i in [0, 7, 9999] {
            let bytes = STANDARD.decode(marker(i)).expect("base64");
            assert_eq!(STANDARD.encode(bytes), marker(i));
        }
    }
}
