//! Regenerates the small example inputs shipped with the app in
//! static/examples/ for the stand-in's demo services.
//! `cargo run -p e2e --example gen_examples`
fn main() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static/examples");
    for (path, _, bytes) in oscar_sandbox::demo_example_files() {
        let name = path.rsplit('/').next().unwrap_or(&path).to_string();
        std::fs::write(dir.join(name), bytes).expect("write example");
    }
    std::fs::write(dir.join("plants.csv"), oscar_sandbox::fixtures::csv_sample()).expect("csv");
    std::fs::write(dir.join("tone.wav"), oscar_sandbox::fixtures::wav_tone(440.0, 600)).expect("wav");
}
