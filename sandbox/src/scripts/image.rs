//! Image in: colour-statistics plant classifier (two output shapes), ImageMagick-like
//! grayscale/edges/metrics, grayify.

use super::{traceback, Input, ScriptOutput};
use crate::media::{decode_image, encode_png, ImageError, Rgb};
use crate::model::Service;

/// Plant labels with the colour each one "looks like": hue (degrees), saturation, value.
/// `None` hue: a white/pale flower, matched by bright unsaturated pixels.
const PLANTS: &[(&str, Option<f32>, f32, f32)] = &[
    ("Rosa canina", Some(340.0), 0.55, 0.75),
    ("Papaver rhoeas", Some(2.0), 0.90, 0.80),
    ("Calendula officinalis", Some(28.0), 0.85, 0.85),
    ("Helianthus annuus", Some(48.0), 0.85, 0.80),
    ("Taraxacum officinale", Some(58.0), 0.75, 0.92),
    ("Quercus robur", Some(30.0), 0.50, 0.35),
    ("Urtica dioica", Some(95.0), 0.55, 0.45),
    ("Hedera helix", Some(120.0), 0.60, 0.30),
    ("Mentha spicata", Some(135.0), 0.65, 0.70),
    ("Centaurea cyanus", Some(220.0), 0.75, 0.75),
    ("Lavandula angustifolia", Some(265.0), 0.45, 0.65),
    ("Viola odorata", Some(285.0), 0.60, 0.45),
    ("Bellis perennis", None, 0.05, 0.92),
];

/// Colour statistics of an image (sampled on a grid of at most ~250k pixels).
#[derive(Debug)]
pub(crate) struct ColourStats {
    pub mean_rgb: [f32; 3],
    pub brightness: f32,
    pub saturation: f32,
    /// One score per entry of [`PLANTS`].
    scores: Vec<f32>,
}

fn hsv(p: &[u8]) -> (f32, f32, f32) {
    let [r, g, b] = [p[0], p[1], p[2]].map(|c| f32::from(c) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let d = max - min;
    let s = if max > 0.0 { d / max } else { 0.0 };
    let h = if d <= f32::EPSILON {
        0.0
    } else if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (h, s, max)
}

fn gauss(x: f32, width: f32) -> f32 {
    (-(x / width) * (x / width)).exp()
}

pub(crate) fn colour_stats(img: &Rgb) -> ColourStats {
    let n = img.px.len() / 3;
    let step = ((n as f64 / 250_000.0).sqrt().ceil() as usize).max(1);
    let (w, h) = (img.width as usize, img.height as usize);
    let mut sum = [0f64; 3];
    let (mut sum_s, mut sum_v, mut count) = (0f64, 0f64, 0f64);
    let mut scores = vec![0f64; PLANTS.len()];
    for y in (0..h).step_by(step) {
        for x in (0..w).step_by(step) {
            let i = (y * w + x) * 3;
            let Some(p) = img.px.get(i..i + 3) else {
                continue;
            };
            let (hue, s, v) = hsv(p);
            for (acc, c) in sum.iter_mut().zip(p) {
                *acc += f64::from(*c);
            }
            sum_s += f64::from(s);
            sum_v += f64::from(v);
            count += 1.0;
            // How much this pixel has a defined hue (grey pixels have none).
            let chroma = ((s - 0.12) / 0.15).clamp(0.0, 1.0) * (v / 0.15).min(1.0);
            for (score, (_, lh, ls, lv)) in scores.iter_mut().zip(PLANTS) {
                let a = match lh {
                    Some(lh) => {
                        let dh = (hue - lh).abs();
                        let dh = dh.min(360.0 - dh);
                        chroma * gauss(dh, 35.0) * gauss(s - ls, 0.3) * gauss(v - lv, 0.3)
                    }
                    None => (1.0 - chroma) * gauss(s - ls, 0.2) * gauss(v - lv, 0.2),
                };
                *score += f64::from(a);
            }
        }
    }
    let count = count.max(1.0);
    ColourStats {
        mean_rgb: sum.map(|s| (s / count / 255.0) as f32),
        brightness: (sum_v / count) as f32,
        saturation: (sum_s / count) as f32,
        scores: scores.iter().map(|s| (s / count) as f32).collect(),
    }
}

/// One prediction: label, probability, label id (index in the label list).
pub(crate) struct Prediction {
    pub label: &'static str,
    pub probability: f64,
    pub label_id: usize,
}

/// Top-5 labels; probabilities from squared scores, floored to 4 decimals (sum ≤ 1).
pub(crate) fn classify(img: &Rgb) -> (ColourStats, Vec<Prediction>) {
    let stats = colour_stats(img);
    let weights: Vec<f64> = stats
        .scores
        .iter()
        .map(|s| (f64::from(*s) + 1e-3).powi(2))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut ranked: Vec<(usize, f64)> = weights.iter().map(|w| w / total).enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let preds = ranked
        .into_iter()
        .take(5)
        .map(|(i, p)| Prediction {
            label: PLANTS[i].0,
            probability: (p * 10_000.0).floor() / 10_000.0,
            label_id: i,
        })
        .collect();
    (stats, preds)
}

/// What `deepaas-cli predict` prints when PIL cannot open the file.
fn pil_error(input: &Input, detail: Option<&str>) -> ScriptOutput {
    let mut err = format!(
        "PIL.UnidentifiedImageError: cannot identify image file '{}'",
        input.path
    );
    if let Some(d) = detail {
        err = format!("OSError: image file is truncated or corrupt ({d})\n\nDuring handling of the above exception, another exception occurred:\n\n{err}");
    }
    ScriptOutput::stdout(traceback(
        &[
            (
                "/usr/local/bin/deepaas-cli",
                8,
                "<module>",
                "sys.exit(main())",
            ),
            (
                "/srv/plants/planttclas/api.py",
                214,
                "predict",
                "images = [Image.open(f.filename) for f in args[\"files\"]]",
            ),
            (
                "/usr/local/lib/python3.10/site-packages/PIL/Image.py",
                3283,
                "open",
                "raise UnidentifiedImageError(msg)",
            ),
        ],
        &err,
    ))
}

pub(super) fn decode_for_plants(input: &Input) -> Result<Rgb, ScriptOutput> {
    decode_image(input.bytes).map_err(|e| match e {
        ImageError::UnknownFormat => pil_error(input, None),
        ImageError::Corrupt(d) => pil_error(input, Some(&d)),
    })
}

/// AI4OS module output: one file `output.json` = `{"labels":[..5],"probabilities":[..5]}`.
pub(super) fn plants_sync_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let img = match decode_for_plants(input) {
        Ok(i) => i,
        // deepaas-cli exits 1 on the exception, and so does the script.
        Err(out) => return ScriptOutput { failed: true, ..out },
    };
    let (stats, preds) = classify(&img);
    let v = serde_json::json!({
        "labels": preds.iter().map(|p| p.label).collect::<Vec<_>>(),
        "probabilities": preds.iter().map(|p| p.probability).collect::<Vec<_>>(),
    });
    let mut out = ScriptOutput::file("output.json", v.to_string().into_bytes());
    out.stdout = deepaas_log(&img, &stats);
    out
}

