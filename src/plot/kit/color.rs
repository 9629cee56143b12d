//! The colours of charts: the palette models take their colours from, the
//! greys of text, grid and reference lines, and mixing. The palette is
//! chosen so that every pair of its colours stays apart for normal vision
//! and for the common colour-vision deficiencies (protanopia,
//! deuteranopia, tritanopia), and from the reference grey; the tests below
//! compute those distances (CIEDE2000 after simulating each deficiency)
//! rather than trust this comment. `tests/fixtures/palette.py` is how it
//! was chosen.

use plotters::style::RGBColor;

/// The colours models get, in order: each as far as it can be from the
/// ones before it (and from the reference grey) in the worst of the four
/// visions, so the first k are a good palette for k models. Lines on
/// white: none lighter than L* 68.
pub const PALETTE: [RGBColor; 14] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xCC, 0x99, 0x33), // mustard
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0x88, 0x55, 0x00), // brown
    RGBColor(0x22, 0xAA, 0xFF), // azure
    RGBColor(0x00, 0x33, 0x66), // navy
    RGBColor(0x55, 0x22, 0x00), // dark brown
    RGBColor(0xFF, 0x55, 0x88), // pink
    RGBColor(0x00, 0x00, 0xDD), // pure blue
    RGBColor(0x66, 0x88, 0x55), // sage
    RGBColor(0xAA, 0x88, 0xBB), // lilac
    RGBColor(0xBB, 0x33, 0x77), // magenta
    RGBColor(0xAA, 0x77, 0x00), // ochre
    RGBColor(0x11, 0x55, 0x33), // dark green
];

/// Reference lines (baseline, speedup 1, ideal efficiency).
pub const REFERENCE: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub const GRID_MINOR: RGBColor = RGBColor(0xF2, 0xF2, 0xF2);
pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Alternately darker and lighter versions of `c`, further with each step.
pub fn shade(c: RGBColor, nth: usize) -> RGBColor {
    let step = nth.div_ceil(2) as f64;
    if nth % 2 == 1 {
        mix(c, RGBColor(0, 0, 0), (0.3 * step).min(0.7))
    } else {
        mix(c, WHITE, (0.3 * step).min(0.7))
    }
}

