//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the
//! same targets libFuzzer runs (`oscar_visor::fuzzing`), on stable: every case
//! the fuzzer kept, crashes it found included, is checked here in seconds,
//! with each target's invariants and its memory bound.

use oscar_visor::fuzzing::{bounded, CountingAlloc, MEMORY_BOUND, TARGETS};
use std::path::Path;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

// One test, so no other test's allocations count against a target's bound.
#[test]
fn every_corpus_file_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut failures = Vec::new();
    for (name, target) in TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}; run scripts/fuzz.sh seed", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        if *name == "run_body" {
            // The bound is real: a call that holds more than it fails.
            let greedy = std::panic::catch_unwind(|| {
                bounded(|d| drop(std::hint::black_box(vec![d.len() as u8; MEMORY_BOUND + 1])), b"")
            });
            assert!(greedy.is_err(), "a call over the memory bound passed");
        }
        assert!(files.len() >= 5, "{name}: only {} corpus files in {}", files.len(), dir.display());
        for file in files {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let result = std::panic::catch_unwind(|| bounded(*target, &data));
            if let Err(panic) = result {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{name}: {}: {why}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} corpus files fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_target_has_a_fuzz_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    for (name, _) in TARGETS {
        let path = root.join("fuzz_targets").join(format!("{name}.rs"));
        assert!(path.is_file(), "{} is missing", path.display());
        assert!(manifest.contains(&format!("name = \"{name}\"")), "fuzz/Cargo.toml has no [[bin]] {name}");
    }
}