/// What deepaas-cli prints before its result.
fn deepaas_log(img: &Rgb, s: &ColourStats) -> String {
    format!(
        "INFO:deepaas.cmd.cli:[INIT] Loading model plants (tf 2.x)\n\
         INFO:planttclas.api:Image {}x{}, mean RGB ({:.3}, {:.3}, {:.3}), brightness {:.3}, saturation {:.3}\n\
         INFO:deepaas.cmd.cli:[OK] Prediction done\n",
        img.width, img.height, s.mean_rgb[0], s.mean_rgb[1], s.mean_rgb[2], s.brightness, s.saturation
    )
}

/// Older DEEPaaS output, grepped from deepaas-cli's stdout as the Hub script does: a Python
/// dict repr with single quotes, one line, in `output.json`.
pub(super) fn plants_deepaas_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let img = match decode_for_plants(input) {
        Ok(i) => i,
        Err(out) => return out,
    };
    let (stats, preds) = classify(&img);
    let items: Vec<String> = preds
        .iter()
        .map(|p| {
            format!(
                "{{'label': '{}', 'probability': {}, 'label_id': {}}}",
                p.label,
                py_float(p.probability),
                p.label_id
            )
        })
        .collect();
    let line = format!(
        "{{'status': 'ok', 'predictions': [{}]}}\n",
        items.join(", ")
    );
    let mut out = ScriptOutput::file("output.json", line.into_bytes());
    out.stdout = deepaas_log(&img, &stats);
    out
}

