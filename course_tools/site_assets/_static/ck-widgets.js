// The explorers' JavaScript comes from this site, never from a CDN: tell
// require.js where anywidget's front end is, and the widget manager where its
// fonts are. Loaded after require.js, before @jupyter-widgets/html-manager.
(function () {
  var vendor = new URL(document.currentScript.getAttribute("data-vendor") ||
                       "../_vendor/", document.currentScript.src);
  // waitSeconds 0: no time limit on loading a script; a slow phone, or a busy
  // machine, may take more than require.js's default 7 s for the 3.5 MB manager.
  window.requirejs.config({ waitSeconds: 0, paths: {
    anywidget: new URL("anywidget/dist/index", vendor).href,
    // The manager's modules (named `@jupyter-widgets/html-manager` and
    // `.../dist/libembed-amd`) find their fonts in the folder of their address.
    "@jupyter-widgets/html-manager": new URL("html-manager/dist/embed-amd", vendor).href,
    "@jupyter-widgets/html-manager/dist": new URL("html-manager/dist", vendor).href,
  } });
})();
