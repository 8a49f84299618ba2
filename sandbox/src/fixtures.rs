//! Real input files for tests (the browser e2e tests write them to temp files themselves).
//! Everything is generated, deterministic and valid for its format.

use crate::media;

/// A solid-colour RGB PNG. Zero sizes are raised to 1 (PNG has no empty images).
pub fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let (w, h) = (width.max(1), height.max(1));
    let px: Vec<u8> = (0..w as usize * h as usize).flat_map(|_| rgb).collect();
    media::encode_png(w, h, 3, &px)
}

/// An RGB PNG with a red-to-blue horizontal gradient, a green vertical ramp and a dark
/// square in the middle: colourful, and with sharp edges for the edge detector.
pub fn png_gradient(width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width.max(1), height.max(1));
    let mut px = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h {
        for x in 0..w {
            let inside = x >= w / 4 && x < w - w / 4 && y >= h / 4 && y < h - h / 4;
            if inside {
                px.extend_from_slice(&[20, 20, 30]);
            } else {
                let r = (255 * (w - 1 - x) / (w.max(2) - 1)) as u8;
                let b = (255 * x / (w.max(2) - 1)) as u8;
                let g = (200 * y / (h.max(2) - 1)) as u8;
                px.extend_from_slice(&[r, g, b]);
            }
        }
    }
    media::encode_png(w, h, 3, &px)
}

/// `len` pseudo-random bytes (xorshift from `seed`): data that does not compress.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// An RGB PNG of random pixels: it does not compress, so its size is about
/// `3 × width × height` bytes.
pub fn png_noise(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let (w, h) = (width.max(1), height.max(1));
    media::encode_png(w, h, 3, &noise(w as usize * h as usize * 3, seed))
}

