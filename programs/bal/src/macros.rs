/// Refuses with `$err` when `$cond` is false, logging where and what failed so that a
/// transaction log explains the refusal without a debugger.
#[macro_export]
macro_rules! validate {
    ($cond:expr, $err:expr $(,)?) => {{
        if !($cond) {
            anchor_lang::prelude::msg!("refused at {}:{}: {}", file!(), line!(), stringify!($cond));
            return Err(anchor_lang::error::Error::from($err));
        }
    }};
    ($cond:expr, $err:expr, $($fmt:tt)+) => {{
        if !($cond) {
            anchor_lang::prelude::msg!("refused at {}:{}: {}", file!(), line!(), stringify!($cond));
            anchor_lang::prelude::msg!($($fmt)+);
            return Err(anchor_lang::error::Error::from($err));
        }
    }};
}
