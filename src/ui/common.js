// What every page's script shares, loaded before it on every page: the live
// stream that opens again after the browser gives up on it.
(() => {
  "use strict";

  /**
   * Opens /api/events, and opens it again when the browser gives up on it: an EventSource retries
   * a dropped stream by itself, but an answer other than 200 (a 503, a 429, a proxy's error page)
   * closes it for good. Tries after 3 s, doubling up to 30 s; `listen` adds the page's listeners
   * to each stream.
   */
  function openEvents(listen) {
    let delay = 3_000;
    const open = () => {
      const source = new EventSource("/api/events");
      source.addEventListener("open", () => {
        delay = 3_000;
      });
      source.addEventListener("error", () => {
        if (source.readyState !== EventSource.CLOSED) return;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30_000);
      });
      listen(source);
    };
    open();
  }

  globalThis.cairnEvents = openEvents;
})();
