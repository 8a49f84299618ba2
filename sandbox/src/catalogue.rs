//! The demo services, named and shaped after the OSCAR examples and OSCAR Hub entries
//! (shared/oscar/examples, shared/oscar/hub).

use crate::interfaces::{self, ANNOTATION, DEMO_USER};
use crate::model::{Service, StorageIo, StrMap, Synchronous};

const OIDC_ALICE: &str = "62bb11b40398f7c8f4ba3a2a7d5e0f9e1f3b6a7c@egi.eu";
const OIDC_BOB: &str = "9f1c3e5a7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a@egi.eu";

fn io(path: &str, suffix: &[&str]) -> StorageIo {
    StorageIo {
        storage_provider: "minio.default".into(),
        path: path.into(),
        suffix: (!suffix.is_empty()).then(|| suffix.iter().map(|s| s.to_string()).collect()),
        prefix: None,
    }
}

fn vars(pairs: &[(&str, &str)]) -> Option<StrMap> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn base(
    name: &str,
    image: &str,
    cpu: &str,
    memory: &str,
    log_level: &str,
    script: &str,
) -> Service {
    Service {
        name: name.into(),
        cluster_id: "oscar-cluster".into(),
        cpu: cpu.into(),
        memory: memory.into(),
        image: image.into(),
        log_level: log_level.into(),
        script: script.into(),
        synchronous: Synchronous {
            min_scale: 0,
            max_scale: 0,
        },
        annotations: Some(StrMap::new()),
        owner: "cluster_admin".into(),
        visibility: "private".into(),
        allowed_users: Some(Vec::new()),
        ..Service::default()
    }
}

/// Put a Visor interface spec (JSON text) in the service's annotations.
fn annotate(s: &mut Service, spec: String) {
    s.annotations
        .get_or_insert_with(StrMap::new)
        .insert(ANNOTATION.into(), spec);
}

