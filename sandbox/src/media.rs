//! The one PNG encoder, image decoder, WAV writer and ZIP writer of the crate, shared by the
//! demo services and the test fixtures.

use crate::util::now_utc;
use std::io::Cursor;

/// Largest image the demo services decode (decoder buffers are capped at this many bytes).
const MAX_IMAGE_BYTES: usize = 96 * 1024 * 1024;

/// Sample rate of every WAV the stand-in writes.
pub(crate) const SAMPLE_RATE: u32 = 16_000;

/// An 8-bit RGB raster.
pub(crate) struct Rgb {
    pub width: u32,
    pub height: u32,
    /// `width * height * 3` bytes, row-major.
    pub px: Vec<u8>,
}

impl Rgb {
    /// BT.601 luma of every pixel, rounded.
    pub fn luma(&self) -> Vec<u8> {
        self.px
            .chunks_exact(3)
            .map(|p| {
                let y = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
                y.round().clamp(0.0, 255.0) as u8
            })
            .collect()
    }
}

/// What an image decoder says about bytes that are not an image it knows.
#[derive(Debug)]
pub(crate) enum ImageError {
    /// Neither PNG nor JPEG magic bytes.
    UnknownFormat,
    /// The right magic bytes, broken content.
    Corrupt(String),
}

/// Decode a PNG or JPEG (sniffed by magic bytes) into RGB; alpha is dropped.
pub(crate) fn decode_image(bytes: &[u8]) -> Result<Rgb, ImageError> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes).map_err(ImageError::Corrupt)
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        decode_jpeg(bytes).map_err(ImageError::Corrupt)
    } else {
        Err(ImageError::UnknownFormat)
    }
}

fn decode_png(bytes: &[u8]) -> Result<Rgb, String> {
    let mut dec = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: MAX_IMAGE_BYTES,
        },
    );
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "image too large".to_string())?;
    if size > MAX_IMAGE_BYTES {
        return Err("image too large".into());
    }
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    if info.bit_depth != png::BitDepth::Eight {
        return Err(format!("unsupported bit depth {:?}", info.bit_depth));
    }
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("palette was not expanded".into()),
    };
    let (w, h) = (info.width as usize, info.height as usize);
    let mut px = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let row = buf
            .get(y * info.line_size..y * info.line_size + w * channels)
            .ok_or_else(|| "truncated image data".to_string())?;
        for p in row.chunks_exact(channels) {
            match channels {
                1 | 2 => px.extend_from_slice(&[p[0], p[0], p[0]]),
                _ => px.extend_from_slice(&p[..3]),
            }
        }
    }
    Ok(Rgb {
        width: info.width,
        height: info.height,
        px,
    })
}

fn decode_jpeg(bytes: &[u8]) -> Result<Rgb, String> {
    let mut dec = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    dec.set_max_decoding_buffer_size(MAX_IMAGE_BYTES);
    let data = dec.decode().map_err(|e| e.to_string())?;
    let info = dec.info().ok_or_else(|| "no frame header".to_string())?;
    let n = usize::from(info.width) * usize::from(info.height);
    let px: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => data.iter().flat_map(|&v| [v, v, v]).collect(),
        jpeg_decoder::PixelFormat::L16 => data
            .chunks_exact(2)
            .flat_map(|v| [v[0], v[0], v[0]])
            .collect(),
        jpeg_decoder::PixelFormat::RGB24 => data,
        jpeg_decoder::PixelFormat::CMYK32 => data
            .chunks_exact(4)
            .flat_map(|p| {
                let k = 255 - u16::from(p[3]);
                let f = |c: u8| ((255 - u16::from(c)) * k / 255) as u8;
                [f(p[0]), f(p[1]), f(p[2])]
            })
            .collect(),
    };
    if px.len() != n * 3 {
        return Err("truncated image data".into());
    }
    Ok(Rgb {
        width: u32::from(info.width),
        height: u32::from(info.height),
        px,
    })
}

/// An 8-bit PNG: `channels` 1 = grayscale, 3 = RGB. `data.len()` must be `w * h * channels`.
pub(crate) fn encode_png(width: u32, height: u32, channels: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(if channels == 1 {
        png::ColorType::Grayscale
    } else {
        png::ColorType::Rgb
    });
    enc.set_depth(png::BitDepth::Eight);
    let ok = enc
        .write_header()
        .and_then(|mut w| w.write_image_data(data).and_then(|_| w.finish()));
    debug_assert!(ok.is_ok(), "PNG encoding failed: {ok:?}");
    out
}

