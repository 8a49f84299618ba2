//! Text in, "speech-like" WAV out: one short voiced tone per character, pitch by letter,
//! pauses at spaces and punctuation (text-to-speech, kokoro-tts).

use super::{traceback, Input, ScriptOutput};
use crate::media::{wav_pcm16, SAMPLE_RATE};
use crate::model::Service;

/// Milliseconds per character at speed 1.
pub(crate) const CHAR_MS: f32 = 75.0;
/// Longest audio produced, in seconds.
pub(crate) const MAX_SECONDS: u32 = 20;

const SPACE_MS: f32 = 60.0;
const COMMA_MS: f32 = 160.0;
const STOP_MS: f32 = 260.0;

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

fn is_sibilant(c: char) -> bool {
    matches!(
        c.to_ascii_lowercase(),
        's' | 'z' | 'f' | 'x' | 'c' | 'h' | 't' | 'k' | 'p' | 'v'
    )
}

/// 16-bit samples at 16 kHz for `text`; `speed` scales durations (2.0 = twice as fast),
/// `base_hz` is the voice's pitch. Capped at [`MAX_SECONDS`].
pub(crate) fn synthesize(text: &str, speed: f32, base_hz: f32) -> Vec<i16> {
    let speed = if speed.is_finite() {
        speed.clamp(0.25, 4.0)
    } else {
        1.0
    };
    let rate = SAMPLE_RATE as f32;
    let cap = (SAMPLE_RATE * MAX_SECONDS) as usize;
    let ms = |m: f32| (m / speed * rate / 1000.0).round() as usize;
    let mut out: Vec<i16> = Vec::new();
    let mut noise: u32 = 0x1234_5678;
    for c in text.chars() {
        if out.len() >= cap {
            break;
        }
        let pause = match c {
            ' ' | '\t' => Some(SPACE_MS),
            ',' | ';' | ':' | '-' | '(' | ')' | '"' | '\'' => Some(COMMA_MS),
            '.' | '!' | '?' | '\n' => Some(STOP_MS),
            c if c.is_control() || c.is_whitespace() => Some(SPACE_MS),
            _ => None,
        };
        if let Some(p) = pause {
            out.extend(std::iter::repeat_n(0, ms(p)));
            continue;
        }
        // Pitch from the letter: 12 steps over half an octave, digits a bit higher.
        let idx = if c.is_ascii_alphabetic() {
            u32::from(c.to_ascii_lowercase()) - u32::from('a')
        } else if let Some(d) = c.to_digit(10) {
            26 + d
        } else {
            u32::from(c) % 26
        };
        let f0 = base_hz * 2f32.powf((idx % 12) as f32 / 24.0);
        let n = ms(CHAR_MS);
        let attack = ms(10.0).max(1);
        let release = ms(15.0).max(1);
        let (amp, third, hiss) = if is_vowel(c) {
            (0.42, 0.30, 0.0)
        } else if is_sibilant(c) {
            (0.22, 0.05, 0.18)
        } else {
            (0.30, 0.12, 0.04)
        };
        for i in 0..n {
            let t = i as f32 / rate;
            let env = (i as f32 / attack as f32)
                .min((n - i) as f32 / release as f32)
                .min(1.0);
            let ph = std::f32::consts::TAU * f0 * t;
            noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let white = (noise >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0;
            let v = ph.sin() + 0.5 * (2.0 * ph).sin() + third * (3.0 * ph).sin() + hiss * white;
            let s = (v * amp * env / 1.8).clamp(-1.0, 1.0);
            out.push((s * f32::from(i16::MAX)) as i16);
        }
    }
    out.truncate(cap);
    out
}

fn tts_traceback(error: &str) -> ScriptOutput {
    ScriptOutput::stdout(traceback(
        &[
            ("/usr/local/bin/tts", 8, "<module>", "sys.exit(main())"),
            (
                "/usr/local/lib/python3.10/site-packages/TTS/bin/synthesize.py",
                423,
                "main",
                "wav = synthesizer.tts(args.text, speaker_name=args.speaker_idx)",
            ),
        ],
        error,
    ))
}

/// text-to-speech (Coqui-like): UTF-8 text in, `output.wav` out.
pub(super) fn tts_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let text = match std::str::from_utf8(input.bytes) {
        Ok(t) => t,
        Err(e) => {
            let pos = e.valid_up_to();
            let byte = input.bytes.get(pos).copied().unwrap_or(0);
            return tts_traceback(&format!(
                "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: invalid start byte"
            ));
        }
    };
    let text = text.trim();
    if text.is_empty() {
        return tts_traceback("ValueError: [!] You need to define either `text` (for sythesis) or a `reference_wav` (for voice conversion) to use the Coqui TTS API.");
    }
    let mut out = ScriptOutput::file("output.wav", wav_pcm16(&synthesize(text, 1.0, 190.0)));
    out.stdout = format!(" > Text: {text}\n > Processing time: 0.42\n > Real-time factor: 0.05\n > Saving output to $TMP_OUTPUT_DIR/output.wav\n");
    out
}