/// A solid-colour baseline JPEG (JFIF, YCbCr 4:4:4, DC-only blocks, quantizer 1).
/// Zero sizes are raised to 1; sides above 65535 are capped.
pub fn jpeg(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let (w, h) = (width.clamp(1, 65535) as u16, height.clamp(1, 65535) as u16);
    let [r, g, b] = rgb.map(f32::from);
    let ycc = [
        0.299 * r + 0.587 * g + 0.114 * b,
        128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b,
        128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b,
    ]
    .map(|v| (8.0 * (v.round().clamp(0.0, 255.0) - 128.0)) as i32);
    let mut out = vec![0xff, 0xd8];
    // APP0 JFIF 1.1, no density, no thumbnail.
    out.extend_from_slice(b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    // DQT: table 0, all ones.
    out.extend_from_slice(&[0xff, 0xdb, 0x00, 0x43, 0x00]);
    out.extend_from_slice(&[1u8; 64]);
    // SOF0: 8-bit, 3 components, 1x1 sampling, quant table 0.
    out.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08]);
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&[0x03, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
    // DHT DC 0: categories 0..=11, all 4-bit codes (code = category).
    out.extend_from_slice(&[0xff, 0xc4, 0x00, 0x1f, 0x00]);
    out.extend_from_slice(&[0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend(0u8..12);
    // DHT AC 0: only EOB, code "0".
    out.extend_from_slice(&[0xff, 0xc4, 0x00, 0x14, 0x10, 1]);
    out.extend_from_slice(&[0; 15]);
    out.push(0x00);
    // SOS: 3 components, tables 0/0, full spectral range.
    out.extend_from_slice(&[
        0xff, 0xda, 0x00, 0x0c, 0x03, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0,
    ]);
    let mut bits = BitWriter::default();
    let mcus = usize::from(w).div_ceil(8) * usize::from(h).div_ceil(8);
    for m in 0..mcus {
        for dc in ycc {
            // The first MCU carries the DC value; the rest repeat it (difference 0).
            let diff = if m == 0 { dc } else { 0 };
            let cat = 32 - diff.unsigned_abs().leading_zeros();
            bits.put(cat, 4);
            if cat > 0 {
                let v = if diff < 0 {
                    diff + (1 << cat) - 1
                } else {
                    diff
                };
                bits.put(v as u32, cat);
            }
            bits.put(0, 1); // EOB
        }
    }
    out.extend(bits.finish());
    out.extend_from_slice(&[0xff, 0xd9]);
    out
}

/// MSB-first bit packing with JPEG byte stuffing.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, count: u32) {
        for i in (0..count).rev() {
            self.acc = (self.acc << 1) | ((value >> i) & 1);
            self.n += 1;
            if self.n == 8 {
                self.byte();
            }
        }
    }

    fn byte(&mut self) {
        let b = self.acc as u8;
        self.out.push(b);
        if b == 0xff {
            self.out.push(0x00);
        }
        self.acc = 0;
        self.n = 0;
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            let pad = 8 - self.n;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}

/// A sine tone as a 16-bit PCM mono WAV at 16 kHz, with 5 ms fades.
pub fn wav_tone(freq_hz: f32, millis: u32) -> Vec<u8> {
    let n = (media::SAMPLE_RATE as u64 * u64::from(millis) / 1000) as usize;
    let fade = (media::SAMPLE_RATE as usize / 200).max(1);
    let samples: Vec<i16> = (0..n)
        .map(|i| {
            let t = i as f32 / media::SAMPLE_RATE as f32;
            let env = (i.min(n - 1 - i) as f32 / fade as f32).min(1.0);
            let v = (std::f32::consts::TAU * freq_hz * t).sin() * 0.5 * env;
            (v * f32::from(i16::MAX)) as i16
        })
        .collect();
    media::wav_pcm16(&samples)
}

/// A small plant table: text and numeric columns, a quoted field with a comma, a missing cell.
///
/// `table-stats` answers for it:
/// ```text
/// column,count,missing,mean,min,max
/// plant,4,0,,,
/// height_cm,4,0,100,8,210
/// leaves,3,1,88.666667,12,220
/// notes,4,0,,,
/// ```
pub fn csv_sample() -> String {
    "plant,height_cm,leaves,notes\n\
     Rosa canina,120.5,34,\"thorny, climbing\"\n\
     Bellis perennis,8,12,lawn\n\
     Helianthus annuus,210,,tall\n\
     Lavandula angustifolia,61.5,220,\"fragrant, \"\"purple\"\"\"\n"
        .to_string()
}

/// A tiny valid one-page PDF (Helvetica text "OSCAR Visor"), with a correct xref table.
pub fn pdf_minimal() -> Vec<u8> {
    let stream = "BT /F1 24 Tf 30 60 Td (OSCAR Visor) Tj ET\n";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 240 140] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{stream}endstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        table.push_str(&format!("{off:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.extend_from_slice(table.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pngs_decode() {
        let img = media::decode_image(&png(5, 3, [1, 2, 3])).expect("valid");
        assert_eq!((img.width, img.height), (5, 3));
        assert_eq!(&img.px[..6], &[1, 2, 3, 1, 2, 3]);
        let g = media::decode_image(&png_gradient(40, 20)).expect("valid");
        assert_eq!((g.width, g.height), (40, 20));
        assert_eq!(&g.px[..3], &[255, 0, 0]);
    }

    #[test]
    fn jpeg_decodes_to_its_colour() {
        for (w, h, rgb) in [
            (8, 8, [200, 200, 200]),
            (21, 13, [220, 20, 30]),
            (1, 1, [0, 160, 40]),
        ] {
            let img = media::decode_image(&jpeg(w, h, rgb)).expect("valid JPEG");
            assert_eq!((img.width, img.height), (w, h));
            for p in img.px.chunks_exact(3) {
                for (got, want) in p.iter().zip(rgb) {
                    assert!(got.abs_diff(want) <= 3, "{p:?} vs {rgb:?}");
                }
            }
        }
    }

    #[test]
    fn wav_length() {
        let w = wav_tone(440.0, 250);
        assert_eq!(w.len(), 44 + 4000 * 2);
    }

    #[test]
    fn pdf_xref_offsets_point_at_objects() {
        let pdf = pdf_minimal();
        // Byte-for-byte text (the binary marker bytes become '?').
        let text: String = pdf
            .iter()
            .map(|b| if b.is_ascii() { char::from(*b) } else { '?' })
            .collect();
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(text.ends_with("%%EOF\n"));
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .expect("startxref");
        assert!(pdf[startxref..].starts_with(b"xref\n0 6\n"));
        let entries: Vec<&str> = text[startxref..].lines().skip(3).take(5).collect();
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.len(), 19, "{e:?}"); // + "\n" = 20 bytes
            let off: usize = e[..10].parse().expect("offset");
            assert!(pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
        let len_at = text.find("/Length ").expect("length") + 8;
        let len: usize = text[len_at..]
            .split_whitespace()
            .next()
            .and_then(|s| s.parse().ok())
            .expect("number");
        let start = text.find("stream\n").expect("stream") + 7;
        assert_eq!(&text[start + len..start + len + 9], "endstream");
    }

    #[test]
    fn csv_has_quotes_and_a_gap() {
        let c = csv_sample();
        assert!(c.contains("\"thorny, climbing\""));
        assert!(c.contains(",,"));
    }
}

/// A ZIP bomb of the "many entries, one stream" kind: `entries` central
/// directory records that all point at one deflated run of `zeros` zero bytes.
pub fn zip_bomb(entries: u16, zeros: usize) -> Vec<u8> {
    crate::media::zip_with(&[("zeros.bin".to_string(), vec![0; zeros])], true, entries)
}

/// A well-formed ZIP of deflated `files` (name, bytes).
pub fn zip_deflated(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let files: Vec<(String, Vec<u8>)> = files.iter().map(|(n, d)| (n.to_string(), d.clone())).collect();
    crate::media::zip_with(&files, true, 1)
}