/// A 16-bit PCM mono WAV at [`SAMPLE_RATE`].
pub(crate) fn wav_pcm16(samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// MS-DOS date and time of now (UTC), as ZIP stores them.
fn dos_now() -> (u16, u16) {
    let (y, mo, d, h, mi, s, _) = now_utc();
    let year = (y.clamp(1980, 2107) - 1980) as u16;
    let date = (year << 9) | ((mo as u16) << 5) | d as u16;
    let time = ((h as u16) << 11) | ((mi as u16) << 5) | (s as u16 / 2);
    (date, time)
}

/// A ZIP archive of `files` (name, bytes), stored without compression.
pub(crate) fn zip_stored(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    zip_with(files, false, 1)
}

/// A ZIP archive of `files`, deflated or stored, whose central directory
/// lists each entry `copies` times (more than 1 is a zip bomb's trick: many
/// entries that all point at one stream).
pub(crate) fn zip_with(files: &[(String, Vec<u8>)], deflate: bool, copies: u16) -> Vec<u8> {
    let (date, time) = dos_now();
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let crc = crc32fast::hash(data);
        let flags: u16 = if name.is_ascii() { 0 } else { 1 << 11 };
        let offset = out.len() as u32;
        let packed = if deflate { miniz_oxide::deflate::compress_to_vec(data, 9) } else { data.clone() };
        let method: u16 = if deflate { 8 } else { 0 };
        let (size, packed_size) = (data.len() as u32, packed.len() as u32);
        let name_len = name.len() as u16;
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, flags, method, time, date] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, packed_size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&packed);
        // Central directory entry.
        for _ in 0..copies {
            central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            for v in [0x031eu16, 20, flags, method, time, date] {
                central.extend_from_slice(&v.to_le_bytes());
            }
            for v in [crc, packed_size, size] {
                central.extend_from_slice(&v.to_le_bytes());
            }
            for v in [name_len, 0, 0, 0, 0] {
                central.extend_from_slice(&v.to_le_bytes());
            }
            central.extend_from_slice(&(0o100644u32 << 16).to_le_bytes()); // external attrs
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let count = (files.len() * usize::from(copies)) as u16;
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trip_rgb_and_gray() {
        let rgb: Vec<u8> = (0..4 * 3 * 3).map(|i| (i * 7) as u8).collect();
        let img = decode_image(&encode_png(4, 3, 3, &rgb)).expect("decodes");
        assert_eq!((img.width, img.height), (4, 3));
        assert_eq!(img.px, rgb);
        let gray = decode_image(&encode_png(2, 1, 1, &[10, 200])).expect("decodes");
        assert_eq!(gray.px, vec![10, 10, 10, 200, 200, 200]);
    }

    #[test]
    fn bad_images_are_errors_not_panics() {
        assert!(matches!(
            decode_image(b"hello"),
            Err(ImageError::UnknownFormat)
        ));
        assert!(matches!(
            decode_image(b"\x89PNG\r\n\x1a\nrubbish"),
            Err(ImageError::Corrupt(_))
        ));
        assert!(matches!(
            decode_image(&[0xff, 0xd8, 0xff, 0xe0, 0, 3, 1]),
            Err(ImageError::Corrupt(_))
        ));
        let good = encode_png(8, 8, 3, &[90; 8 * 8 * 3]);
        for cut in [9, 20, 33, 40, good.len() - 13] {
            assert!(decode_image(&good[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn wav_header() {
        let w = wav_pcm16(&[0, 1, -1]);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(&w[8..16], b"WAVEfmt ");
        assert_eq!(u32::from_le_bytes([w[40], w[41], w[42], w[43]]), 6);
        assert_eq!(w.len(), 50);
    }

    #[test]
    fn zip_layout() {
        let z = zip_stored(&[("a.txt".into(), b"hi".to_vec()), ("b".into(), vec![])]);
        assert!(z.starts_with(b"PK\x03\x04"));
        let eocd = z.len() - 22;
        assert_eq!(&z[eocd..eocd + 4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([z[eocd + 10], z[eocd + 11]]), 2);
        assert_eq!(
            crc32fast::hash(b"hi"),
            u32::from_le_bytes([z[14], z[15], z[16], z[17]])
        );
    }
}
