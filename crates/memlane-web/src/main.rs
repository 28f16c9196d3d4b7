//! The browser entry point: trunk builds this binary to WebAssembly (see index.html).

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<memlane_web::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("memlane-web runs in a browser: build and serve it with scripts/serve.sh");
    std::process::exit(2);
}
