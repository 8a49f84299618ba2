//! The demo workflows' stages (chained by buckets like OSCAR's
//! `mask-detector-workflow` and `video-process` examples): each does real
//! work on the image it is given and names its outputs after its input, as
//! the examples' scripts do, so that a run can be followed stage to stage.

use super::image::{classify, decode_for_plants};
use super::{traceback, Input, ScriptOutput};
use crate::media::{encode_png, Rgb};
use crate::model::Service;

/// The side of the anonymiser's mosaic blocks, in pixels.
const BLOCK: u32 = 8;
/// The detector's smallest input side, in pixels.
const MIN_DETECT: u32 = 16;

fn decoded(input: &Input) -> Result<Rgb, ScriptOutput> {
    decode_for_plants(input).map_err(|out| ScriptOutput { failed: true, ..out })
}

fn png(img: &Rgb) -> Vec<u8> {
    encode_png(img.width, img.height, 3, &img.px)
}

/// `anon-blur` (like `anon-and-split`'s blurry-faces): the image as a mosaic
/// of 8×8 blocks, each the mean of its pixels.
pub(super) fn anon_blur_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let mut img = match decoded(input) {
        Ok(i) => i,
        Err(out) => return out,
    };
    let (w, h) = (img.width as usize, img.height as usize);
    let block = BLOCK as usize;
    for by in (0..h).step_by(block) {
        for bx in (0..w).step_by(block) {
            let (ys, xs) = (by..(by + block).min(h), bx..(bx + block).min(w));
            let mut sum = [0u64; 3];
            let n = (ys.len() * xs.len()) as u64;
            for y in ys.clone() {
                for x in xs.clone() {
                    let i = (y * w + x) * 3;
                    for (c, s) in sum.iter_mut().enumerate() {
                        *s += u64::from(img.px[i + c]);
                    }
                }
            }
            for y in ys.clone() {
                for x in xs.clone() {
                    let i = (y * w + x) * 3;
                    for (c, s) in sum.iter().enumerate() {
                        img.px[i + c] = (s / n.max(1)) as u8;
                    }
                }
            }
        }
    }
    let mut out = ScriptOutput::file(format!("{}.png", input.stem()), png(&img));
    out.stdout = format!("[blurry-faces] {}x{} image, {}x{} px blocks: anonymised\n", img.width, img.height, BLOCK, BLOCK);
    out
}

