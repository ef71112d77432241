//! The device's clock, the one place the UI and the browser's node read
//! it: the page's `Date.now()` in wasm, the system clock in native tests.
//! Times are what the device says (shown, never trusted for ordering).

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }
}
