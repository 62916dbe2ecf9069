// The explorers' JavaScript comes from this site, never from a CDN: tell
// require.js where anywidget's front end is, and the widget manager where its
// fonts are (next to the address require.js gives it). Loaded after require.js, before @jupyter-widgets/html-manager.
(function () {
  var vendor = new URL(document.currentScript.getAttribute("data-vendor") ||
                       "../_vendor/", document.currentScript.src);
  window.requirejs.config({ paths: {
    anywidget: new URL("anywidget/dist/index", vendor).href,
    "@jupyter-widgets/html-manager": new URL("html-manager", vendor).href,
  } });
})();