/// Python's `repr(float)` for the values used here (no exponents: they are ≥ 1e-4 or 0).
fn py_float(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

/// ImageMagick's complaints about files it cannot read.
fn convert_error(input: &Input, e: ImageError) -> ScriptOutput {
    let first = match e {
        ImageError::UnknownFormat => format!(
            "convert: no decode delegate for this image format `' @ error/constitute.c/ReadImage/741.\nconvert: no images defined `{}' @ error/convert.c/ConvertImageCommand/3342.",
            input.path
        ),
        ImageError::Corrupt(d) => format!(
            "convert: corrupt image `{}' ({d}) @ error/coders.c/ReadImage/1183.\nconvert: no images defined `{}' @ error/convert.c/ConvertImageCommand/3342.",
            input.path, input.path
        ),
    };
    ScriptOutput::stdout(format!("{first}\n"))
}

/// Sobel gradient magnitude / 4, clamped to 0..=255 (edges replicate the border).
pub(crate) fn sobel(luma: &[u8], width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || luma.len() < w * h {
        return vec![0; luma.len()];
    }
    let at = |x: isize, y: isize| -> i32 {
        let x = x.clamp(0, w as isize - 1) as usize;
        let y = y.clamp(0, h as isize - 1) as usize;
        luma.get(y * w + x).copied().map(i32::from).unwrap_or(0)
    };
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h as isize {
        for x in 0..w as isize {
            let gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1)
                - at(x - 1, y - 1)
                - 2 * at(x - 1, y)
                - at(x - 1, y + 1);
            let gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1)
                - at(x - 1, y - 1)
                - 2 * at(x, y - 1)
                - at(x + 1, y - 1);
            let mag = f64::from(gx * gx + gy * gy).sqrt() / 4.0;
            out.push(mag.round().min(255.0) as u8);
        }
    }
    out
}

/// Edge pixels: Sobel value at or above this.
const EDGE_THRESHOLD: u8 = 64;

/// Hub imagemagick: `<stem>_gray.png`, `<stem>_edges.png`, `<stem>_metrics.json`.
pub(super) fn imagemagick_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let img = match decode_image(input.bytes) {
        Ok(i) => i,
        Err(e) => return convert_error(input, e),
    };
    let luma = img.luma();
    let edges = sobel(&luma, img.width, img.height);
    let n = luma.len().max(1) as f64;
    let mean_luma = luma.iter().map(|v| f64::from(*v)).sum::<f64>() / n;
    let edge_density = edges.iter().filter(|v| **v >= EDGE_THRESHOLD).count() as f64 / n;
    let metrics = serde_json::json!({
        "width": img.width,
        "height": img.height,
        "mean_luma": (mean_luma * 100.0).round() / 100.0,
        "edge_density": (edge_density * 10_000.0).round() / 10_000.0,
    });
    let stem = input.stem();
    ScriptOutput {
        stdout: String::new(),
        files: vec![
            (
                format!("{stem}_gray.png"),
                encode_png(img.width, img.height, 1, &luma),
            ),
            (
                format!("{stem}_edges.png"),
                encode_png(img.width, img.height, 1, &edges),
            ),
            (
                format!("{stem}_metrics.json"),
                metrics.to_string().into_bytes(),
            ),
        ],
        failed: false,
    }
}

/// grayify: the same name out, grayscale (always PNG-encoded here).
pub(super) fn grayify_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let mut stdout = format!(
        "SCRIPT: Invoked Image Grayifier. File available in {}\n",
        input.path
    );
    let out_name = input.file_name().to_string();
    stdout.push_str(&format!(
        "SCRIPT: Converting input image file {} to grayscale to output file $TMP_OUTPUT_DIR/{out_name}\n",
        input.path
    ));
    match decode_image(input.bytes) {
        Ok(img) => ScriptOutput {
            stdout,
            files: vec![(out_name, encode_png(img.width, img.height, 1, &img.luma()))],
            failed: false,
        },
        Err(e) => {
            stdout.push_str(&convert_error(input, e).stdout);
            ScriptOutput::stdout(stdout)
        }
    }
}

