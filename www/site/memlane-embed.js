// memlane's script embed. One module script per page:
//   <script type="module" src="https://…/memlane/memlane-embed.js"></script>
// turns every <pre class="memlane"> into a widget in place (see the README's Embedding
// section). It loads the wasm from its own directory, defines nothing on window, and
// requests nothing but memlane-web.js and memlane-web_bg.wasm next to it.
//
// On embed.html it also talks to the host page's helper (memlane-frame.js) so the iframe
// can be sized to its content:
//   frame → parent   {type: 'memlane:ready', version: 1}           (to any origin: no data)
//   parent → frame   {type: 'memlane:hello', version: 1}           (from the parent only)
//   frame → parent   {type: 'memlane:size', version: 1, height: N} (to the hello's origin)
import init, { mount_page } from './memlane-web.js';

const base = new URL('./', import.meta.url).href;
const framed = document.querySelector('[data-memlane-frame]') !== null && window.parent !== window;

/** Exactly {type, version: 1} and nothing else. */
function isMessage(data, type) {
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    && Object.keys(data).length === 2 && data.type === type && data.version === 1;
}

let hostOrigin = null;
function postSize() {
  if (hostOrigin === null) return;
  const height = Math.ceil(document.body.getBoundingClientRect().height);
  window.parent.postMessage({ type: 'memlane:size', version: 1, height }, hostOrigin);
}

if (framed) {
  // Listening before the wasm loads, so an early hello is not lost.
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || !isMessage(event.data, 'memlane:hello')) return;
    // An opaque origin ('null', a sandboxed or file: page) cannot be addressed.
    if (typeof event.origin !== 'string' || event.origin === 'null') return;
    hostOrigin = event.origin;
    postSize();
  });
}

await init({ module_or_path: new URL('memlane-web_bg.wasm', import.meta.url) });
mount_page(base);

if (framed) {
  new ResizeObserver(postSize).observe(document.body);
  window.parent.postMessage({ type: 'memlane:ready', version: 1 }, '*');
}