/// `anon-detect` (like `mask-detector`): finds the brightest region and
/// draws a red box around it. Images under 16×16 make it fail, as a real
/// detector's input layer would.
pub(super) fn anon_detect_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let mut img = match decoded(input) {
        Ok(i) => i,
        Err(out) => return out,
    };
    if img.width < MIN_DETECT || img.height < MIN_DETECT {
        let mut out = ScriptOutput::stdout(traceback(
            &[("/opt/mask-detector/detect.py", 41, "<module>", "boxes = model.predict(image)")],
            &format!(
                "ValueError: image too small for the detector: {}x{} (it needs {MIN_DETECT}x{MIN_DETECT} or more)",
                img.width, img.height
            ),
        ));
        out.failed = true;
        return out;
    }
    let luma = img.luma();
    let max = luma.iter().copied().max().unwrap_or(0);
    let mean = luma.iter().map(|l| u64::from(*l)).sum::<u64>() / luma.len().max(1) as u64;
    let threshold = (mean + (u64::from(max) - mean.min(u64::from(max))) / 2) as u8;
    let w = img.width as usize;
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for (i, l) in luma.iter().enumerate() {
        if *l >= threshold {
            let (x, y) = (i % w, i / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    let h = img.height as usize;
    for y in y0..=y1.min(h - 1) {
        for x in x0..=x1.min(w - 1) {
            let edge = x < x0 + 2 || x + 2 > x1 || y < y0 + 2 || y + 2 > y1;
            if edge {
                let i = (y * w + x) * 3;
                img.px[i..i + 3].copy_from_slice(&[230, 30, 30]);
            }
        }
    }
    let mut out = ScriptOutput::file(format!("{}_boxes.png", input.stem()), png(&img));
    out.stdout = format!(
        "[mask-detector] 1 region at ({x0}, {y0}), {}x{} px (luma >= {threshold})\n",
        x1 + 1 - x0,
        y1 + 1 - y0
    );
    out
}

/// `tiles-split` (like `split-video`, one input to many objects): the image
/// cut into 2×2 tiles, `<stem>_tile1.png` … `<stem>_tile4.png`, row by row.
pub(super) fn tiles_split_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let img = match decoded(input) {
        Ok(i) => i,
        Err(out) => return out,
    };
    let (w, h) = (img.width as usize, img.height as usize);
    if w < 2 || h < 2 {
        let mut out = ScriptOutput::stdout(format!("[split] {w}x{h} image: too small to cut in 2x2 tiles\n"));
        out.failed = true;
        return out;
    }
    let mut out = ScriptOutput::default();
    let (hw, hh) = (w / 2, h / 2);
    for (k, (ty, tx)) in [(0, 0), (0, 1), (1, 0), (1, 1)].into_iter().enumerate() {
        let (xs, ys) = (tx * hw..if tx == 1 { w } else { hw }, ty * hh..if ty == 1 { h } else { hh });
        let mut px = Vec::with_capacity(xs.len() * ys.len() * 3);
        for y in ys.clone() {
            px.extend_from_slice(&img.px[(y * w + xs.start) * 3..(y * w + xs.end) * 3]);
        }
        let tile = Rgb { width: xs.len() as u32, height: ys.len() as u32, px };
        out.files.push((format!("{}_tile{}.png", input.stem(), k + 1), png(&tile)));
    }
    out.stdout = format!("[split] {w}x{h} image cut into 4 tiles\n");
    out
}

/// `tiles-classify` (like `darknet` on each frame): the plant classifier on
/// one tile, `{"labels":[…],"probabilities":[…]}` in `<stem>.json`.
pub(super) fn tiles_classify_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let img = match decoded(input) {
        Ok(i) => i,
        Err(out) => return out,
    };
    let (_, preds) = classify(&img);
    let v = serde_json::json!({
        "labels": preds.iter().map(|p| p.label).collect::<Vec<_>>(),
        "probabilities": preds.iter().map(|p| p.probability).collect::<Vec<_>>(),
    });
    let mut out = ScriptOutput::file(format!("{}.json", input.stem()), v.to_string().into_bytes());
    out.stdout = format!("[classify] {}x{} tile: {}\n", img.width, img.height, preds.first().map_or("nothing", |p| p.label));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::png_gradient;
    use crate::media::decode_image;

    fn run(handler: super::super::Handler, bytes: &[u8], path: &str) -> ScriptOutput {
        handler(&Service::default(), &Input { bytes, path })
    }

    #[test]
    fn the_chains_do_real_work() {
        let png = png_gradient(40, 24);
        let blurred = run(anon_blur_handler, &png, "/tmp/x/ab12cd34-face.png");
        assert_eq!(blurred.files[0].0, "ab12cd34-face.png");
        let img = decode_image(&blurred.files[0].1).expect("png");
        assert_eq!(img.px[0..3], img.px[3 * 7..3 * 8], "one block, one colour");
        let boxed = run(anon_detect_handler, &blurred.files[0].1, "/tmp/y/ab12cd34-face.png");
        assert_eq!(boxed.files[0].0, "ab12cd34-face_boxes.png");
        assert!(decode_image(&boxed.files[0].1).expect("png").px.chunks(3).any(|p| p == [230, 30, 30]));
        let small = run(anon_detect_handler, &png_gradient(8, 8), "/tmp/y/s.png");
        assert!(small.failed && small.files.is_empty() && small.stdout.contains("too small"));

        let tiles = run(tiles_split_handler, &png_gradient(41, 25), "/tmp/z/ab12cd34-leaf.png");
        let names: Vec<&str> = tiles.files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["ab12cd34-leaf_tile1.png", "ab12cd34-leaf_tile2.png", "ab12cd34-leaf_tile3.png", "ab12cd34-leaf_tile4.png"]);
        let last = decode_image(&tiles.files[3].1).expect("png");
        assert_eq!((last.width, last.height), (21, 13));
        let labels = run(tiles_classify_handler, &tiles.files[0].1, "/tmp/w/ab12cd34-leaf_tile1.png");
        assert_eq!(labels.files[0].0, "ab12cd34-leaf_tile1.json");
        let v: serde_json::Value = serde_json::from_slice(&labels.files[0].1).expect("json");
        assert_eq!(v["labels"].as_array().map(Vec::len), Some(5));
        assert!(run(tiles_classify_handler, b"not an image", "/tmp/w/x.png").failed);
    }
}
