//! Puts widgets on a page (browser only at run time; it compiles natively so clippy sees
//! it). `memlane-embed.js` calls [`mount_page`] once the wasm is loaded. See `embed.rs`
//! for what each marker means.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Element, ShadowRootInit, ShadowRootMode};

use crate::components::gallery::{Gallery, GalleryProps};
use crate::components::widget::{Widget, WidgetProps};
use crate::embed::{self, EmbedRequest};
use crate::permalink;

/// The page's stylesheet and the embed's own rules, for a shadow root. The page's
/// `:root` variables are set on the widget's wrapper instead (`:root` means nothing in a
/// shadow tree, and a host page's rules cannot reach the wrapper).
const PAGE_CSS: &str = include_str!("../../../www/style.css");
const EMBED_CSS: &str = include_str!("../../../www/embed.css");

/// Below this width (of the element the widget replaces) the lanes are stacked.
const NARROW_MAX_WIDTH: i32 = 720;

thread_local! {
    /// One constructed sheet, adopted by every widget's shadow root.
    static SHEET: Option<CssStyleSheet> = widget_sheet();
}

/// The full page's styles: `www/style.css`, compiled in for the widgets' shadow roots,
/// adopted by the document too, so the page downloads it once, in the wasm (a linked
/// copy was 5,017 bytes gzipped more). Called before the app's first render.
pub fn adopt_page_style() {
    if let (Some(document), Some(sheet)) = (
        web_sys::window().and_then(|w| w.document()),
        sheet_of(PAGE_CSS),
    ) {
        document.set_adopted_style_sheets(&adopted(&sheet));
    }
}

fn widget_sheet() -> Option<CssStyleSheet> {
    sheet_of(&format!(
        "{}\n{EMBED_CSS}",
        PAGE_CSS.replace(":root", ".memlane-embed")
    ))
}

/// A constructed style sheet holding `css`.
fn sheet_of(css: &str) -> Option<CssStyleSheet> {
    let sheet = CssStyleSheet::new().ok()?;
    sheet.replace_sync(css).ok()?;
    Some(sheet)
}

/// The list `adoptedStyleSheets` takes: `sheet` alone.
fn adopted(sheet: &CssStyleSheet) -> JsValue {
    JsValue::from(web_sys::js_sys::Array::of1(sheet))
}

/// Mounts everything the page asks for; returns how many widgets it mounted.
pub fn mount_page(base: &str) -> usize {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return 0;
    };
    let mut mounted = 0;
    for element in select_all(&document, "[data-memlane-frame]") {
        mounted += mount_frame(&element, base) as usize;
    }
    for element in select_all(&document, "[data-memlane-gallery]") {
        yew::Renderer::<Gallery>::with_root_and_props(
            element,
            GalleryProps {
                base: base.to_owned().into(),
            },
        )
        .render();
    }
    for pre in select_all(&document, "pre.memlane") {
        let mut request = embed::read_request(
            &pre.text_content().unwrap_or_default(),
            pre.get_attribute("data-step").as_deref(),
            pre.get_attribute("data-python").as_deref(),
            pre.get_attribute("data-view").as_deref(),
            pre.get_attribute("data-readonly").as_deref(),
        );
        if let Some(cap) = pre.get_attribute("data-max-steps") {
            embed::apply_max_steps(&mut request, &cap);
        }
        let Ok(host) = document.create_element("div") else {
            continue;
        };
        host.set_class_name("memlane-widget");
        if pre.replace_with_with_node_1(&host).is_ok() && mount_widget(&host, request, base) {
            mounted += 1;
        }
    }
    mounted
}

fn select_all(document: &web_sys::Document, selector: &str) -> Vec<Element> {
    let Ok(list) = document.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

/// The iframe embed: one read-only widget for the address's fragment.
fn mount_frame(element: &Element, base: &str) -> bool {
    let fragment = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    match permalink::decode(&fragment) {
        Ok(scenario) => {
            let request = EmbedRequest {
                scenario,
                readonly: true,
                problems: Vec::new(),
            };
            mount_widget(element, request, base)
        }
        Err(e) => {
            let _ = element.set_attribute("role", "alert");
            element.set_text_content(Some(&format!("This link did not open: {e}.")));
            false
        }
    }
}

/// Attaches an open shadow root to `host` with the widget's styles and renders a widget
/// for `request` in it.
fn mount_widget(host: &Element, request: EmbedRequest, base: &str) -> bool {
    let Ok(shadow) = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) else {
        return false;
    };
    SHEET.with(|sheet| {
        if let Some(sheet) = sheet {
            shadow.set_adopted_style_sheets(&adopted(sheet));
        }
    });
    let Some(root) = host
        .owner_document()
        .and_then(|d| d.create_element("div").ok())
    else {
        return false;
    };
    if shadow.append_child(&root).is_err() {
        return false;
    }
    let width = host.client_width();
    let narrow = if width > 0 {
        width <= NARROW_MAX_WIDTH
    } else {
        web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .is_some_and(|w| w <= f64::from(NARROW_MAX_WIDTH))
    };
    yew::Renderer::<Widget>::with_root_and_props(
        root,
        WidgetProps {
            scenario: Rc::new(request.scenario),
            readonly: request.readonly,
            base: base.to_owned().into(),
            narrow,
            problems: Rc::new(request.problems),
        },
    )
    .render();
    true
}
