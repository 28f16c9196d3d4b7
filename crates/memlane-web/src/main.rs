//! The browser entry point: trunk builds this binary to WebAssembly (see index.html).

/// The full page renders only where the page says it is memlane's own (`index.html`'s
/// `<body data-memlane-app>`); on any other page the wasm is loaded by
/// `memlane-embed.js`, which calls [`mount_page`].
#[cfg(target_arch = "wasm32")]
fn main() {
    let is_app_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.has_attribute("data-memlane-app"));
    if is_app_page {
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
