/* Fill the slug (缩略名) of a new page from its Chinese title, in pinyin (home/slugs.py).
 *
 * Wagtail's own slugify keeps ASCII only, which leaves nothing of a Chinese title; the
 * conversion needs pypinyin, so the browser asks the server. Only where Wagtail itself syncs
 * the title to the slug (pages not yet published), and only until the editor types a slug.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = script && script.dataset.endpoint;
  if (!endpoint) return;

  function setUp() {
    var slug = document.querySelector('input[name="slug"][data-controller~="w-slug"]');
    var title = document.querySelector('input[name="title"][data-controller~="w-sync"]');
    if (!slug || !title) return;
    if (!/w-sync#apply/.test(title.getAttribute("data-action") || "")) return; // a live page keeps its URL
    var typedByEditor = slug.value.trim() !== "";
    var timer = null;
    var known = {}; // title -> slug, so that a re-sync by Wagtail is undone without asking again

    slug.addEventListener("input", function () { typedByEditor = slug.value.trim() !== ""; });

    function apply(text) {
      if (known[text] && !typedByEditor && title.value.trim() === text && slug.value !== known[text]) {
        slug.value = known[text];
        slug.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function ask() {
      var text = title.value.trim();
      if (typedByEditor || !text) return;
      if (text in known) { apply(text); return; }
      known[text] = "";
      fetch(endpoint + "?title=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          known[text] = (data && data.slug) || "";
          apply(text);
        })
        .catch(function () { delete known[text]; /* the server fills the slug on save */ });
    }

    function later() {
      window.clearTimeout(timer);
      // After Wagtail's own sync (which empties the slug of a Chinese title) has run.
      timer = window.setTimeout(ask, 250);
    }
    ["input", "keyup", "change", "blur"].forEach(function (name) { title.addEventListener(name, later); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
