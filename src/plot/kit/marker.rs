//! The shapes drawn at data points. With colours they tell series apart,
//! and alone they still do in grey-scale print.

/// The shape drawn at each data point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Cross,
    Plus,
    HollowCircle,
    HollowSquare,
    HollowTriangleUp,
    HollowDiamond,
}

/// In the order models get them: eleven shapes, so the nine models of
/// the seed, and any eleven, have a shape each.
pub const MARKERS: [Marker; 11] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
    Marker::Plus,
    Marker::HollowCircle,
    Marker::HollowSquare,
    Marker::HollowTriangleUp,
    Marker::HollowDiamond,
];
