//! Every path of the app in one place, and the pure helpers around them: the
//! router base (so `dist/` works under any sub-path) and the safe "next" link.

/// The login page.
pub const LOGIN: &str = "/login";
/// The service list.
pub const SERVICES: &str = "/services";

/// The workflows of the cluster.
pub const WORKFLOWS: &str = "/workflows";

/// The page of the workflow that starts at `entry`.
pub fn workflow(entry: &str) -> String {
    format!("{WORKFLOWS}/{}", encode_component(entry))
}

/// The run page of a service.
pub fn service(name: &str) -> String {
    format!("{SERVICES}/{}", encode_component(name))
}

/// The jobs page of a service.
pub fn jobs(name: &str) -> String {
    format!("{}/jobs", service(name))
}

/// The login page that returns to `next` after a successful login.
pub fn login_then(next: &str) -> String {
    match safe_next(next) {
        Some(next) if next != SERVICES => format!("{LOGIN}?next={}", encode_component(&next)),
        _ => LOGIN.to_string(),
    }
}

/// Only same-app paths may be a "next" target: an absolute path that is not
/// protocol-relative and not the login page itself. Anything else is dropped,
/// so a crafted link cannot send a user to another site after login.
pub fn safe_next(next: &str) -> Option<String> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && !next.starts_with(LOGIN);
    ok.then(|| next.to_string())
}

/// The route prefixes the app owns. The router base is whatever comes before
/// one of them in the page's path, so the same build works at `/` and `/ui/`.
const ROUTE_HEADS: [&str; 4] = [LOGIN, SERVICES, WORKFLOWS, "/embed"];

/// Finds the base path under which the app is served, from the page's path.
/// `/ui/services/cowsay` → `/ui`; `/services` → ``; `/visor/` → `/visor`.
pub fn detect_base(pathname: &str) -> String {
    // The earliest route head wins: in /embed/services/x, "/embed" is the
    // route and "/services" part of it.
    let mut earliest: Option<usize> = None;
    for head in ROUTE_HEADS {
        let mut from = 0;
        while let Some(i) = pathname[from..].find(head) {
            let at = from + i;
            let end = at + head.len();
            if pathname[end..].is_empty() || pathname[end..].starts_with('/') {
                earliest = Some(earliest.map_or(at, |e| e.min(at)));
                break;
            }
            from = end;
        }
    }
    if let Some(at) = earliest {
        return pathname[..at].trim_end_matches('/').to_string();
    }
    // Not on a known route. A directory (`/ui/`) or a file in it
    // (`/ui/index.html`) is the base; any other path is an unknown route of an
    // app served at the root, which then shows "Page not found".
    match pathname.rfind('/') {
        Some(i) if i + 1 == pathname.len() || pathname[i + 1..].contains('.') => {
            pathname[..i].trim_end_matches('/').to_string()
        }
        _ => String::new(),
    }
}

/// When the app is served the way OSCAR serves its dashboard (under `/ui`
/// of the cluster), the cluster's API is the same origin: suggest it.
pub fn cluster_serving_ui(origin: &str, base: &str) -> Option<String> {
    base.strip_suffix("/ui").map(|prefix| format!("{origin}{prefix}"))
}

/// Strips the base from a full path, giving the in-app path.
pub fn strip_base<'a>(pathname: &'a str, base: &str) -> &'a str {
    match pathname.strip_prefix(base) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => pathname,
    }
}

/// Percent-encodes a path segment or query value (RFC 3986 unreserved kept).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_found_at_root_and_under_sub_paths() {
        assert_eq!(detect_base("/"), "");
        assert_eq!(detect_base("/login"), "");
        assert_eq!(detect_base("/services"), "");
        assert_eq!(detect_base("/services/cowsay"), "");
        assert_eq!(detect_base("/ui/"), "/ui");
        assert_eq!(detect_base("/ui/index.html"), "/ui");
        assert_eq!(detect_base("/ui/services/cowsay"), "/ui");
        assert_eq!(detect_base("/a/b/visor/login"), "/a/b/visor");
        assert_eq!(detect_base("/loginx/services"), "/loginx");
        assert_eq!(detect_base("/embed/services/cowsay"), "");
        assert_eq!(detect_base("/ui/embed/services/cowsay"), "/ui");
        assert_eq!(detect_base("/ui/workflows/anon-blur"), "/ui");
        assert_eq!(detect_base("/workflows"), "");
        assert_eq!(detect_base("/services/login"), "");
        assert_eq!(detect_base("/nothing/here"), "");
        assert_eq!(detect_base("/visor/nothing/here/"), "/visor/nothing/here");
    }

    #[test]
    fn next_links_stay_inside_the_app() {
        assert_eq!(safe_next("/services/cowsay").as_deref(), Some("/services/cowsay"));
        assert_eq!(safe_next("//evil.example.org"), None);
        assert_eq!(safe_next("https://evil.example.org"), None);
        assert_eq!(safe_next("/\\evil.example.org"), None);
        assert_eq!(safe_next("/login?next=/x"), None);
        assert_eq!(login_then("/services/cowsay"), "/login?next=/services/cowsay");
        assert_eq!(login_then("/services"), "/login");
        assert_eq!(login_then("https://x"), "/login");
    }

    #[test]
    fn suggests_the_cluster_that_serves_the_ui() {
        assert_eq!(cluster_serving_ui("http://127.0.0.1:8080", "/ui").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(cluster_serving_ui("https://x.org", "/oscar/ui").as_deref(), Some("https://x.org/oscar"));
        assert_eq!(cluster_serving_ui("https://x.org", ""), None);
        assert_eq!(cluster_serving_ui("https://x.org", "/visor"), None);
    }

    #[test]
    fn paths_are_encoded() {
        assert_eq!(service("cowsay"), "/services/cowsay");
        assert_eq!(encode_component("a b&c"), "a%20b%26c");
        assert_eq!(strip_base("/ui/services", "/ui"), "/services");
        assert_eq!(strip_base("/ui", "/ui"), "/");
        assert_eq!(strip_base("/services", ""), "/services");
    }
}
