//! The service list: one card per service and a filter fast enough for
//! thousands of services (each card keeps a pre-lowered search text).

use crate::oscar::{ClusterConfig, Service};

/// How a service can be invoked from the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Modes {
    /// `POST /run` exists: the cluster has a serverless backend (OSCAR-API.md §6, §7).
    pub sync: bool,
    /// An upload to its input bucket starts a job (§8).
    pub asynchronous: bool,
    /// It serves its own HTTP API instead (`expose`).
    pub exposed: bool,
}

impl Modes {
    pub fn of(service: &Service, config: &ClusterConfig) -> Self {
        let exposed = service.is_exposed();
        Self {
            sync: config.supports_sync() && !exposed,
            asynchronous: service.has_input_storage(),
            exposed,
        }
    }

    /// A short label for the card, e.g. "sync · async".
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if self.sync {
            parts.push("sync");
        }
        if self.asynchronous {
            parts.push("async");
        }
        if self.exposed {
            parts.push("exposed");
        }
        if parts.is_empty() {
            return "no invocation".into();
        }
        parts.join(" · ")
    }

    /// A sentence for screen readers and tooltips.
    pub fn describe(&self) -> &'static str {
        match (self.sync, self.asynchronous) {
            _ if self.exposed => "Serves its own HTTP API",
            (true, true) => "Runs synchronously or asynchronously",
            (true, false) => "Runs synchronously",
            (false, true) => "Runs asynchronously through its input bucket",
            (false, false) => "Cannot be invoked from here: no serverless backend and no input bucket",
        }
    }
}

/// What a card in the service list shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceCard {
    pub name: String,
    pub image: String,
    pub cpu: String,
    pub memory: String,
    pub gpu: bool,
    pub owner: String,
    pub visibility: String,
    pub modes: Modes,
    /// Lower-cased name, image, owner, visibility and modes, for the filter.
    haystack: String,
}

impl ServiceCard {
    pub fn new(service: &Service, config: &ClusterConfig) -> Self {
        let modes = Modes::of(service, config);
        let haystack = [
            service.name.as_str(),
            &service.image,
            &service.owner,
            &service.visibility,
            &modes.label(),
        ]
        .join("\n")
        .to_lowercase();
        Self {
            name: service.name.to_string(),
            image: service.image.clone(),
            cpu: service.cpu.clone(),
            memory: service.memory.clone(),
            gpu: service.enable_gpu,
            owner: service.owner.clone(),
            visibility: service.visibility.clone(),
            modes,
            haystack,
        }
    }

    /// The card's inside as HTML, with every text from the cluster escaped.
    /// The list sets it as one `innerHTML` per card: a page of cards then
    /// costs the browser one parse each instead of some forty DOM calls from
    /// wasm, which is what a filter keystroke mostly paid for.
    pub fn markup(&self, href: &str) -> String {
        let dash = |s: &str| if s.is_empty() { "—".to_string() } else { escape_html(s) };
        let fact = |term: &str, value: &str, class: &str| {
            format!("<div><dt>{term}</dt><dd{class}>{}</dd></div>", dash(value))
        };
        let m = self.modes;
        let badge = [
            (m.sync, " badge--sync"),
            (m.asynchronous, " badge--async"),
            (!(m.sync || m.asynchronous), " badge--muted"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, c)| *c)
        .collect::<String>();
        let mut facts = fact("CPU", &self.cpu, "") + &fact("Memory", &self.memory, "");
        if self.gpu {
            facts += &fact("GPU", "yes", "");
        }
        if !self.owner.is_empty() {
            facts += &fact("Owner", &self.owner, " class=\"service-card__owner\"");
        }
        if !self.visibility.is_empty() {
            facts += &fact("Visibility", &self.visibility, "");
        }
        format!(
            "<div class=\"service-card__head\"><h2 class=\"service-card__name\"><a class=\"service-card__link\" href=\"{}\">{}</a></h2>\
             <span class=\"badge{badge}\" title=\"{}\">{}</span></div>\
             <p class=\"service-card__image\" title=\"{}\">{}</p><dl class=\"facts-row\">{facts}</dl>",
            escape_html(href),
            escape_html(&self.name),
            m.describe(),
            escape_html(&m.label()),
            escape_html(&self.image),
            dash(&self.image),
        )
    }

    /// Every whitespace-separated term of the (lower-cased) query must match.
    fn matches(&self, terms: &[String]) -> bool {
        terms.iter().all(|t| self.haystack.contains(t.as_str()))
    }
}

/// Text made safe to place in HTML, as an element's text or a quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How many cards the list shows at first, and adds each time the user
/// scrolls to its end: a thousand cards at once cost the first paint and
/// every filter keystroke far more than the few a screen can show.
pub const LIST_PAGE: usize = 24;

/// The cards to show of `matching`, and how many are left out.
pub fn window(matching: &[usize], limit: usize) -> (&[usize], usize) {
    let shown = matching.len().min(limit);
    (matching.get(..shown).unwrap_or_default(), matching.len() - shown)
}

/// The cards of a cluster's services, sorted by name.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceIndex {
    pub cards: Vec<ServiceCard>,
}

impl ServiceIndex {
    pub fn new(services: &[Service], config: &ClusterConfig) -> Self {
        let mut cards: Vec<ServiceCard> = services.iter().map(|s| ServiceCard::new(s, config)).collect();
        cards.sort_by(|a, b| a.name.cmp(&b.name));
        Self { cards }
    }

