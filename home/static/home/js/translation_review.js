/* wagtail-localize's translation editor for someone who may not publish (宣传编辑): the footer's
 * primary action is "Save and submit for review" (home/translation_review.py).
 *
 * Without the right to publish, wagtail-localize makes "Convert to alias page" the primary button,
 * and it throws the translation away. This script runs before wagtail-localize's own (the
 * insert_editor_js hook is output ahead of it), on the same DOMContentLoaded event:
 * - the editor's props lose the alias link, so the editor never offers it (wagtail-localize leaves
 *   the action out when the link is null, as it does for a page with nothing to alias);
 * - wagtail-localize's footer is hidden (translation_review.css) and ours takes its place: the primary
 *   button to save and submit, and Preview.
 * Someone who may publish (宣传审核) keeps wagtail-localize's footer with "Publish in English".
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.submitUrl) return;
  var data = script.dataset;

  function link(href, label, className, newTab) {
    var anchor = document.createElement("a");
    anchor.className = className;
    anchor.href = href;
    anchor.textContent = label;
    if (newTab) anchor.target = "_blank";
    var holder = document.createElement("div");
    holder.className = "w-dropdown-button";
    holder.appendChild(anchor);
    return holder;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector(".js-translation-editor[data-props]");
    var page = /\/pages\/(\d+)\/edit\/$/.exec(window.location.pathname);
    if (!root || !page) return; // not a page's translation editor (snippets keep theirs)
    var props = JSON.parse(root.dataset.props);
    if (!props.perms || props.perms.canPublish) return;
    props.links.convertToAliasUrl = null;
    root.dataset.props = JSON.stringify(props);
    root.classList.add("portal-translation-for-review");

    var nav = document.createElement("nav");
    nav.className = "actions actions--primary footer__container";
    nav.setAttribute("aria-label", data.actionsLabel);
    nav.appendChild(link(data.submitUrl.replace("/0/", "/" + page[1] + "/"), data.submitLabel, "button", false));
    var modes = props.previewModes || [];
    if (modes.length) nav.appendChild(link(modes[0].url, data.previewLabel, "button button--icon", true));
    var footer = document.createElement("footer");
    footer.className = "footer w-grid md:w-grid-flow-col portal-translation-footer";
    footer.appendChild(nav);
    root.after(footer);
  });
})();
