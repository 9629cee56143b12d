//! Enums whose variants are words in experiment and results files (model
//! kinds, IO kinds, counter modes, arrival spacings, model parameters),
//! declared with [`named!`]: each variant's word is written once, and the
//! macro makes from it both serde's name for the variant and the name
//! table the reader, its "did you mean" hints, `conlab validate --help` and
//! the JSON Schema list. A table kept by hand beside serde's names drifts
//! from them; one generated from the same literal cannot.
//!
//! Why a macro and not a derive crate (strum's `EnumString` and
//! `IntoStaticStr`): a derive renames variants by its own case rule beside
//! serde's, two rules that must agree; here serde's `rename` is the word
//! itself.

/// Declares an enum of unit variants, each with its word:
///
/// ```ignore
/// named! {
///     serde,
///     #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
///     pub enum IoKind {
///         Sleep = "sleep",
///         Tcp = "tcp",
///     }
/// }
/// ```
///
/// and gives it `ALL` (every variant, in declaration order), `NAMES` (their
/// words, in the same order), `as_str` and `from_name`. With `serde,` first
/// each variant also gets `#[serde(rename = "<word>")]`, so the enum must
/// derive serde's traits; without it the enum is the program's own
/// vocabulary, with no serde names to match.
macro_rules! named {
    (
        serde,
        $(#[$meta:meta])*
        $vis:vis enum $Enum:ident {
            $( $(#[$vmeta:meta])* $Variant:ident = $name:literal ),+ $(,)?
        }
    ) => {
        $crate::config::named::named! {
            $(#[$meta])*
            $vis enum $Enum {
                $( $(#[$vmeta])* #[serde(rename = $name)] $Variant = $name, )+
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $Enum:ident {
            $( $(#[$vmeta:meta])* $Variant:ident = $name:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $Enum {
            $( $(#[$vmeta])* $Variant, )+
        }
        $crate::config::named::named!(@impl $Enum { $($Variant = $name),+ });
    };
    (@impl $Enum:ident { $($Variant:ident = $name:literal),+ }) => {
        // Not every enum uses every item of its generated API.
        #[allow(dead_code)]
        impl $Enum {
            /// Every variant, in declaration order.
            pub const ALL: [$Enum; [$($name),+].len()] = [$($Enum::$Variant),+];

            /// Each variant's word in files, in the order of `ALL`.
            pub const NAMES: [&'static str; [$($name),+].len()] = [$($name),+];

            /// The variant's word in files.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($Enum::$Variant => $name,)+
                }
            }

            /// The variant whose word is `name`.
            pub fn from_name(name: &str) -> Option<$Enum> {
                $Enum::ALL.into_iter().find(|v| v.as_str() == name)
            }
        }
    };
}

pub(crate) use named;

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    named! {
        serde,
        /// A test enum.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Colour {
            /// The default.
            #[default]
            DeepRed = "deep-red",
            Blue = "blue",
        }
    }

    named! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        enum Plain {
            One = "one_word",
        }
    }

    #[test]
    fn serde_reads_and_writes_the_declared_words() {
        assert_eq!(Colour::NAMES, ["deep-red", "blue"]);
        assert_eq!(Colour::ALL, [Colour::DeepRed, Colour::Blue]);
        for c in Colour::ALL {
            let json = serde_json::to_string(&c).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).ok(), Some(c));
            assert_eq!(Colour::from_name(c.as_str()), Some(c));
        }
        assert_eq!(Colour::default(), Colour::DeepRed);
        assert_eq!(Colour::from_name("DeepRed"), None);
        assert_eq!(Plain::from_name("one_word"), Some(Plain::One));
    }
}