/// kokoro-tts: JSON `{"model","language","message","config":{"speed":..}}` in, `<stem>.wav` out.
pub(super) fn kokoro_handler(_svc: &Service, input: &Input) -> ScriptOutput {
    let kokoro_tb = |err: &str| {
        ScriptOutput::stdout(traceback(
            &[
                ("/app/kokoro_cli.py", 41, "<module>", "main()"),
                ("/app/kokoro_cli.py", 18, "main", "req = json.load(f)"),
            ],
            err,
        ))
    };
    let v: serde_json::Value = match serde_json::from_slice(input.bytes) {
        Ok(v) => v,
        Err(e) => {
            return kokoro_tb(&format!(
                "json.decoder.JSONDecodeError: Expecting value: line {} column {} (char {})",
                e.line(),
                e.column(),
                e.column().saturating_sub(1)
            ))
        }
    };
    let Some(message) = v.get("message").and_then(|m| m.as_str()) else {
        return kokoro_tb("KeyError: 'message'");
    };
    let message = message.trim();
    if message.is_empty() {
        return kokoro_tb("ValueError: message is empty");
    }
    let speed = v
        .pointer("/config/speed")
        .and_then(|s| s.as_f64())
        .unwrap_or(1.0) as f32;
    let model = v
        .get("model")
        .and_then(|m| m.as_str())
        .unwrap_or("af_bella");
    let base_hz = match model.as_bytes().get(1) {
        Some(b'f') => 215.0,
        Some(b'm') => 120.0,
        _ => 165.0,
    };
    let name = format!("{}.wav", input.stem());
    let mut out = ScriptOutput::file(
        name.clone(),
        wav_pcm16(&synthesize(message, speed, base_hz)),
    );
    out.stdout = format!("Generating audio with voice {model} at speed {speed}\nSaved {name}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_follows_text_and_speed() {
        let one = synthesize("abc", 1.0, 190.0).len();
        assert_eq!(one, 3 * 1200);
        assert_eq!(synthesize("abcabc", 1.0, 190.0).len(), 2 * one);
        assert_eq!(synthesize("abc", 2.0, 190.0).len(), one / 2);
        assert_eq!(synthesize("a b", 1.0, 190.0).len(), 2 * 1200 + 960);
        let long = synthesize(&"word ".repeat(500), 1.0, 190.0).len();
        assert_eq!(long, (SAMPLE_RATE * MAX_SECONDS) as usize);
        assert!(synthesize("hello", 1.0, 190.0)
            .iter()
            .any(|s| s.unsigned_abs() > 3000));
    }

    #[test]
    fn bad_text_is_stdout_error() {
        let svc = Service::default();
        let i = |bytes| Input {
            bytes,
            path: "/tmp/a/event-file-1",
        };
        for bad in [&b"   "[..], &b"\xff\xfe"[..]] {
            let out = tts_handler(&svc, &i(bad));
            assert!(out.files.is_empty() && out.stdout.starts_with("Traceback"));
        }
        for bad in [&b"not json"[..], &br#"{"model":"af_bella"}"#[..]] {
            let out = kokoro_handler(&svc, &i(bad));
            assert!(
                out.files.is_empty() && out.stdout.contains("Error"),
                "{}",
                out.stdout
            );
        }
        let ok = kokoro_handler(
            &svc,
            &i(br#"{"message":"Hi there","config":{"speed":2.0}}"#),
        );
        assert_eq!(ok.files[0].0, "input.wav");
        assert_eq!(ok.files[0].1.len(), 44 + 2 * (7 * 600 + 480));
    }
}
