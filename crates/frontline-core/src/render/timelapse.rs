//! Time-lapse GIFs: one rendered frame per step, looped, the last frame held so the reader can
//! take in the end state. Each frame gets its own 256-colour palette (NeuQuant, via the gif
//! crate), which keeps actor colours and anti-aliased text clean.

use super::raster::Image;
use super::RenderError;

/// Encodes `frames` (all the same size) as a looping GIF; each frame shows for `delay_cs`
/// hundredths of a second and the last for `hold_cs`.
pub fn encode_gif(frames: &[Image], delay_cs: u16, hold_cs: u16) -> Result<Vec<u8>, RenderError> {
    let first = frames.first().ok_or(RenderError::Frames)?;
    let (w, h) = (first.width, first.height);
    if frames.iter().any(|f| f.width != w || f.height != h) {
        return Err(RenderError::Frames);
    }
    let (w16, h16) = (
        u16::try_from(w).map_err(|_| RenderError::InvalidSize(format!("{w}×{h} for a GIF")))?,
        u16::try_from(h).map_err(|_| RenderError::InvalidSize(format!("{w}×{h} for a GIF")))?,
    );
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, w16, h16, &[]).map_err(RenderError::Gif)?;
        enc.set_repeat(gif::Repeat::Infinite)
            .map_err(RenderError::Gif)?;
        for (i, f) in frames.iter().enumerate() {
            let mut rgba = f.rgba.clone();
            // Speed 10 of 1..30: good colour at a few tens of ms per 1000×700 frame.
            let mut frame = gif::Frame::from_rgba_speed(w16, h16, &mut rgba, 10);
            frame.delay = if i + 1 == frames.len() {
                hold_cs
            } else {
                delay_cs
            };
            enc.write_frame(&frame).map_err(RenderError::Gif)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: u32, h: u32, c: [u8; 4]) -> Image {
        Image {
            width: w,
            height: h,
            rgba: c.repeat((w * h) as usize),
        }
    }

    #[test]
    fn frames_round_trip_through_a_decoder() {
        let frames = [solid(8, 4, [0, 0, 0, 255]), solid(8, 4, [200, 30, 30, 255])];
        let bytes = encode_gif(&frames, 50, 200).unwrap();
        let mut opts = gif::DecodeOptions::new();
        opts.set_color_output(gif::ColorOutput::RGBA);
        let mut dec = opts.read_info(bytes.as_slice()).unwrap();
        let mut n = 0;
        let mut delays = vec![];
        while let Some(f) = dec.read_next_frame().unwrap() {
            n += 1;
            delays.push(f.delay);
            if n == 2 {
                assert_eq!(&f.buffer[..4], &[200, 30, 30, 255]);
            }
        }
        assert_eq!(n, 2);
        assert_eq!(delays, vec![50, 200]);
    }

    #[test]
    fn frames_of_different_sizes_are_refused() {
        let frames = [solid(8, 4, [0; 4]), solid(4, 4, [0; 4])];
        assert!(matches!(
            encode_gif(&frames, 50, 50),
            Err(RenderError::Frames)
        ));
        assert!(matches!(encode_gif(&[], 50, 50), Err(RenderError::Frames)));
    }
}