    /// The cards that match the query, in order. An empty query matches all.
    pub fn filter(&self, query: &str) -> Vec<ServiceCard> {
        self.matching(query).into_iter().filter_map(|i| self.cards.get(i).cloned()).collect()
    }

    /// The positions of the cards that match the query, in order (no card is copied).
    pub fn matching(&self, query: &str) -> Vec<usize> {
        let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        self.cards.iter().enumerate().filter(|(_, c)| c.matches(&terms)).map(|(i, _)| i).collect()
    }

    /// "3 services", or "2 of 10 services" while filtering.
    pub fn count_label(&self, shown: usize) -> String {
        let total = self.cards.len();
        let noun = if total == 1 { "service" } else { "services" };
        if shown == total { format!("{total} {noun}") } else { format!("{shown} of {total} {noun}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscar::ServiceList;

    fn config(sync: bool) -> ClusterConfig {
        let backend = if sync { r#","serverless_backend":"knative""# } else { "" };
        ClusterConfig::parse(&format!(r#"{{"config":{{"name":"c"{backend}}},"minio_provider":null}}"#)).expect("config")
    }

    fn services() -> Vec<Service> {
        ServiceList::parse(
            r#"[{"name":"grayify","image":"ghcr.io/grycap/imagemagick","input":[{"storage_provider":"minio","path":"grayify/in"}],"owner":"cluster_admin"},
                {"name":"cowsay","image":"ghcr.io/grycap/cowsay","input":null,"visibility":"public"},
                {"name":"vllm","image":"ghcr.io/grycap/vllm-llama","expose":{"api_port":[8000]}}]"#,
        )
        .expect("list")
        .services
    }

    #[test]
    fn modes_follow_backend_and_input_storage() {
        let s = services();
        let idx = ServiceIndex::new(&s, &config(true));
        let by = |n: &str| idx.cards.iter().find(|c| c.name == n).expect(n).modes;
        assert_eq!(by("cowsay").label(), "sync");
        assert_eq!(by("grayify").label(), "sync · async");
        assert_eq!(by("vllm").label(), "exposed");
        let no_backend = ServiceIndex::new(&s, &config(false));
        assert_eq!(no_backend.cards.iter().find(|c| c.name == "grayify").map(|c| c.modes.label()), Some("async".into()));
        assert_eq!(no_backend.cards.iter().find(|c| c.name == "cowsay").map(|c| c.modes.label()), Some("no invocation".into()));
    }

    #[test]
    fn filter_matches_all_terms_case_insensitively() {
        let idx = ServiceIndex::new(&services(), &config(true));
        let names = |q: &str| idx.filter(q).into_iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(""), vec!["cowsay", "grayify", "vllm"]);
        assert_eq!(names("GRYCAP cow"), vec!["cowsay"]);
        assert_eq!(names("async"), vec!["grayify"]);
        assert_eq!(names("public"), vec!["cowsay"]);
        assert!(names("nothing-like-this").is_empty());
        assert_eq!(idx.count_label(1), "1 of 3 services");
        assert_eq!(idx.count_label(3), "3 services");
    }

    #[test]
    fn a_card_is_markup_with_every_cluster_text_escaped() {
        let list = ServiceList::parse(
            r#"[{"name":"evil","image":"<img src=x onerror=alert(1)>","owner":"\"><script>x</script>","cpu":"1&2","enable_gpu":true}]"#,
        )
        .expect("list");
        let card = ServiceCard::new(&list.services[0], &config(true));
        let html = card.markup("/services/evil?a=\"b\"");
        assert!(!html.contains("<img") && !html.contains("<script"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(html.contains("&quot;&gt;&lt;script&gt;"), "{html}");
        assert!(html.contains(r#"href="/services/evil?a=&quot;b&quot;""#), "{html}");
        assert!(html.contains("<dt>CPU</dt><dd>1&amp;2</dd>") && html.contains("<dt>GPU</dt><dd>yes</dd>"), "{html}");
        assert!(html.contains(r#"<span class="badge badge--sync" title="Runs synchronously">sync</span>"#), "{html}");
        assert!(html.contains("<dt>Memory</dt><dd>—</dd>"), "an empty fact shows a dash: {html}");
        assert!(!html.contains("Visibility"), "a missing fact is left out: {html}");
    }

    #[test]
    fn filtering_a_thousand_services_is_cheap() {
        let mut json = String::from("[");
        for i in 0..1000 {
            json.push_str(&format!(r#"{{"name":"svc-{i:04}","image":"registry/img-{i}"}},"#));
        }
        json.pop();
        json.push(']');
        let list = ServiceList::parse(&json).expect("list");
        let idx = ServiceIndex::new(&list.services, &config(true));
        assert_eq!(idx.filter("svc-09").len(), 100);
        assert_eq!(idx.filter("img-999").len(), 1);
        // The list shows a page of them, and says how many are left.
        let all = idx.matching("");
        assert_eq!(window(&all, LIST_PAGE), (&all[..LIST_PAGE], 1000 - LIST_PAGE));
        let few = idx.matching("img-999");
        assert_eq!(window(&few, LIST_PAGE), (&few[..], 0));
    }
}