/// image-caption (DEEPaaS-style): JSON `{"oscar-files":[{"key","file_format","data":<base64>}],
/// "caption","shout"}` in, one `result.json` out: the caption (upper-cased when `shout`), the
/// image's size and its mean RGB (0-255, 2 decimals).
pub(super) fn image_caption_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let tb = |line: u32, code: &str, err: &str| {
        ScriptOutput::stdout(traceback(
            &[
                ("/srv/caption/api.py", 57, "<module>", "main()"),
                ("/srv/caption/api.py", line, "main", code),
            ],
            err,
        ))
    };
    let v: serde_json::Value = match serde_json::from_slice(input.bytes) {
        Ok(v) => v,
        Err(e) => {
            return tb(
                31,
                "req = json.load(f)",
                &format!(
                    "json.decoder.JSONDecodeError: Expecting value: line {} column {} (char {})",
                    e.line(),
                    e.column(),
                    e.column().saturating_sub(1)
                ),
            )
        }
    };
    let files = v.get("oscar-files").and_then(|f| f.as_array());
    let Some(files) = files else {
        return tb(
            33,
            "files = req[\"oscar-files\"]",
            "KeyError: 'oscar-files'",
        );
    };
    let entry = files
        .iter()
        .find(|f| f.get("key").and_then(|k| k.as_str()) == Some("image"))
        .or_else(|| files.first());
    let Some(data) = entry.and_then(|f| f.get("data")).and_then(|d| d.as_str()) else {
        return tb(34, "data = files[0][\"data\"]", "KeyError: 'data'");
    };
    let bytes = match crate::util::py_b64decode(data.as_bytes()) {
        Ok(b) => b,
        Err(e) => return tb(35, "raw = base64.b64decode(data)", &e),
    };
    let img = match decode_image(&bytes) {
        Ok(i) => i,
        Err(e) => {
            let detail = match e {
                ImageError::UnknownFormat => String::new(),
                ImageError::Corrupt(d) => format!(" ({d})"),
            };
            return tb(
                36,
                "img = Image.open(io.BytesIO(raw))",
                &format!("PIL.UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7f3a2c1e5f80>{detail}"),
            );
        }
    };
    let caption = match v.get("caption") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let shout = match v.get("shout") {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => {
            matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
        }
        Some(serde_json::Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
        _ => false,
    };
    let caption = if shout {
        caption.to_uppercase()
    } else {
        caption
    };
    let mut sum = [0f64; 3];
    for p in img.px.chunks_exact(3) {
        for (acc, c) in sum.iter_mut().zip(p) {
            *acc += f64::from(*c);
        }
    }
    let n = (img.px.len() / 3).max(1) as f64;
    let mean = sum.map(|s| (s / n * 100.0).round() / 100.0);
    let result = serde_json::json!({
        "caption": caption,
        "width": img.width,
        "height": img.height,
        "mean_rgb": mean,
    });
    let mut out = ScriptOutput::file("result.json", result.to_string().into_bytes());
    out.stdout = format!(
        "Captioned a {}x{} image\nSaved result.json\n",
        img.width, img.height
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn rgb(bytes: &[u8]) -> Rgb {
        decode_image(bytes).expect("fixture decodes")
    }

    #[test]
    fn red_and_green_differ() {
        let (_, red) = classify(&rgb(&fixtures::png(16, 16, [220, 20, 30])));
        let (_, green) = classify(&rgb(&fixtures::png(16, 16, [40, 180, 60])));
        let (_, white) = classify(&rgb(&fixtures::png(16, 16, [245, 245, 240])));
        assert_eq!(red.len(), 5);
        assert_ne!(red[0].label, green[0].label);
        assert_eq!(red[0].label, "Papaver rhoeas");
        assert_eq!(white[0].label, "Bellis perennis");
        for preds in [&red, &green, &white] {
            let sum: f64 = preds.iter().map(|p| p.probability).sum();
            assert!(sum <= 1.0 && sum > 0.3, "{sum}");
            assert!(preds
                .windows(2)
                .all(|w| w[0].probability >= w[1].probability));
        }
    }

    #[test]
    fn stats_of_solid_colour() {
        let (s, _) = classify(&rgb(&fixtures::png(4, 4, [255, 0, 0])));
        assert!((s.mean_rgb[0] - 1.0).abs() < 1e-6 && s.mean_rgb[1] == 0.0);
        assert!((s.brightness - 1.0).abs() < 1e-6 && (s.saturation - 1.0).abs() < 1e-6);
    }

    #[test]
    fn sobel_finds_edges_only_where_they_are() {
        let flat = sobel(&[100; 25], 5, 5);
        assert!(flat.iter().all(|v| *v == 0));
        let mut step = vec![0u8; 25];
        for y in 0..5 {
            for x in 3..5 {
                step[y * 5 + x] = 255;
            }
        }
        let e = sobel(&step, 5, 5);
        assert_eq!(e[2], 255);
        assert_eq!(e[0], 0);
    }

    #[test]
    fn bad_bytes_give_error_text() {
        let svc = Service::default();
        let input = Input {
            bytes: b"definitely not an image",
            path: "/tmp/tmpab/event-file-1",
        };
        for h in [
            plants_sync_handler,
            plants_deepaas_handler,
            imagemagick_handler,
            grayify_handler,
        ] {
            let out = h(&svc, &input);
            assert!(out.files.is_empty());
            assert!(!out.stdout.is_empty());
        }
        let png = fixtures::png(3, 3, [1, 2, 3]);
        let cut = Input {
            bytes: &png[..png.len() - 20],
            path: "/tmp/tmpab/event-file-1",
        };
        assert!(imagemagick_handler(&svc, &cut)
            .stdout
            .contains("corrupt image"));
    }
}
