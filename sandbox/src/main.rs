//! `oscar-sandbox`: run the OSCAR stand-in until Ctrl-C.

use oscar_sandbox::{
    demo_example_files, demo_interfaces_json, ConfigShape, Options, Sandbox, StaticSite, DEMO_USER,
};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
oscar-sandbox: a local OSCAR stand-in on 127.0.0.1

USAGE:
    oscar-sandbox [OPTIONS]

OPTIONS:
    --port N               API port (default 8080; 0 = any free port)
    --user NAME            Basic-auth user (default oscar)
    --password PASS        Basic-auth password (default visor-demo)
    --no-cors              do not emulate the ingress CORS headers / preflight answers
    --config-shape V       /system/config shape: v2, v3 or v4 (default v4)
    --no-serverless        no Knative: no serverless_backend, /run is not routed
    --legacy-jobs          answer job lists as the pre-v3.6.4 bare map
    --s3-port N            S3 (MinIO) port (default 9000; 0 = any free port)
    --no-s3-cors           no MinIO-like CORS on the S3 port
    --no-presign           no POST /system/buckets/{b}/presign (like OSCAR < v3.6.4)
    --job-delay-ms N       delay of each job step, Pending -> Running -> done (default 400)
    --job-page-size N      jobs per page of GET /system/logs/{service} (default 70)
    --max-jobs N           jobs running at once, like a cluster's capacity (default 0 = no cap)
    --extra-services N     add N generated services svc-0001, svc-0002, ...
    --ui DIR               serve the built app under /ui/ on the API port (GET / redirects),
                           with the demo /ui/interfaces.json and example files
    --app DIR              also serve the built app at / on a second port (cross-origin),
                           with the demo /interfaces.json and example files
    --app-port N           port for --app (default 8000)
    --latency-ms N         delay every API response by N ms
    --fail-status CODE     every API request answers CODE
    --error-every N        every Nth API request answers 503
    --drop-every N         every Nth API request has its connection closed unanswered
    --oidc                 print a test OIDC token (JWT) for user user-1@egi.eu, valid 12 h:
                           paste it as the token to log in as a non-admin user
    --no-oidc              /system/* takes Basic auth only (a Bearer gets 401); /run and
                           /job still take OIDC tokens
    -h, --help             print this help
";

struct Cli {
    opts: Options,
    oidc: bool,
    app: Option<PathBuf>,
    app_port: u16,
}

fn parse_args(args: &[String]) -> Result<Option<Cli>, String> {
    let mut opts = Options {
        port: 8080,
        s3_port: 9000,
        ..Options::default()
    };
    let mut app = None;
    let mut app_port = 8000u16;
    let mut oidc = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value")),
            }
        };
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{name}: '{v}' is not a valid number"))
        }
        match flag {
            "-h" | "--help" => return Ok(None),
            "--port" => opts.port = num("--port", value("--port")?)?,
            "--user" => opts.username = value("--user")?,
            "--password" => opts.password = value("--password")?,
            "--no-cors" => opts.cors = false,
            "--config-shape" => {
                opts.config_shape = match value("--config-shape")?.to_ascii_lowercase().as_str() {
                    "v2" => ConfigShape::V2,
                    "v3" => ConfigShape::V3,
                    "v4" => ConfigShape::V4,
                    other => return Err(format!("--config-shape: '{other}' is not v2, v3 or v4")),
                }
            }
            "--no-serverless" => opts.serverless_backend = false,
            "--legacy-jobs" => opts.legacy_jobs = true,
            "--s3-port" => opts.s3_port = num("--s3-port", value("--s3-port")?)?,
            "--no-s3-cors" => opts.s3_cors = false,
            "--no-presign" => opts.presign = false,
            "--job-delay-ms" => {
                opts.job_delay_ms = num("--job-delay-ms", value("--job-delay-ms")?)?;
                if opts.job_delay_ms > 600_000 {
                    return Err("--job-delay-ms: at most 600000".into());
                }
            }
            "--max-jobs" => opts.max_jobs = num("--max-jobs", value("--max-jobs")?)?,
            "--job-page-size" => {
                opts.job_page_size = num("--job-page-size", value("--job-page-size")?)?;
                if opts.job_page_size == 0 {
                    return Err("--job-page-size: at least 1".into());
                }
            }
            "--extra-services" => {
                opts.extra_services = num("--extra-services", value("--extra-services")?)?;
                if opts.extra_services > 99_999 {
                    return Err("--extra-services: at most 99999".into());
                }
            }
            "--oidc" => oidc = true,
            "--no-oidc" => opts.oidc = false,
            "--ui" => opts.ui_dir = Some(PathBuf::from(value("--ui")?)),
            "--app" => app = Some(PathBuf::from(value("--app")?)),
            "--app-port" => app_port = num("--app-port", value("--app-port")?)?,
            "--latency-ms" => opts.faults.latency_ms = num("--latency-ms", value("--latency-ms")?)?,
            "--fail-status" => {
                let code: u16 = num("--fail-status", value("--fail-status")?)?;
                if !(100..=599).contains(&code) {
                    return Err(format!("--fail-status: {code} is not an HTTP status"));
                }
                opts.faults.force_status = Some(code);
            }
            "--error-every" => {
                opts.faults.error_every = num("--error-every", value("--error-every")?)?
            }
            "--drop-every" => opts.faults.drop_every = num("--drop-every", value("--drop-every")?)?,
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    if opts.username.is_empty() || opts.username.contains(':') {
        return Err("--user must be non-empty and must not contain ':'".into());
    }
    for dir in opts.ui_dir.iter().chain(app.iter()) {
        if !dir.is_dir() {
            return Err(format!("'{}' is not a directory", dir.display()));
        }
    }
    if oidc && !opts.oidc {
        return Err("--oidc and --no-oidc exclude each other".into());
    }
    Ok(Some(Cli {
        opts,
        oidc,
        app,
        app_port,
    }))
}

/// The `--app` site: the built app at `/`, with the demo `interfaces.json` and example files.
fn app_site(dir: PathBuf) -> oscar_sandbox::StaticSiteBuilder {
    let mut b = StaticSite::builder(dir).file(
        "/interfaces.json",
        "application/json",
        demo_interfaces_json().into_bytes(),
    );
    for (path, ct, bytes) in demo_example_files() {
        b = b.file(&path, ct, bytes);
    }
    b
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = match parse_args(&args) {
        Ok(Some(cli)) => cli,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("oscar-sandbox: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let has_ui = cli.opts.ui_dir.is_some();
    let sandbox = match Sandbox::start(cli.opts).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("oscar-sandbox: cannot start the API server: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("OSCAR stand-in API   {}", sandbox.url());
    let keys = sandbox.minio_keys();
    println!(
        "S3 (MinIO)           {}  access key {}  secret key {}",
        sandbox.s3_url(),
        keys.access_key,
        keys.secret_key
    );
    if has_ui {
        println!("App (same origin)    {}/ui/", sandbox.url());
    }
    let _site = match cli.app {
        Some(dir) => match app_site(dir).start(cli.app_port).await {
            Ok(site) => {
                println!("App (cross-origin)   {}/", site.url());
                Some(site)
            }
            Err(e) => {
                eprintln!("oscar-sandbox: cannot start the app server: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    println!(
        "Demo login           endpoint {}  user {}  password {}",
        sandbox.url(),
        sandbox.username(),
        sandbox.password()
    );
    if cli.oidc {
        println!(
            "OIDC token           user {DEMO_USER}  issuer {}  valid 12 h\n{}",
            sandbox.oidc_issuer(),
            sandbox.issue_token(DEMO_USER, 12 * 3600)
        );
    }
    println!("Press Ctrl-C to stop.");
    // SIGTERM too, so that the S3 temp dir is removed when a script stops the demo.
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        r = tokio::signal::ctrl_c() => {
            if let Err(e) = r {
                eprintln!("oscar-sandbox: cannot wait for Ctrl-C: {e}");
                return ExitCode::FAILURE;
            }
        }
        () = term => {}
    }
    drop(sandbox);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_flags() {
        let cli = parse_args(&args(&[
            "--port",
            "0",
            "--no-cors",
            "--config-shape",
            "v2",
            "--extra-services=12",
            "--fail-status",
            "500",
            "--latency-ms",
            "5",
            "--no-serverless",
            "--s3-port=0",
            "--no-s3-cors",
            "--no-presign",
            "--job-delay-ms",
            "10",
            "--job-page-size",
            "3",
            "--max-jobs",
            "4",
            "--oidc",
        ]))
        .ok()
        .flatten()
        .expect("valid flags");
        assert_eq!(cli.opts.port, 0);
        assert!(!cli.opts.cors);
        assert_eq!(cli.opts.config_shape, ConfigShape::V2);
        assert_eq!(cli.opts.extra_services, 12);
        assert_eq!(cli.opts.faults.force_status, Some(500));
        assert_eq!(cli.opts.faults.latency_ms, 5);
        assert!(!cli.opts.serverless_backend);
        assert_eq!(cli.opts.s3_port, 0);
        assert!(!cli.opts.s3_cors && !cli.opts.presign);
        assert_eq!(cli.opts.job_delay_ms, 10);
        assert_eq!(cli.opts.job_page_size, 3);
        assert_eq!(cli.opts.max_jobs, 4);
        assert!(cli.oidc && cli.opts.oidc);
        let cli = parse_args(&args(&["--no-oidc"]))
            .ok()
            .flatten()
            .expect("valid flags");
        assert!(!cli.oidc && !cli.opts.oidc);
    }

    #[test]
    fn rejects_bad_flags() {
        assert!(parse_args(&args(&["--bogus"])).is_err());
        assert!(parse_args(&args(&["--port"])).is_err());
        assert!(parse_args(&args(&["--port", "x"])).is_err());
        assert!(parse_args(&args(&["--config-shape", "v9"])).is_err());
        assert!(parse_args(&args(&["--fail-status", "42"])).is_err());
        assert!(parse_args(&args(&["--job-page-size", "0"])).is_err());
        assert!(parse_args(&args(&["--oidc", "--no-oidc"])).is_err());
        assert!(matches!(parse_args(&args(&["--help"])), Ok(None)));
    }
}
