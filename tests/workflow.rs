//! Native tests: workflows found in the OSCAR examples' FDL files (copied
//! from grycap/oscar's `examples/` into `tests/fixtures/fdl`), read the way
//! oscar-cli deploys them: each `functions.oscar` entry is one service on
//! the cluster it names.

use oscar_visor::oscar::workflow::{detect, ArrowKind, Note, StageState};
use oscar_visor::oscar::Service;
use std::collections::BTreeMap;

/// The services of FDL files, by cluster id.
fn clusters(files: &[&str]) -> BTreeMap<String, Vec<Service>> {
    let mut out: BTreeMap<String, Vec<Service>> = BTreeMap::new();
    for file in files {
        let path = format!("{}/tests/fixtures/fdl/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let fdl: serde_json::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let entries = fdl.pointer("/functions/oscar").and_then(|v| v.as_array()).cloned().unwrap_or_default();
        assert!(!entries.is_empty(), "{path} has functions");
        for entry in entries {
            for (cluster, def) in entry.as_object().cloned().unwrap_or_default() {
                let service = Service::from_value(def).unwrap_or_else(|e| panic!("{path}: {e}"));
                out.entry(cluster).or_default().push(service);
            }
        }
    }
    out
}

fn one_cluster(files: &[&str]) -> Vec<Service> {
    let mut all = clusters(files);
    assert_eq!(all.len(), 1, "one cluster in {files:?}");
    all.pop_first().map(|(_, v)| v).unwrap_or_default()
}

#[test]
fn mask_detector_is_a_two_stage_chain() {
    let d = detect(&one_cluster(&["mask-detector-workflow.yaml"]));
    assert_eq!(d.workflows.len(), 1);
    let w = &d.workflows[0];
    let names: Vec<&str> = w.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["anon-and-split", "mask-detector"]);
    assert_eq!(w.links.len(), 1);
    assert_eq!(w.links[0].place.path(), "mask-detector/intermediate");
    assert_eq!(w.layer, [0, 1]);
    assert!(!w.has_cycle());
    // The last stage's output is the result: nobody reads it, and the page says so.
    let unread: Vec<String> = w.notes.iter().filter(|n| matches!(n, Note::Unread { .. })).map(|n| w.note_text(n)).collect();
    assert_eq!(unread, ["“mask-detector” is a last stage: no service reads its output mask-detector/result."]);
    let steps = w.steps();
    assert_eq!(steps[0], "anon-and-split reads mask-detector/input and writes mask-detector/intermediate; feeds mask-detector (through mask-detector/intermediate).");
    let layout = w.layout();
    let kinds: Vec<ArrowKind> = layout.arrows.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [ArrowKind::Entry, ArrowKind::Flow, ArrowKind::Result]);
    assert!(layout.boxes[0].y < layout.boxes[1].y, "top to bottom");
}

#[test]
fn video_process_fans_out_into_darknet() {
    let d = detect(&one_cluster(&["video-process.yaml"]));
    let w = &d.workflows[0];
    assert_eq!(w.stages[w.entry()].name, "split-video");
    assert_eq!(w.downstream(0), [1]);
    assert_eq!(w.stages[1].name, "darknet");
    assert_eq!(w.links[0].place.path(), "video-process/med");
    // Before anything is seen, the first stage runs and the next waits.
    let states = w.states(0, &[Default::default(), Default::default()]);
    assert_eq!(states, [StageState::Running, StageState::NotReached]);
}

#[test]
fn single_services_and_other_providers_make_no_workflow() {
    for files in [&["fire_detection.yaml"][..], &["fish-detector-eu.yaml"], &["fish-detector-us.yaml"]] {
        let d = detect(&one_cluster(files));
        assert!(d.workflows.is_empty() && d.lone_loops.is_empty(), "{files:?}: {d:?}");
    }
    // The replicated fire detector: one service per cluster, and the
    // central one also writes to the edge cluster's MinIO, which is another
    // provider: not a link.
    let by_cluster = clusters(&["fire_detection_replicas.yaml"]);
    assert_eq!(by_cluster.len(), 2);
    for services in by_cluster.values() {
        assert!(detect(services).workflows.is_empty());
    }
    // All the examples on one cluster: the two workflows, and nothing else.
    let all = one_cluster_merged(&["mask-detector-workflow.yaml", "video-process.yaml", "fire_detection.yaml", "fish-detector-eu.yaml"]);
    let d = detect(&all);
    let firsts: Vec<&str> = d.workflows.iter().map(|w| w.stages[0].name.as_str()).collect();
    assert_eq!(firsts, ["anon-and-split", "split-video"]);
}

#[test]
fn outputs_on_other_providers_are_shown_not_followed() {
    let mut services = one_cluster(&["mask-detector-workflow.yaml"]);
    let extra = serde_json::json!({"name": "archive", "input": [{"storage_provider": "minio", "path": "mask-detector/result"}],
        "output": [{"storage_provider": "s3.aws", "path": "archive/masks"}, {"storage_provider": "webdav.dcache", "path": "store/masks"},
                   {"storage_provider": "onedata.egi", "path": "space/masks"}]});
    services.push(Service::from_value(extra).expect("service"));
    let d = detect(&services);
    let w = &d.workflows[0];
    assert_eq!(w.stages.len(), 3);
    let external: Vec<String> = w.notes.iter().filter(|n| matches!(n, Note::External { .. })).map(|n| w.note_text(n)).collect();
    assert_eq!(external.len(), 3);
    assert!(external[0].contains("s3.aws: archive/masks") && external[0].ends_with("not followed."), "{external:?}");
    let layout = w.layout();
    assert_eq!(layout.arrows.iter().filter(|a| a.kind == ArrowKind::External).count(), 3);
    assert!(w.stages[2].followed_outputs().next().is_none());
}

/// Services of several FDL files, all on one cluster (their cluster names differ).
fn one_cluster_merged(files: &[&str]) -> Vec<Service> {
    clusters(files).into_values().flatten().collect()
}
