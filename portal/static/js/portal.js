/* Site chrome: nothing here is needed for the site to work; it only smooths things. */
(function () {
  "use strict";
  // Focus the question a visitor jumped to (e.g. /qa/#q-1234abcd), so keyboard and
  // screen-reader users land where sighted users do.
  function focusHash() {
    if (!window.location.hash) { return; }
    var target = document.getElementById(window.location.hash.slice(1));
    if (target && target.matches("[data-faq-item]")) {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  }
  document.addEventListener("DOMContentLoaded", focusHash);
  window.addEventListener("hashchange", focusHash);
}());
