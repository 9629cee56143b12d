//! Telling a file conlab wrote by its content, for a folder whose manifest
//! lost it.
//!
//! conlab deletes and overwrites only files its manifest lists. Before
//! results folders had a lock, two commands writing one folder at once
//! could each save their own copy of the manifest, so the last one lost
//! the other's files from the list (issue 22: charts and `report.md` that
//! `plot` drew during a `run --force`). Such a file has a name conlab
//! writes but is not listed, so conlab would refuse it as the user's for
//! ever. A file whose content is recognisably conlab's is listed again
//! instead ("adopted"), then replaced or deleted like any other of its
//! files; anything else with such a name stays the user's.
//!
//! Recognisably conlab's means more than the name: each kind of file
//! starts the way only conlab starts it (the CSV headers, the reports'
//! own lines, a timeline's `{"cell":N,"label":`), or holds the keys of
//! conlab's JSON files. A chart's SVG starts with what plotters writes at
//! the top of every picture and uses conlab's own font family; its PNG
//! has no such mark, so a PNG is conlab's only beside an SVG of the same
//! name and size that is conlab's and lost from the list too (what a lost
//! chart leaves; a user who replaced one of conlab's PNGs by hand still
//! has the SVG listed). Nothing here reads more than [`read_size`] bytes.

use serde::Deserialize;
use serde::de::IgnoredAny;

/// The first bytes of an SVG chart conlab draws, from which its size and
/// font are read.
const SVG_PREFIX: usize = 64 * 1024;
/// The most of a results JSON file read to tell whether it is conlab's.
const JSON_MAX: usize = 64 * 1024 * 1024;
/// The first bytes of any other file.
const PREFIX: usize = 4096;

/// The font family conlab's charts name (`plot/kit/font.rs`).
const FONT_FAMILY: &str = "font-family=\"DejaVu Sans, sans-serif\"";

/// How much of the file `rel` to read for [`is_conlabs`].
pub fn read_size(rel: &str) -> usize {
    match rel {
        "summary.json" | "environment.json" => JSON_MAX,
        _ if rel.ends_with(".svg") => SVG_PREFIX,
        _ => PREFIX,
    }
}

/// What a file of one of conlab's output names is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Made {
    /// Recognisably conlab's.
    Conlab,
    /// An 8-bit RGB PNG of this size, as conlab encodes its charts: conlab's
    /// if an SVG beside it is, of the same size.
    Png(u32, u32),
    /// Not recognisably conlab's: the user's.
    Unknown,
}

/// What the file `rel` (one of conlab's output names) is, from its first
/// bytes (`whole` when that is all of it).
pub fn is_conlabs(rel: &str, bytes: &[u8], whole: bool) -> Made {
    let yes = |b: bool| if b { Made::Conlab } else { Made::Unknown };
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let starts = |prefix: &str| bytes.starts_with(prefix.as_bytes());
    match rel.split_once('/').map(|(dir, _)| dir) {
        Some("timelines" | "distributions") => {
            let number = name
                .strip_prefix("cell-")
                .and_then(|n| n.strip_suffix(".json"))
                .unwrap_or("");
            yes(starts(&format!("{{\"cell\":{number},\"label\":\"")))
        }
        _ if name.ends_with(".svg") => yes(svg_size(bytes).is_some()),
        _ if name.ends_with(".png") => png_size(bytes)
            .map(|(w, h)| Made::Png(w, h))
            .unwrap_or(Made::Unknown),
        Some(_) => Made::Unknown,
        None => match name {
            "runs.csv" => yes(starts("cell,workload,model,variant,kind,tasks,")),
            "groups.csv" => yes(starts("cell,repetition,group,tasks,")),
            "summary.csv" => yes(starts("cell,label,workload,model,variant,kind,")),
            "summary.json" => yes(whole && json_with(bytes, true)),
            "environment.json" => yes(whole && json_with(bytes, false)),
            "report.md" => yes(markdown_report(bytes)),
            "report.html" => yes(starts("<!DOCTYPE html>")
                && contains(bytes, "<title>conlab · ")
                && contains(bytes, "<style>")),
            "summary.tex" => yes(starts("% conlab ")),
            "compare.md" => yes(starts("# Comparison: ") && contains(bytes, "\n\n- A: `")),
            // The experiment file is the user's text, even as conlab
            // copied it: never taken for conlab's.
            _ => Made::Unknown,
        },
    }
}