/// The built-in demo catalogue (before `finalize` fills tokens, labels and storage providers).
pub(crate) fn demo_services() -> Vec<Service> {
    let mut out = Vec::new();

    let mut s = base(
        "cowsay",
        "ghcr.io/grycap/cowsay",
        "1.0",
        "1Gi",
        "CRITICAL",
        "#!/bin/sh\n\nif [ \"$INPUT_TYPE\" = \"json\" ]\nthen\n    jq '.message' \"$INPUT_FILE_PATH\" -r | /usr/games/cowsay\nelse\n    cat \"$INPUT_FILE_PATH\" | /usr/games/cowsay\nfi\n",
    );
    s.cluster_id = "oscar-replica".into();
    s.environment.variables = vars(&[("INPUT_TYPE", "json")]);
    s.visibility = "public".into();
    out.push(s);

    let mut s = base(
        "plants-classification",
        "ai4oshub/plants-classification",
        "1.0",
        "2Gi",
        "CRITICAL",
        "#!/bin/bash\n\nIMAGE_NAME=$(basename \"$INPUT_FILE_PATH\")\nOUTPUT_FILE=\"$TMP_OUTPUT_DIR/${IMAGE_NAME%.*}.json\"\n\ndeepaas-cli predict --files \"$INPUT_FILE_PATH\" --ct application/json 2>&1 | grep -Po \"{'status'.*}\" > \"$OUTPUT_FILE\"\n",
    );
    s.input = Some(vec![io("plants/input", &["jpg", "jpeg", "png"])]);
    s.output = Some(vec![io("plants/output", &[])]);
    s.visibility = "public".into();
    out.push(s);

    let mut s = base(
        "plants-classification-sync",
        "deephdc/deep-oc-plants-classification-tf",
        "1.0",
        "2Gi",
        "CRITICAL",
        "#!/bin/bash\n\nIMAGE=\"$INPUT_FILE_PATH.$INPUT_TYPE\"\nmv \"$INPUT_FILE_PATH\" \"$IMAGE\"\ndeepaas-cli predict --files \"$IMAGE\" --ct application/json -o \"$TMP_OUTPUT_DIR/output.json\"\n",
    );
    s.environment.variables = vars(&[("INPUT_TYPE", "image")]);
    s.visibility = "public".into();
    out.push(s);

    let mut s = base(
        "grayify",
        "ghcr.io/grycap/imagemagick",
        "1.0",
        "1Gi",
        "INFO",
        "#!/bin/bash\n\necho \"SCRIPT: Invoked Image Grayifier. File available in $INPUT_FILE_PATH\"\nFILE_NAME=`basename \"$INPUT_FILE_PATH\"`\nOUTPUT_FILE=\"$TMP_OUTPUT_DIR/$FILE_NAME\"\necho \"SCRIPT: Converting input image file $INPUT_FILE_PATH to grayscale to output file $OUTPUT_FILE\"\nconvert \"$INPUT_FILE_PATH\" -type Grayscale \"$OUTPUT_FILE\"\n",
    );
    s.input = Some(vec![io("grayify/in", &[])]);
    s.output = Some(vec![io("grayify/out", &[])]);
    out.push(s);

    let mut s = base(
        "imagemagick",
        "ghcr.io/grycap/imagemagick",
        "0.5",
        "512Mi",
        "CRITICAL",
        "#!/bin/bash\n\nFILE_NAME=$(basename \"$INPUT_FILE_PATH\")\nSTEM=\"${FILE_NAME%.*}\"\ncase \"$STEM\" in event-file-*) STEM=input ;; esac\nOUT=\"$TMP_OUTPUT_DIR/$STEM\"\nconvert \"$INPUT_FILE_PATH\" -colorspace Gray \"${OUT}_gray.png\"\nconvert \"${OUT}_gray.png\" -define convolve:scale='!' -morphology Convolve Sobel \"${OUT}_edges.png\"\nW=$(identify -format %w \"$INPUT_FILE_PATH\")\nH=$(identify -format %h \"$INPUT_FILE_PATH\")\nMEAN=$(convert \"${OUT}_gray.png\" -format '%[fx:mean*255]' info:)\nDENSITY=$(convert \"${OUT}_edges.png\" -threshold 25% -format '%[fx:mean]' info:)\nprintf '{\"width\":%s,\"height\":%s,\"mean_luma\":%s,\"edge_density\":%s}' \"$W\" \"$H\" \"$MEAN\" \"$DENSITY\" > \"${OUT}_metrics.json\"\n",
    );
    s.input = Some(vec![io("imagemagick/input", &[])]);
    s.output = Some(vec![io("imagemagick/output", &[])]);
    s.visibility = "public".into();
    annotate(&mut s, interfaces::imagemagick_spec().to_string());
    out.push(s);

    let mut s = base(
        "text-to-speech",
        "ghcr.io/grycap/text-to-speech-coqui",
        "4.0",
        "2Gi",
        "CRITICAL",
        "#!/bin/bash\n\ntts --text \"$(cat \"$INPUT_FILE_PATH\")\" --model_name tts_models/en/ljspeech/glow-tts --out_path \"$TMP_OUTPUT_DIR/output.wav\"\n",
    );
    s.input = Some(vec![io("tts/input", &["txt"])]);
    s.output = Some(vec![io("tts/output", &[])]);
    s.owner = OIDC_ALICE.into();
    s.vo = "vo.imagine-ai.eu".into();
    out.push(s);

    let mut s = base(
        "table-stats",
        "python:3.12-slim",
        "0.5",
        "512Mi",
        "CRITICAL",
        "#!/bin/sh\n\npython3 /opt/stats.py \"$INPUT_FILE_PATH\" > \"$TMP_OUTPUT_DIR/stats.csv\"\n",
    );
    s.input = Some(vec![io("table-stats/input", &["csv", "tsv"])]);
    s.output = Some(vec![io("table-stats/output", &[])]);
    s.owner = OIDC_BOB.into();
    s.visibility = "restricted".into();
    s.allowed_users = Some(vec![OIDC_ALICE.into(), OIDC_BOB.into()]);
    s.vo = "vo.imagine-ai.eu".into();
    out.push(s);

    let mut s = base(
        "echo",
        "alpine:3.20",
        "0.1",
        "128Mi",
        "CRITICAL",
        "#!/bin/sh\n\ncp \"$INPUT_FILE_PATH\" \"$TMP_OUTPUT_DIR/$(basename \"$INPUT_FILE_PATH\")\"\n",
    );
    s.alpine = true;
    s.visibility = "public".into();
    out.push(s);

    let mut s = base(
        "sleep-test",
        "ubuntu",
        "1.0",
        "256Mi",
        "CRITICAL",
        "#!/bin/bash\n\necho \"Sleeping $SLEEP_SECONDS seconds\"\nsleep \"$SLEEP_SECONDS\"\nFILE_NAME=$(basename \"$INPUT_FILE_PATH\")\necho \"Slept $SLEEP_SECONDS seconds\" > \"$TMP_OUTPUT_DIR/$FILE_NAME-out.txt\"\n",
    );
    s.environment.variables = vars(&[("SLEEP_SECONDS", "5")]);
    s.input = Some(vec![io("sleep-test/input", &[])]);
    s.output = Some(vec![io("sleep-test/output", &[])]);
    // Private to the demo OIDC user: other OIDC users do not see it.
    s.owner = DEMO_USER.into();
    out.push(s);

    let mut s = base(
        "fail-test",
        "alpine:3.20",
        "0.2",
        "256Mi",
        "CRITICAL",
        "#!/bin/sh\n\npython3 /opt/predict.py \"$INPUT_FILE_PATH\" \"$TMP_OUTPUT_DIR\"\n",
    );
    s.alpine = true;
    s.input = Some(vec![io("fail-test/in", &[])]);
    s.output = Some(vec![io("fail-test/out", &[])]);
    out.push(s);

    let mut s = base(
        "noisy-test",
        "ubuntu",
        "0.2",
        "256Mi",
        "INFO",
        "#!/bin/bash\n\npython3 /opt/noisy/count.py --log-level DEBUG \"$INPUT_FILE_PATH\"\necho \"Words: $(wc -w < \"$INPUT_FILE_PATH\")\"\necho \"Characters: $(wc -m < \"$INPUT_FILE_PATH\")\"\n",
    );
    s.visibility = "public".into();
    out.push(s);

    let mut s = base(
        "kokoro-tts",
        "ghcr.io/grycap/kokoro-tts",
        "2.0",
        "3Gi",
        "CRITICAL",
        "#!/bin/bash\n\nFILE_NAME=$(basename \"$INPUT_FILE_PATH\" | cut -d. -f1)\npython3 /app/kokoro_cli.py --input \"$INPUT_FILE_PATH\" --output \"$TMP_OUTPUT_DIR/$FILE_NAME.wav\"\n",
    );
    s.input = Some(vec![io("kokoro-tts/input", &["json"])]);
    s.output = Some(vec![io("kokoro-tts/output", &[])]);
    s.visibility = "public".into();
    annotate(&mut s, interfaces::kokoro_spec().to_string());
    out.push(s);

    // DEEPaaS-style: the image travels as base64 inside a JSON body (sync only).
    let mut s = base(
        "image-caption",
        "ai4oshub/image-caption",
        "1.0",
        "1Gi",
        "CRITICAL",
        "#!/bin/bash\n\npython3 /srv/caption/api.py \"$INPUT_FILE_PATH\" \"$TMP_OUTPUT_DIR/result.json\"\n",
    );
    s.visibility = "public".into();
    annotate(&mut s, interfaces::image_caption_spec().to_string());
    out.push(s);

    // Two demo workflows, chained by buckets like the OSCAR examples
    // `mask-detector-workflow` (two stages) and `video-process` (a fan-out).
    let stages: [(&str, &str, &str, &str, Option<(&str, &str)>); 4] = [
        ("anon-blur", "ghcr.io/grycap/blurry-faces", "anon/input", "anon/intermediate",
         Some(("Anonymise, then detect", "Blurs the image into 8×8 blocks; anon-detect then boxes its brightest region."))),
        ("anon-detect", "ghcr.io/grycap/mask-detector-yolo", "anon/intermediate", "anon/result", None),
        ("tiles-split", "ghcr.io/grycap/ffmpeg", "tiles/in", "tiles/med",
         Some(("Split into tiles, classify each", "Cuts the image into 4 tiles; tiles-classify then labels each tile."))),
        ("tiles-classify", "ghcr.io/grycap/darknet-v3", "tiles/med", "tiles/out", None),
    ];
    for (name, image, input, output, entry) in stages {
        let mut s = base(name, image, "1.0", "1Gi", "INFO", &format!("#!/bin/bash\n\npython3 /opt/{name}.py \"$INPUT_FILE_PATH\" \"$TMP_OUTPUT_DIR\"\n"));
        s.input = Some(vec![io(input, &[])]);
        s.output = Some(vec![io(output, &[])]);
        s.visibility = "public".into();
        if let Some((title, description)) = entry {
            annotate(&mut s, interfaces::workflow_entry_spec(title, description).to_string());
        }
        out.push(s);
    }

    // An annotation that is not a valid spec: Visor reports it and falls back to detection.
    let mut s = base(
        "broken-spec",
        "alpine:3.20",
        "0.1",
        "128Mi",
        "CRITICAL",
        "#!/bin/sh\n\ncp \"$INPUT_FILE_PATH\" \"$TMP_OUTPUT_DIR/$(basename \"$INPUT_FILE_PATH\")\"\n",
    );
    s.alpine = true;
    s.visibility = "public".into();
    annotate(&mut s, interfaces::BROKEN_SPEC.into());
    out.push(s);

    out
}

/// `n` generated services `svc-0001`, `svc-0002`, ... for large-catalogue tests.
pub(crate) fn extra_services(n: usize) -> Vec<Service> {
    let width = n.to_string().len().max(4);
    (1..=n)
        .map(|i| {
            let mut s = base(
                &format!("svc-{i:0width$}"),
                "alpine:3.20",
                "0.1",
                "128Mi",
                "CRITICAL",
                "#!/bin/sh\n\ncat \"$INPUT_FILE_PATH\"\n",
            );
            s.alpine = true;
            if i % 3 == 0 {
                s.visibility = "public".into();
            }
            if i % 2 == 0 {
                s.input = Some(vec![io(&format!("svc-{i:0width$}/in"), &[])]);
                s.output = Some(vec![io(&format!("svc-{i:0width$}/out"), &[])]);
            }
            s
        })
        .collect()
}
