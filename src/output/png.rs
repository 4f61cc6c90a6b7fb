//! PNG copies of the SVG charts, for slides, word processors and mail clients that show no SVG.
//!
//! The SVG a chart is written as is rasterised by resvg (pure Rust, no system libraries), with
//! text set in the font subset the report embeds (Noto Sans SC, SIL Open Font License; see
//! assets/fonts/OFL.txt), loaded from the binary: no system font is read, so a PNG comes out
//! the same on every machine, Chinese regime names included.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// Why a chart could not be rasterised.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// The SVG does not parse (a bug in the chart's drawing).
    #[error("cannot read the chart's SVG: {0}")]
    Svg(String),
    /// The chart has no area, or is too large for a bitmap.
    #[error("cannot make a {width}×{height} bitmap")]
    Size {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// PNG encoding failed.
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
}

/// Pixels per SVG unit: twice the SVG's size, sharp on a projector or a high-density screen.
pub const SCALE: f32 = 2.0;

/// Reads the big-endian integer of `N` bytes at `at`.
fn be<const N: usize>(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at + N)?;
    Some(s.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64))
}

/// Unpacks a WOFF 1.0 font into the OpenType (SFNT) font it wraps, which font parsers read.
/// `None` when the data is not a well-formed WOFF.
pub fn woff_to_sfnt(woff: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    if woff.get(0..4)? != b"wOFF" {
        return None;
    }
    let flavor = be::<4>(woff, 4)? as u32;
    let n = be::<2>(woff, 12)? as usize;
    let mut tables = Vec::with_capacity(n);
    for i in 0..n {
        let d = 44 + 20 * i;
        let (tag, offset, comp, orig, checksum) = (
            be::<4>(woff, d)?,
            be::<4>(woff, d + 4)?,
            be::<4>(woff, d + 8)?,
            be::<4>(woff, d + 12)?,
            be::<4>(woff, d + 16)?,
        );
        let raw = woff.get(offset as usize..(offset + comp) as usize)?;
        let data = if comp < orig {
            let mut out = Vec::with_capacity(orig as usize);
            flate2::read::ZlibDecoder::new(raw).take(orig).read_to_end(&mut out).ok()?;
            out
        } else {
            raw.to_vec()
        };
        if data.len() as u64 != orig {
            return None;
        }
        tables.push((tag as u32, checksum as u32, data));
    }
    let pow = if n == 0 { 0 } else { usize::BITS - 1 - n.leading_zeros() };
    let search = 16u16 << pow;
    let mut out = Vec::new();
    out.extend(flavor.to_be_bytes());
    out.extend((n as u16).to_be_bytes());
    out.extend(search.to_be_bytes());
    out.extend((pow as u16).to_be_bytes());
    out.extend((16 * n as u16).wrapping_sub(search).to_be_bytes());
    let mut offset = 12 + 16 * n;
    for (tag, checksum, data) in &tables {
        out.extend(tag.to_be_bytes());
        out.extend(checksum.to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    for (_, _, data) in &tables {
        out.extend(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    Some(out)
}

/// The fonts charts are set in: the embedded subset, as the family for every generic name.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        if let Some(sfnt) = woff_to_sfnt(super::html::FONT_WOFF) {
            db.load_font_data(sfnt);
        }
        let family = db.faces().next().and_then(|f| f.families.first()).map(|f| f.0.clone());
        if let Some(family) = family {
            db.set_sans_serif_family(family.clone());
            db.set_serif_family(family.clone());
            db.set_monospace_family(family);
        }
        Arc::new(db)
    })
    .clone()
}

/// The chart in `svg`, rasterised at [`SCALE`] on white, as PNG bytes.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, PngError> {
    let db = fonts();
    let mut opt = usvg::Options::default();
    if let Some(family) = db.faces().next().and_then(|f| f.families.first()) {
        opt.font_family = family.0.clone();
    }
    opt.fontdb = db;
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| PngError::Svg(e.to_string()))?;
    let size = tree.size();
    let (width, height) = ((size.width() * SCALE).ceil() as u32, (size.height() * SCALE).ceil() as u32);
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or(PngError::Size { width, height })?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(SCALE, SCALE), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| PngError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_unpacks_and_is_read() {
        let sfnt = woff_to_sfnt(super::super::html::FONT_WOFF).expect("the subset is a WOFF");
        assert!(sfnt.starts_with(b"OTTO") || sfnt.starts_with(&[0, 1, 0, 0]));
        let db = fonts();
        assert_eq!(db.len(), 1, "one face, from the binary");
        assert!(woff_to_sfnt(b"not a font").is_none());
    }

    #[test]
    fn a_chart_with_chinese_text_rasterises() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">
            <rect x="0" y="0" width="50" height="50" fill="#D55E00"/>
            <text x="60" y="30" font-family="sans-serif" font-size="16">超载 overloaded</text></svg>"##;
        let png = svg_to_png(svg).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        // The words are drawn (in the embedded font): dark pixels right of the box.
        let img = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((img.width(), img.height()), (400, 120));
        let dark = (0..img.height())
            .flat_map(|y| (120..img.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| img.pixel(x, y).is_some_and(|p| p.red() < 80 && p.green() < 80))
            .count();
        assert!(dark > 300, "{dark} dark pixels where the text goes");
        // Same bytes every time: charts are deterministic.
        assert_eq!(png, svg_to_png(svg).unwrap());
        assert!(matches!(svg_to_png("<svg"), Err(PngError::Svg(_))));
    }
}
