// Loaded before the wasm (a classic script, so it runs first). If the app stops — a Rust
// panic (the panic hook in main.rs has already written its message into #fatal-error), a
// wasm trap, a failed load — the reader sees why in a visible box instead of a dead widget.
// Text only: messages go in with textContent, never as HTML.
(function () {
  'use strict';
  function box() {
    let el = document.getElementById('fatal-error');
    if (!el) {
      el = document.createElement('div');
      el.id = 'fatal-error';
      el.className = 'fatal-error';
      el.setAttribute('role', 'alert');
      // Styled here, not by style.css: the box must look like an error when the wasm,
      // which carries the page's styles, never loaded.
      el.style.cssText = 'margin:1rem;padding:0.75rem 1rem;border:2px solid #b00020;' +
        'border-radius:4px;background:#fff4f4;color:#5c0011';
      const title = document.createElement('strong');
      title.textContent = 'memlane stopped working';
      const message = document.createElement('pre');
      message.className = 'fatal-message';
      message.style.cssText = 'white-space:pre-wrap;overflow-wrap:anywhere;max-height:12rem;overflow:auto';
      const hint = document.createElement('p');
      hint.textContent = 'Reload the page to start again. Your program is in the link if you copied it.';
      el.append(title, message, hint);
      (document.body || document.documentElement).prepend(el);
    }
    return el;
  }
  function show(text) {
    const el = box();
    const message = el.querySelector('.fatal-message');
    // A panic message written by the hook is the real cause; the trap that follows adds nothing.
    if (message.textContent) return;
    message.textContent = String(text);
  }
  // Called by the panic hook (main.rs) with the panic's message.
  window.memlaneFatal = show;
  window.addEventListener('error', function (event) {
    // Resource load failures (the wasm or its loader) arrive as errors on elements.
    if (event.target && event.target !== window && event.target.tagName) {
      show('could not load ' + (event.target.src || event.target.href || event.target.tagName));
      return;
    }
    show(event.error ? (event.error.stack || event.error.message || event.error) : event.message);
  }, true);
  window.addEventListener('unhandledrejection', function (event) {
    const r = event.reason;
    show(r && (r.stack || r.message) ? (r.stack || r.message) : r);
  });
})();