fn contains(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

/// `# <name>`, an empty line, then `_conlab <version> · …`.
fn markdown_report(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines();
    matches!(
        (lines.next(), lines.next(), lines.next()),
        (Some(title), Some(""), Some(meta)) if title.starts_with("# ") && meta.starts_with("_conlab ")
    )
}

/// Whether `bytes` is a JSON object with conlab's version and either the
/// cells (`summary.json`) or the experiment's hash (`environment.json`).
fn json_with(bytes: &[u8], cells: bool) -> bool {
    #[derive(Deserialize)]
    struct Keys {
        conlab_version: Option<IgnoredAny>,
        cells: Option<IgnoredAny>,
        experiment_sha256: Option<IgnoredAny>,
    }
    match serde_json::from_slice::<Keys>(bytes) {
        Ok(k) if k.conlab_version.is_some() => {
            if cells {
                k.cells.is_some()
            } else {
                k.experiment_sha256.is_some()
            }
        }
        _ => false,
    }
}

/// The size of an SVG picture as conlab draws it (plotters' first two
/// lines, conlab's font), `None` for any other file.
pub fn svg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(bytes)
        .or_else(|e| std::str::from_utf8(&bytes[..e.valid_up_to()]))
        .ok()?;
    let mut lines = text.lines();
    let first = lines.next()?;
    let rest = first.strip_prefix("<svg width=\"")?;
    let (w, rest) = rest.split_once("\" height=\"")?;
    let (h, rest) = rest.split_once('"')?;
    let (width, height) = (w.parse::<u32>().ok()?, h.parse::<u32>().ok()?);
    let head = format!(" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">");
    let background = format!(
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>"
    );
    (rest == head && lines.next()? == background && text.contains(FONT_FAMILY))
        .then_some((width, height))
}

/// The size of an 8-bit RGB, non-interlaced PNG (what conlab encodes),
/// `None` for any other file.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let rest = bytes.strip_prefix(SIGNATURE)?;
    // The IHDR chunk: its length (13), its type, then width, height, bit
    // depth, colour type, compression, filter and interlace.
    let ihdr = rest.get(..21)?;
    let be = |at: usize| {
        ihdr.get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
    };
    if be(0)? != 13 || &ihdr[4..8] != b"IHDR" {
        return None;
    }
    let (w, h) = (be(8)?, be(12)?);
    (ihdr[16] == 8 && ihdr[17] == 2 && ihdr[20] == 0 && w > 0 && h > 0).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(w: u32, h: u32, font: &str) -> String {
        format!(
            "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\n<text x=\"1\" y=\"2\" font-family=\"{font}\">io</text>\n</svg>\n"
        )
    }

    fn png(w: u32, h: u32, colour: u8) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, colour, 0, 0, 0, 1, 2, 3, 4]);
        b
    }

    #[test]
    fn conlabs_own_files_are_told_by_their_first_bytes() {
        let cases: &[(&str, &str)] = &[
            (
                "runs.csv",
                "cell,workload,model,variant,kind,tasks,io_latency\n0,io",
            ),
            (
                "groups.csv",
                "cell,repetition,group,tasks,completion_p50_ms\n",
            ),
            (
                "summary.csv",
                "cell,label,workload,model,variant,kind,tasks\n",
            ),
            (
                "summary.json",
                "{\"claims\": [], \"conlab_version\": \"0.1.0\", \"cells\": []}",
            ),
            (
                "environment.json",
                "{\"conlab_version\": \"0.1.0\", \"experiment_sha256\": \"ab\"}",
            ),
            (
                "report.md",
                "# seed\n\n_conlab 0.1.0 · 2026-12-07 · AMD_\n\n## Claims\n",
            ),
            (
                "report.html",
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>conlab · seed</title>\n<style>",
            ),
            (
                "summary.tex",
                "% conlab 0.1.0: results table of experiment \"t\".\n",
            ),
            ("compare.md", "# Comparison: a vs b\n\n- A: `a`\n"),
            (
                "timelines/cell-12.json",
                "{\"cell\":12,\"label\":\"io · async\",\"spans\":[]}",
            ),
            (
                "distributions/cell-3.json",
                "{\"cell\":3,\"label\":\"x\",\"quantiles\":[]}",
            ),
        ];
        for (rel, text) in cases {
            assert_eq!(
                is_conlabs(rel, text.as_bytes(), true),
                Made::Conlab,
                "{rel}"
            );
        }
        let svg = svg(1200, 800, "DejaVu Sans, sans-serif");
        assert_eq!(
            is_conlabs("charts/io-wall.svg", svg.as_bytes(), false),
            Made::Conlab
        );
        assert_eq!(
            is_conlabs("compare.svg", svg.as_bytes(), false),
            Made::Conlab
        );
        assert_eq!(svg_size(svg.as_bytes()), Some((1200, 800)));
        assert_eq!(
            is_conlabs("charts/io-wall.png", &png(1200, 800, 2), false),
            Made::Png(1200, 800)
        );
    }

    #[test]
    fn a_users_file_with_conlabs_name_is_not_taken_for_conlabs() {
        let cases: &[(&str, &[u8])] = &[
            ("runs.csv", b"name,time\nmine,3\n"),
            ("groups.csv", b""),
            ("summary.json", b"{\"cells\": []}"),
            ("summary.json", b"{\"conlab_version\": \"x\"}"),
            (
                "environment.json",
                b"{\"conlab_version\": \"x\", \"cells\": []}",
            ),
            ("environment.json", b"[1, 2]"),
            ("report.md", b"# My report\n\nconlab is great\n"),
            ("report.md", b"_conlab 0.1_\n"),
            (
                "report.html",
                b"<!DOCTYPE html><title>My page</title><style>",
            ),
            ("summary.tex", b"\\documentclass{article}\n"),
            ("compare.md", b"# Comparison: a vs b\n\nmy notes\n"),
            ("experiment.toml", b"[experiment]\nname = \"x\"\n"),
            ("timelines/cell-12.json", b"{\"cell\":3,\"label\":\"x\"}"),
            ("timelines/cell-12.json", b"{\"cell\":12}"),
            ("distributions/cell-1.json", b"notes"),
            ("charts/io-wall.png", b"drawn by hand"),
            (
                "charts/io-wall.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
            ),
        ];
        for (rel, bytes) in cases {
            assert_eq!(
                is_conlabs(rel, bytes, true),
                Made::Unknown,
                "{rel}: {bytes:?}"
            );
        }
        // A summary cut short at the read limit is not judged.
        assert_eq!(
            is_conlabs(
                "summary.json",
                b"{\"conlab_version\": \"0.1.0\", \"cells\": []}",
                false
            ),
            Made::Unknown
        );
        // Another font, another program's SVG; RGBA, another PNG.
        let other = svg(1200, 800, "Arial");
        assert_eq!(
            is_conlabs("charts/a.svg", other.as_bytes(), false),
            Made::Unknown
        );
        let mismatched = svg(1200, 800, "DejaVu Sans, sans-serif").replacen(
            "viewBox=\"0 0 1200 800\"",
            "viewBox=\"0 0 600 400\"",
            1,
        );
        assert_eq!(svg_size(mismatched.as_bytes()), None);
        assert_eq!(
            is_conlabs("charts/a.png", &png(1200, 800, 6), false),
            Made::Unknown
        );
        assert_eq!(png_size(&png(0, 800, 2)), None);
        assert_eq!(png_size(&png(1200, 800, 2)[..20]), None);
    }

    #[test]
    fn conlabs_real_files_are_recognised() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results-0.2");
        for rel in [
            "runs.csv",
            "groups.csv",
            "summary.csv",
            "summary.json",
            "environment.json",
            "timelines/cell-0.json",
            "distributions/cell-0.json",
        ] {
            let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let n = read_size(rel).min(bytes.len());
            assert_eq!(
                is_conlabs(rel, &bytes[..n], n == bytes.len()),
                Made::Conlab,
                "{rel}"
            );
        }
    }
}
