//! Checked arithmetic that reports where it failed. `overflow-checks = true` in release is the
//! second net; this is the first, and it returns a typed error instead of aborting.
use crate::error::BalError;
use anchor_lang::prelude::*;

pub trait SafeMath: Sized {
    fn safe_add(self, rhs: Self) -> Result<Self>;
    fn safe_sub(self, rhs: Self) -> Result<Self>;
    fn safe_mul(self, rhs: Self) -> Result<Self>;
    /// Division rounding toward zero (down, for the unsigned types).
    fn safe_div(self, rhs: Self) -> Result<Self>;
}

/// Implements `SafeMath` for integer types; `$div` says how the type divides.
macro_rules! impl_safe_math {
    ($t:ty, |$a:ident, $b:ident| $div:expr) => {
        impl SafeMath for $t {
            #[track_caller]
            #[inline(always)]
            fn safe_add(self, rhs: Self) -> Result<Self> {
                or_math_error(self.checked_add(rhs))
            }
            #[track_caller]
            #[inline(always)]
            fn safe_sub(self, rhs: Self) -> Result<Self> {
                or_math_error(self.checked_sub(rhs))
            }
            #[track_caller]
            #[inline(always)]
            fn safe_mul(self, rhs: Self) -> Result<Self> {
                or_math_error(self.checked_mul(rhs))
            }
            #[track_caller]
            #[inline(always)]
            fn safe_div(self, rhs: Self) -> Result<Self> {
                let ($a, $b) = (self, rhs);
                $div
            }
        }
    };
    ($($t:ty),*) => {$(
        impl_safe_math!($t, |a, b| or_math_error(a.checked_div(b)));
    )*};
}

impl_safe_math!(u8, u16, u32, u64, u128, i128);

// `i64` divides through `i128`: signed 64-bit division does not build for the sBPF v0 VM,
// 128-bit division is a library call that does.
impl_safe_math!(i64, |a, b| {
    let quotient = or_math_error((a as i128).checked_div(b as i128))?;
    or_math_error(i64::try_from(quotient).ok())
});

/// Narrowing conversions that say where they failed: `value.cast::<u64>()?` refuses with
/// `CastError`, logging the caller's file and line, instead of truncating or panicking.
pub trait Cast: Sized {
    #[track_caller]
    fn cast<T: TryFrom<Self>>(self) -> Result<T>;
}

impl<S> Cast for S {
    #[track_caller]
    #[inline(always)]
    fn cast<T: TryFrom<S>>(self) -> Result<T> {
        // A `match`, not `map_err`: a closure would report its own location, not the caller's.
        match T::try_from(self) {
            Ok(value) => Ok(value),
            Err(_) => Err(cast_error()),
        }
    }
}

#[track_caller]
#[inline(never)]
fn cast_error() -> Error {
    let at = std::panic::Location::caller();
    msg!("cast error at {}:{}", at.file(), at.line());
    error!(BalError::CastError)
}

/// `value`, or `MathError` logged at the caller's location.
#[track_caller]
#[inline(always)]
fn or_math_error<T>(value: Option<T>) -> Result<T> {
    match value {
        Some(value) => Ok(value),
        None => Err(math_error()),
    }
}

#[track_caller]
#[inline(never)]
fn math_error() -> Error {
    let at = std::panic::Location::caller();
    msg!("math error at {}:{}", at.file(), at.line());
    error!(BalError::MathError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_and_division_by_zero_are_errors() {
        assert_eq!((-7i64).safe_div(2).unwrap(), -3);
        assert!(i64::MIN.safe_div(-1).is_err());
        assert!(u64::MAX.safe_add(1).is_err());
        assert!(0u64.safe_sub(1).is_err());
        assert!(u128::MAX.safe_mul(2).is_err());
        assert!(7u64.safe_div(0).is_err());
        assert_eq!(7u64.safe_div(2).unwrap(), 3);
        assert_eq!((-7i128).safe_div(2).unwrap(), -3);
    }

    #[test]
    fn narrowing_casts_refuse_what_does_not_fit() {
        assert_eq!(7u128.cast::<u64>().unwrap(), 7);
        assert_eq!(
            (u64::MAX as u128 + 1).cast::<u64>().unwrap_err(),
            BalError::CastError.into()
        );
        assert_eq!(
            (-1i128).cast::<u64>().unwrap_err(),
            BalError::CastError.into()
        );
        assert_eq!((i64::MIN as i128).cast::<i64>().unwrap(), i64::MIN);
    }
}