/// `a` moved towards `b` by `t` (0..1).
pub fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let m = |x: u8, y: u8| {
        (x as f64 + (y as f64 - x as f64) * t)
            .round()
            .clamp(0.0, 255.0) as u8
    };
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Black or white, whichever reads better on `background`.
pub fn text_on(background: RGBColor) -> RGBColor {
    let l =
        0.2126 * background.0 as f64 + 0.7152 * background.1 as f64 + 0.0722 * background.2 as f64;
    if l > 140.0 { TEXT } else { WHITE }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Lab = (f64, f64, f64);

    /// Machado, Oliveira & Fernandes (2009) at severity 1, on linear RGB.
    const PROTANOPIA: [[f64; 3]; 3] = [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ];
    const DEUTERANOPIA: [[f64; 3]; 3] = [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ];
    const TRITANOPIA: [[f64; 3]; 3] = [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ];

    fn linear(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    /// CIELAB (D65) of a linear RGB colour.
    fn lab([r, g, b]: [f64; 3]) -> Lab {
        let x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
        let z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
        let f = |t: f64| {
            let d: f64 = 6.0 / 29.0;
            if t > d.powi(3) {
                t.cbrt()
            } else {
                t / (3.0 * d * d) + 4.0 / 29.0
            }
        };
        let (fx, fy, fz) = (f(x / 0.95047), f(y), f(z / 1.08883));
        (116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz))
    }

    /// The colour as seen with normal vision and with each deficiency.
    fn seen(c: RGBColor) -> [Lab; 4] {
        let rgb = [linear(c.0), linear(c.1), linear(c.2)];
        let sim = |m: &[[f64; 3]; 3]| {
            let row =
                |i: usize| (m[i][0] * rgb[0] + m[i][1] * rgb[1] + m[i][2] * rgb[2]).clamp(0.0, 1.0);
            lab([row(0), row(1), row(2)])
        };
        [
            lab(rgb),
            sim(&PROTANOPIA),
            sim(&DEUTERANOPIA),
            sim(&TRITANOPIA),
        ]
    }

    /// CIEDE2000 colour difference (Sharma, Wu & Dalal 2005).
    fn de2000((l1, a1, b1): Lab, (l2, a2, b2): Lab) -> f64 {
        let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
        let g = 0.5 * (1.0 - (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt());
        let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
        let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
        let hue = |b: f64, a: f64| b.atan2(a).to_degrees().rem_euclid(360.0);
        let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
        let dh = if c1p * c2p == 0.0 {
            0.0
        } else if (h2p - h1p).abs() <= 180.0 {
            h2p - h1p
        } else if h2p - h1p > 180.0 {
            h2p - h1p - 360.0
        } else {
            h2p - h1p + 360.0
        };
        let d_l = l2 - l1;
        let d_c = c2p - c1p;
        let d_h = 2.0 * (c1p * c2p).sqrt() * (dh / 2.0).to_radians().sin();
        let l_bar = (l1 + l2) / 2.0;
        let c_bar_p = (c1p + c2p) / 2.0;
        let h_bar = if c1p * c2p == 0.0 {
            h1p + h2p
        } else if (h1p - h2p).abs() <= 180.0 {
            (h1p + h2p) / 2.0
        } else if h1p + h2p < 360.0 {
            (h1p + h2p + 360.0) / 2.0
        } else {
            (h1p + h2p - 360.0) / 2.0
        };
        let cos = |deg: f64| deg.to_radians().cos();
        let t = 1.0 - 0.17 * cos(h_bar - 30.0)
            + 0.24 * cos(2.0 * h_bar)
            + 0.32 * cos(3.0 * h_bar + 6.0)
            - 0.20 * cos(4.0 * h_bar - 63.0);
        let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
        let r_c = 2.0 * (c_bar_p.powi(7) / (c_bar_p.powi(7) + 25f64.powi(7))).sqrt();
        let s_l = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
        let s_c = 1.0 + 0.045 * c_bar_p;
        let s_h = 1.0 + 0.015 * c_bar_p * t;
        let r_t = -(2.0 * d_theta).to_radians().sin() * r_c;
        ((d_l / s_l).powi(2)
            + (d_c / s_c).powi(2)
            + (d_h / s_h).powi(2)
            + r_t * (d_c / s_c) * (d_h / s_h))
            .sqrt()
    }

    /// The smallest difference between two colours over the four visions,
    /// and the vision it is in.
    fn apart(a: RGBColor, b: RGBColor) -> (f64, &'static str) {
        const VISIONS: [&str; 4] = ["normal", "protanopia", "deuteranopia", "tritanopia"];
        let (sa, sb) = (seen(a), seen(b));
        (0..4)
            .map(|v| (de2000(sa[v], sb[v]), VISIONS[v]))
            .fold((f64::INFINITY, ""), |m, d| if d.0 < m.0 { d } else { m })
    }

    #[test]
    fn ciede2000_matches_published_pairs() {
        // Sharma, Wu & Dalal's test data, pairs 1, 7 and 17.
        for (a, b, want) in [
            ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
            ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
            ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ] {
            let got = de2000(a, b);
            assert!((got - want).abs() < 1e-4, "{a:?} {b:?}: {got}, not {want}");
        }
        // Simulating a deficiency leaves grey grey.
        let grey = seen(REFERENCE);
        for v in &grey[1..] {
            assert!(de2000(grey[0], *v) < 1.0, "{v:?}");
        }
    }

    /// Every pair of the first `k` model colours, for normal vision and
    /// each common deficiency, and each against the reference grey, is at
    /// least `min` apart (CIEDE2000; about 2 is just noticeable, 10 and
    /// more reads as another colour).
    fn assert_apart(k: usize, min: f64) {
        for (i, a) in PALETTE[..k].iter().enumerate() {
            let (d, vision) = apart(*a, REFERENCE);
            assert!(
                d >= min,
                "colour {i} {a:?} is {d:.1} from the reference grey in {vision}"
            );
            for (j, b) in PALETTE[..k].iter().enumerate().skip(i + 1) {
                let (d, vision) = apart(*a, *b);
                assert!(
                    d >= min,
                    "colours {i} {a:?} and {j} {b:?} are only {d:.1} apart in {vision}, under {k} models"
                );
            }
        }
    }

    #[test]
    fn model_colours_stay_apart_for_every_common_kind_of_vision() {
        // The seed's nine models, the fourteen model kinds.
        assert_apart(9, 13.0);
        assert_apart(PALETTE.len(), 10.0);
        // Lines on white: none too light to see.
        for c in PALETTE {
            assert!(
                seen(c)[0].0 <= 68.5,
                "{c:?} is too light for a line on white"
            );
        }
    }

    #[test]
    fn the_old_orange_and_olive_yellow_would_fail() {
        // async-multi and async-blocking of the seed, before: a deuteranope
        // could not tell them apart.
        let (d, vision) = apart(RGBColor(0xE6, 0x9F, 0x00), RGBColor(0xC9, 0xB2, 0x00));
        assert!(d < 2.0, "{d} in {vision}");
    }
}
