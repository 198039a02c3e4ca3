//! The one place a canonical op is written down. A family file invokes
//! `canonical_ops!` once per enum of ops (or `canonical_op!` for a family of
//! one op held in a struct); each row gives the variant with its doc comment
//! and typed fields, its canonical name (the variant's, unless `as "Name"`),
//! a one-line doc, its operands and its attributes. From that the macro
//! writes the enum, `name()` and the `SPECS` rows, so the three cannot drift.
//! Shape/dtype rules and folding stay hand-written beside the table.

/// Declares an enum of canonical ops. Variants that wrap a nested enum of ops
/// (`wrapping [Unary(Unary), ..]`) come first; their rows come first in
/// `SPECS`, in the order listed, then the enum's own rows.
macro_rules! canonical_ops {
    (
        family: $family:ident;
        $(#[$meta:meta])*
        $vis:vis enum $Enum:ident
        $(wrapping [
            $(
                $(#[$wrap_meta:meta])*
                $Wrap:ident($Nested:ty)
            ),* $(,)?
        ])?
        {
            $(
                $(#[$variant_meta:meta])*
                $Variant:ident $({
                    $( $(#[$field_meta:meta])* $field:ident : $field_ty:ty ),* $(,)?
                })?
                $(as $name:literal)?
                => $doc:literal,
                [$($operand:literal),* $(,)?],
                [$($attribute:literal),* $(,)?];
            )*
        }
    ) => {
        $(#[$meta])*
        $vis enum $Enum {
            $($(
                $(#[$wrap_meta])*
                $Wrap($Nested),
            )*)?
            $(
                $(#[$variant_meta])*
                $Variant $({
                    $( $(#[$field_meta])* $field: $field_ty ),*
                })?,
            )*
        }

        impl $Enum {
            /// The canonical name: the `name` of this op's row in `SPECS`.
            pub fn name(&self) -> &'static str {
                match self {
                    $($( Self::$Wrap(op) => op.name(), )*)?
                    $( Self::$Variant { .. } => $crate::ops::declare::canonical_name!($Variant $($name)?), )*
                }
            }

            /// The rows declared directly on this enum, in order.
            const OWN_SPECS: &'static [$crate::ops::spec::OpSpec] = &[
                $(
                    $crate::ops::spec::OpSpec {
                        name: $crate::ops::declare::canonical_name!($Variant $($name)?),
                        family: $crate::ops::spec::Family::$family,
                        doc: $doc,
                        operands: &[$($operand),*],
                        attributes: &[$($attribute),*],
                    },
                )*
            ];

            /// Every canonical op this enum declares (nested enums' rows first).
            pub const SPECS: &'static [$crate::ops::spec::OpSpec] =
                &$crate::ops::spec::concat::<{ $Enum::OWN_SPECS.len() $($(+ <$Nested>::SPECS.len())*)? }>(&[
                    $($(<$Nested>::SPECS,)*)?
                    $Enum::OWN_SPECS,
                ]);
        }
    };
}

/// Declares a family of one canonical op whose attributes are a struct.
macro_rules! canonical_op {
    (
        family: $family:ident;
        $(#[$meta:meta])*
        $vis:vis struct $Struct:ident $(as $name:literal)?
        => $doc:literal,
        [$($operand:literal),* $(,)?],
        [$($attribute:literal),* $(,)?]
        {
            $( $(#[$field_meta:meta])* $field_vis:vis $field:ident : $field_ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $Struct {
            $( $(#[$field_meta])* $field_vis $field: $field_ty ),*
        }

        impl $Struct {
            /// The canonical name: the `name` of this op's row in `SPECS`.
            pub fn name(&self) -> &'static str {
                $crate::ops::declare::canonical_name!($Struct $($name)?)
            }

            /// The one row of this op.
            pub const SPECS: &'static [$crate::ops::spec::OpSpec] = &[$crate::ops::spec::OpSpec {
                name: $crate::ops::declare::canonical_name!($Struct $($name)?),
                family: $crate::ops::spec::Family::$family,
                doc: $doc,
                operands: &[$($operand),*],
                attributes: &[$($attribute),*],
            }];
        }
    };
}

/// A row's canonical name: the one given, else the variant's own.
macro_rules! canonical_name {
    ($variant:ident) => {
        stringify!($variant)
    };
    ($variant:ident $name:literal) => {
        $name
    };
}

pub(crate) use {canonical_name, canonical_op, canonical_ops};
