// memlane's iframe helper for the host page: sizes every <iframe class="memlane-frame">
// to its content. Load it once per page, after the iframes:
//   <script src="https://…/memlane/memlane-frame.js"></script>
// A classic script (no CORS needed to load it from another site), wrapped so it defines
// nothing on window. A message is used only if it comes from one of those iframes'
// windows, from the origin of that iframe's src, and has exactly the shape
// {type: 'memlane:size', version: 1, height} with a sensible height; anything else is
// ignored. The frame posts sizes only to the origin whose hello it answered.
(() => {
  'use strict';
  const MAX_HEIGHT = 20000;

  const frames = () => [...document.querySelectorAll('iframe.memlane-frame')];

  const originOf = (frame) => {
    try {
      return new URL(frame.src, document.baseURI).origin;
    } catch {
      return null;
    }
  };

  const hello = (frame) => {
    const origin = originOf(frame);
    if (origin && origin !== 'null' && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: 'memlane:hello', version: 1 }, origin);
    }
  };

  /** Exactly `keys` own keys, `type` and `version: 1` among them. */
  const shaped = (data, type, keys) =>
    data !== null && typeof data === 'object' && !Array.isArray(data)
    && Object.keys(data).length === keys && data.type === type && data.version === 1;

  window.addEventListener('message', (event) => {
    const frame = frames().find((f) => f.contentWindow === event.source);
    if (!frame || event.origin !== originOf(frame)) return;
    const data = event.data;
    if (shaped(data, 'memlane:ready', 2)) {
      hello(frame);
    } else if (shaped(data, 'memlane:size', 3)
      && typeof data.height === 'number' && Number.isFinite(data.height)
      && data.height > 0 && data.height <= MAX_HEIGHT) {
      frame.style.height = `${Math.ceil(data.height)}px`;
      frame.style.border = '0';
    }
  });

  for (const frame of frames()) {
    frame.addEventListener('load', () => hello(frame));
    hello(frame);
  }
})();
