/* wagtail-localize's translation editor writes one label in English without gettext: "More actions",
 * the screen-reader text of its footer's dropdown toggle (wagtail_localize/static_src/common/components/
 * ActionMenu/index.tsx), which an approver (宣传审核) hears on the English page's editor.
 * Wagtail's JavaScript catalogue (and the project's djangojs.po ahead of it) translates the same string:
 * this script puts that translation in place whenever the editor draws the label. */
(function () {
  "use strict";
  var LABELS = ["More actions"];

  function translate(root) {
    root.querySelectorAll(".w-sr-only").forEach(function (element) {
      var text = element.textContent;
      if (LABELS.indexOf(text) === -1) return;
      var translated = window.gettext(text);
      if (translated !== text) element.textContent = translated;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector(".js-translation-editor");
    if (!root || typeof window.gettext !== "function") return;
    translate(root);
    // The editor mounts (and may redraw its footer) after this listener has run.
    new MutationObserver(function () {
      translate(root);
    }).observe(root, { childList: true, subtree: true });
  });
})();
