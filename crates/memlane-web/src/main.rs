//! The browser entry point: trunk builds this binary to WebAssembly (see index.html).

#[cfg(target_arch = "wasm32")]
mod browser {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// Defined by www/guard.js: shows `message` in the page's error box (as text).
        #[wasm_bindgen(js_name = memlaneFatal, catch)]
        fn memlane_fatal(message: &str) -> Result<(), JsValue>;
    }

    /// The release build aborts on a panic (no unwinding), so the app cannot carry on:
    /// the hook puts the panic's message in a visible error box before the wasm traps, and
    /// logs it with its stack as Yew's default hook (console_error_panic_hook) does. Set
    /// through Yew, which would otherwise install its default over it.
    pub fn install_panic_hook() {
        yew::set_custom_panic_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            let _ = memlane_fatal(&format!("internal error: {info}"));
        }));
    }

    /// Panics on purpose, so the browser tests can check that a panic still leaves a
    /// visible error box (called as `window.wasmBindings.panic_for_test("...")`).
    #[wasm_bindgen]
    pub fn panic_for_test(message: String) {
        panic!("{message}");
    }

    /// The bytes the page's wasm heap holds now (what the 1 GiB guard compares), for the
    /// browser performance tests (`window.wasmBindings.heap_bytes()`).
    #[wasm_bindgen]
    pub fn heap_bytes() -> usize {
        memlane_web::memory_use::bytes_in_use()
    }
}

/// The full page renders only where the page says it is memlane's own (`index.html`'s
/// `<body data-memlane-app>`); on any other page the wasm is loaded by
/// `memlane-embed.js`, which calls [`mount_page`].
#[cfg(target_arch = "wasm32")]
fn main() {
    browser::install_panic_hook();
    let is_app_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.has_attribute("data-memlane-app"));
    if is_app_page {
        memlane_web::mount::adopt_page_style();
        yew::Renderer::<memlane_web::app::App>::new().render();
    }
}

/// Turns the page's `pre.memlane` elements (and `embed.html`'s frame, `gallery.html`'s
/// list) into widgets; `base` is the address of the site's files. Returns how many
/// widgets it mounted.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount_page(base: String) -> usize {
    memlane_web::mount::mount_page(&base)
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("memlane-web runs in a browser: build and serve it with scripts/serve.sh");
    std::process::exit(2);
}
