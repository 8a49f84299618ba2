//! Everything that can go wrong when talking to a cluster, each with a message
//! that says what happened and what to do next. Built from the status code
//! and body by a pure function, so every mapping is tested natively.

use thiserror::Error;

/// A failed call to the OSCAR API, ready to show to the user.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidEndpoint(String),
    /// The input cannot be sent as it is; the text says what to fix.
    #[error("{0}")]
    InvalidInput(String),
    #[error("The cluster refused these credentials (HTTP 401). Check the username and password, or use a fresh access token (they expire), then try again.")]
    Unauthorized,
    #[error("The cluster does not allow this (HTTP 403){}. Ask the cluster administrator for access.", with_detail(.0))]
    Forbidden(String),
    #[error("The cluster has no {0} (HTTP 404). It may have been deleted; reload the list.")]
    NotFound(String),
    #[error("Nothing answered at {endpoint}. Check the address and port, that the cluster is running, and that you are online.")]
    Unreachable { endpoint: String },
    #[error("{endpoint} answered, but the browser blocked the response because the cluster does not allow cross-origin requests (CORS). Ask the administrator to enable CORS on the OSCAR API, as the ingress of OSCAR's Helm chart does, or open Visor from the cluster's own address (for example {endpoint}/ui/).")]
    CorsBlocked { endpoint: String },
    #[error("{endpoint} answered, but not like an OSCAR cluster: {why}. Check that the address is the OSCAR API (the one oscar-cli uses), not the dashboard or MinIO.")]
    NotOscar { endpoint: String, why: String },
    #[error("The cluster had an internal error (HTTP {status}){}. This is not caused by your input: try again in a minute, and tell the cluster administrator if it keeps happening.", with_detail(.detail))]
    Server { status: u16, detail: String },
    #[error("The cluster is temporarily unavailable (HTTP {status}). It may be starting up or overloaded: try again in a moment.")]
    Unavailable { status: u16 },
    #[error("The cluster did not answer within {seconds} seconds. It may be overloaded or unreachable: check your connection and try again.")]
    Timeout { seconds: u32 },
    #[error("The cluster answered with an unexpected HTTP {status}{}.", with_detail(.detail))]
    Unexpected { status: u16, detail: String },
    #[error("The connection to the cluster dropped before the answer was complete. Check your network, then try again.")]
    ConnectionLost,
    #[error("The service “{service}” refused its own token, even after fetching a fresh one. Its token may have just changed: reload the page, or ask the service owner.")]
    TokenRefused { service: String },
    #[error("The service “{service}” no longer exists on this cluster, or the cluster cannot run services synchronously (HTTP 404). Go back to the list and reload it.")]
    ServiceGone { service: String },
    #[error("The input is too large for a synchronous run (HTTP 413): the cluster's ingress limits the request size, often to 1 MB. Use a smaller input, or run the service asynchronously through its input bucket.")]
    TooLarge,
    #[error("The service did not answer in time (HTTP {status}). It may be starting from zero (a cold start pulls its image) or the run took longer than the gateway allows. Try again in a moment.")]
    ColdStart { status: u16 },
    #[error("The service crashed (HTTP {status}){}. Check that the input is what the service expects; its full output is under “Logs”.", with_detail(.detail))]
    ServiceCrashed { status: u16, detail: String },
    #[error("The browser could not reach the storage at {endpoint}: nothing answered. The address the cluster gives for its MinIO may only work inside the cluster, or it needs a valid TLS certificate. Ask the administrator for a MinIO address reachable from your browser.")]
    StorageUnreachable { endpoint: String },
    #[error("The storage at {endpoint} answered, but the browser blocked the response because it does not allow cross-origin requests (CORS). Ask the administrator to allow this site's origin on MinIO (MinIO allows any origin unless configured otherwise).")]
    StorageCors { endpoint: String },
    #[error("{0}")]
    Storage(crate::oscar::s3::S3Problem),
    #[error("This cluster offers no way to upload from the browser: it has no presign endpoint (OSCAR older than v3.6.4) and gives no storage keys to this login. Upload with oscar-cli or the MinIO console instead.")]
    NoStorageAccess,
    #[error("The job {job} failed. Its logs are below: they usually say what went wrong with the input.")]
    JobFailed { job: String },
    #[error("The job {job} finished, but wrote nothing to {path}. Check the logs, and the service's script.")]
    NoOutput { job: String, path: String },
    #[error("The cluster refused to start the job (HTTP {status}){}. With an OIDC login, call any page of the cluster first so that your storage user is created; otherwise log in again.", with_detail(.detail))]
    JobRefused { status: u16, detail: String },
    #[error("The request was cancelled.")]
    Cancelled,
}

