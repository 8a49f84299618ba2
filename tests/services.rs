//! Native tests: real OSCAR service JSON (from grycap/oscar's examples and
//! shapes derived from the v2, v3.7 and v4.1 API descriptions) decodes, and
//! the list model built from it shows what a user should see.

use oscar_visor::interface::ServiceIndex;
use oscar_visor::oscar::{ClusterConfig, Service, ServiceList};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn decode(name: &str) -> Service {
    let value: serde_json::Value = serde_json::from_str(&fixture(name)).expect("fixture is JSON");
    Service::from_value(value).expect("service decodes")
}

fn sync_cluster() -> ClusterConfig {
    ClusterConfig::parse(r#"{"config":{"name":"oscar","serverless_backend":"knative"},"minio_provider":null}"#)
        .expect("config")
}

#[test]
fn real_vllm_llama_example_decodes() {
    let s = decode("vllm_llama.json");
    assert_eq!(s.name.as_str(), "vllm-gpu-llama");
    assert_eq!(s.memory, "12Gi");
    assert_eq!(s.cpu, "2.0");
    // v2-era capitalised `Variables`, and a numeric (v3) api_port.
    assert_eq!(s.environment.variables.get("MAX_MODEL_LEN").map(String::as_str), Some("1000"));
    assert_eq!(s.expose.api_port, vec![8000]);
    assert!(s.expose.node_port.is_empty(), "nodePort 0 means none");
    assert!(s.is_exposed());
    assert_eq!(s.labels.get("vo").map(String::as_str), Some("vo.oscar-dev-prod.eu"));
    assert!(s.input.is_empty());
}

#[test]
fn v4_1_service_with_nulls_and_port_arrays_decodes() {
    let s = decode("service-v4.1-cowsay.json");
    assert_eq!(s.name.as_str(), "cowsay");
    assert!(s.input.is_empty() && s.output.is_empty(), "null input/output are empty");
    assert!(s.expose.api_port.is_empty() && !s.is_exposed());
    assert_eq!(s.environment.variables.get("INPUT_TYPE").map(String::as_str), Some("json"));
    assert_eq!(s.token.expose().len(), 64);
    assert_eq!(s.log_level, "CRITICAL");
}

#[test]
fn v3_7_restricted_async_service_decodes() {
    let s = decode("service-v3.7-grayify.json");
    assert!(s.has_input_storage());
    assert_eq!(s.input[0].path, "grayify/in");
    assert_eq!(s.output[0].suffix, vec!["png", "jpg"]);
    assert_eq!(s.visibility, "restricted");
    assert_eq!(s.allowed_users.len(), 2);
    assert!(s.annotations.is_empty() && s.labels.is_empty(), "null maps are empty");
    assert_eq!(s.environment.secret_names, vec!["API_TOKEN"]);
}

#[test]
fn v2_service_with_numbers_and_capitalised_variables_decodes() {
    let s = decode("service-v2-plants.json");
    assert_eq!(s.cpu, "1");
    assert!(s.enable_gpu);
    assert!(s.token.is_empty());
    assert_eq!(s.environment.variables.get("RETRIES").map(String::as_str), Some("3"));
    assert_eq!(s.environment.variables.get("DEBUG").map(String::as_str), Some("true"));
}

#[test]
fn a_mixed_list_shows_every_service_with_its_modes() {
    let list = format!(
        "[{},{},{},{}]",
        fixture("vllm_llama.json"),
        fixture("service-v4.1-cowsay.json"),
        fixture("service-v3.7-grayify.json"),
        fixture("service-v2-plants.json")
    );
    let list = ServiceList::parse(&list).expect("list decodes");
    assert!(list.skipped.is_empty(), "{:?}", list.skipped);
    let index = ServiceIndex::new(&list.services, &sync_cluster());
    let summary: Vec<(String, String)> = index.cards.iter().map(|c| (c.name.clone(), c.modes.label())).collect();
    assert_eq!(
        summary,
        vec![
            ("cowsay".into(), "sync".into()),
            ("grayify".into(), "sync · async".into()),
            ("plants".into(), "sync · async".into()),
            ("vllm-gpu-llama".into(), "exposed".into()),
        ]
    );
    assert_eq!(index.filter("egi.eu").len(), 1, "owner is searchable");
}
