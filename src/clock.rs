//! The client's clock and timers, on whichever the target has: tokio's natively, the
//! browser's in wasm32 (`setTimeout` and `performance.now()` through wasmtimer, which mirrors
//! tokio's `time` API; `Date.now()` for the wall clock; `Math.random()` for jitter).
//!
//! Every timeout, sleep and reading of the time in the client goes through here, so the rest
//! of the code is one piece of logic for both targets. In wasm32 `std::time::Instant::now()`
//! and `SystemTime::now()` panic, and tokio has no timer: nothing else calls them.

use std::time::SystemTime;

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use tokio::time::{sleep, sleep_until, timeout, timeout_at, Instant, Sleep};

#[cfg(target_arch = "wasm32")]
pub(crate) use wasmtimer::{
    std::Instant,
    tokio::{sleep, sleep_until, timeout, timeout_at, Sleep},
};

/// The standard library's monotonic clock (natively: not tokio's, which a test can pause), for
/// measuring how long something took.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type StdInstant = std::time::Instant;
/// The standard library's monotonic clock (natively: not tokio's, which a test can pause), for
/// measuring how long something took.
#[cfg(target_arch = "wasm32")]
pub(crate) type StdInstant = wasmtimer::std::Instant;

/// The wall-clock time now.
pub(crate) fn system_now() -> SystemTime {
    #[cfg(not(target_arch = "wasm32"))]
    {
        SystemTime::now()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let millis = js_sys::Date::now().max(0.0);
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs_f64(millis / 1000.0)
    }
}

/// A random number in `[0, 1)`, for jitter (not for secrets).
pub(crate) fn random_unit() -> f64 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        fastrand::f64()
    }
    #[cfg(target_arch = "wasm32")]
    {
        // fastrand in wasm32 starts from a fixed seed without its `js` feature (which needs a
        // getrandom backend flag): every page would back off in step.
        js_sys::Math::random()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_wall_clock_is_after_2020_and_jitter_stays_in_the_unit_interval() {
        let since_epoch = system_now().duration_since(SystemTime::UNIX_EPOCH).unwrap();
        assert!(since_epoch > Duration::from_secs(1_577_836_800));
        for _ in 0..1000 {
            let r = random_unit();
            assert!((0.0..1.0).contains(&r), "{r}");
        }
    }
}
