//! What an experiment name must be to become its results folder: one plain
//! path component. Both an explicit `[experiment] name` and the name taken
//! from the file name's stem pass this one check, so no experiment file,
//! whatever it is called, can make conlab write outside `output/` (a file
//! called `...toml` would otherwise be named `..`).

/// The longest name a Linux file system takes for one path component.
const MAX_BYTES: usize = 255;

/// Why `name` cannot be a results folder's name, or `None` if it can.
pub fn problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("`.` and `..` are not folder names")
    } else if name.contains('/') || name.contains('\\') {
        Some("it contains `/` or `\\`")
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if name.starts_with('.') {
        Some("it starts with `.` (a hidden folder)")
    } else if name.len() > MAX_BYTES {
        Some("it is longer than 255 bytes")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn one_plain_component_passes() {
        for name in ["seed", "동시성 실험", "a.b", "x..y", " padded ", "n-1_2"] {
            assert_eq!(problem(name), None, "{name:?}");
        }
        assert_eq!(problem(&"가".repeat(85)), None);
    }

    #[test]
    fn anything_that_is_not_one_component_is_rejected() {
        assert_eq!(problem(""), Some("it is empty"));
        assert_eq!(problem("  "), Some("it is empty"));
        assert_eq!(problem("."), Some("`.` and `..` are not folder names"));
        assert_eq!(problem(".."), Some("`.` and `..` are not folder names"));
        assert_eq!(problem("../up"), Some("it contains `/` or `\\`"));
        assert_eq!(problem("a/b"), Some("it contains `/` or `\\`"));
        assert_eq!(problem("a\\b"), Some("it contains `/` or `\\`"));
        assert_eq!(problem("a\nb"), Some("it contains a control character"));
        assert_eq!(
            problem("a\u{1b}[31m"),
            Some("it contains a control character")
        );
        assert_eq!(problem("a\0"), Some("it contains a control character"));
        assert_eq!(
            problem(".hidden"),
            Some("it starts with `.` (a hidden folder)")
        );
        assert_eq!(problem("..."), Some("it starts with `.` (a hidden folder)"));
        assert_eq!(
            problem(&"가".repeat(86)),
            Some("it is longer than 255 bytes")
        );
    }
}
