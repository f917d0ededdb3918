//! reqwest's futures, responses and bodies as `Send` values on every target.
//!
//! Natively they are `Send` already and [`Local<T>`] is `T`. In wasm32 reqwest runs over the
//! browser's `fetch`, whose futures and bodies hold JavaScript values, which are not `Send`;
//! there [`Local<T>`] is a `SendWrapper`, so that the client's streams and futures have the
//! same `Send` bounds everywhere. A `SendWrapper` checks that it is used on the thread that
//! made it; wasm32 without the `atomics` target feature has exactly one thread (with it, the
//! crate refuses to build: `src/lib.rs`), so the check cannot fail.

/// `T`, made `Send` where the target needs it.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Local<T> = T;
/// `T`, made `Send` where the target needs it.
#[cfg(target_arch = "wasm32")]
pub(crate) type Local<T> = send_wrapper::SendWrapper<T>;

/// Wraps `value` (natively: returns it).
pub(crate) fn local<T>(value: T) -> Local<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        value
    }
    #[cfg(target_arch = "wasm32")]
    {
        send_wrapper::SendWrapper::new(value)
    }
}

/// The wrapped value back (natively: `value`).
pub(crate) fn unwrap_local<T>(value: Local<T>) -> T {
    #[cfg(not(target_arch = "wasm32"))]
    {
        value
    }
    #[cfg(target_arch = "wasm32")]
    {
        value.take()
    }
}

/// A response, as every layer above the transport holds it.
pub(crate) type Response = Local<reqwest::Response>;