fn with_detail(detail: &str) -> String {
    if detail.is_empty() { String::new() } else { format!(": “{detail}”") }
}

impl ApiError {
    /// Maps a non-success status and its body. `what` names the thing that a
    /// 404 means is missing, e.g. "service “cowsay”".
    pub fn from_status(status: u16, body: &str, what: &str) -> Self {
        let detail = short_detail(body);
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden(detail),
            404 => Self::NotFound(what.to_string()),
            502..=504 => Self::Unavailable { status },
            500..=599 => Self::Server { status, detail },
            _ => Self::Unexpected { status, detail },
        }
    }

    /// Whether the fix is to log in again.
    pub fn needs_login(&self) -> bool {
        matches!(self, Self::Unauthorized)
    }

    /// Whether trying the same thing again may work.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::ConnectionLost
                | Self::Server { .. }
                | Self::Unavailable { .. }
                | Self::Timeout { .. }
                | Self::ColdStart { .. }
        )
    }
}

/// OSCAR's error bodies are short plain strings (OSCAR-API.md §2). Keep one
/// line of printable text, and never echo an HTML page back to the user.
pub fn short_detail(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.starts_with('<') {
        return String::new();
    }
    let line: String = trimmed
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    line.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_their_own_messages() {
        assert_eq!(ApiError::from_status(401, "", "x"), ApiError::Unauthorized);
        assert!(ApiError::from_status(401, "", "x").needs_login());
        assert!(ApiError::from_status(404, "", "service “cowsay”").to_string().contains("service “cowsay”"));
        assert!(matches!(ApiError::from_status(500, "boom", "x"), ApiError::Server { status: 500, .. }));
        assert!(matches!(ApiError::from_status(503, "", "x"), ApiError::Unavailable { status: 503 }));
        assert!(matches!(ApiError::from_status(418, "", "x"), ApiError::Unexpected { status: 418, .. }));
        assert!(ApiError::from_status(403, "quota exceeded", "x").to_string().contains("quota exceeded"));
    }

    #[test]
    fn server_errors_say_what_to_do_and_are_retryable() {
        let e = ApiError::from_status(500, "internal server error\nstack...", "x");
        let msg = e.to_string();
        assert!(msg.contains("HTTP 500") && msg.contains("try again"), "{msg}");
        assert!(msg.contains("internal server error") && !msg.contains("stack"), "{msg}");
        assert!(e.is_retryable());
        assert!(!ApiError::Unauthorized.is_retryable());
    }

    #[test]
    fn details_drop_html_and_control_characters() {
        assert_eq!(short_detail("<html><body>502</body></html>"), "");
        assert_eq!(short_detail("  bad\u{7}input \n more"), "badinput");
        assert_eq!(short_detail(&"x".repeat(500)).len(), 200);
    }

    #[test]
    fn network_failures_name_the_endpoint_and_the_fix() {
        let cors = ApiError::CorsBlocked { endpoint: "https://oscar.example.org".into() }.to_string();
        assert!(cors.contains("CORS") && cors.contains("Helm chart") && cors.contains("https://oscar.example.org/ui/"));
        let down = ApiError::Unreachable { endpoint: "http://127.0.0.1:9".into() }.to_string();
        assert!(down.contains("Nothing answered at http://127.0.0.1:9"));
    }
}
