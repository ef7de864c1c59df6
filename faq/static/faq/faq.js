/* Policy Q&A: filter the questions as the visitor types (the form also works without JavaScript). */
(function () {
  "use strict";
  var input = document.querySelector("[data-faq-filter]");
  if (!input) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-faq-item]"));
  var categories = Array.prototype.slice.call(document.querySelectorAll("[data-faq-category]"));
  var status = document.querySelector("[data-faq-count]");
  var timer = null;

  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (item) {
      var text = item.textContent.toLowerCase();
      var match = terms.every(function (t) { return text.indexOf(t) !== -1; });
      item.hidden = !match;
      if (match) { shown += 1; }
    });
    categories.forEach(function (cat) {
      cat.hidden = !cat.querySelector("[data-faq-item]:not([hidden])");
    });
    if (status) {
      if (!terms.length) { status.textContent = ""; }
      else if (shown === 0) { status.textContent = status.getAttribute("data-template-none"); }
      else if (shown === 1) { status.textContent = status.getAttribute("data-template-one"); }
      else { status.textContent = status.getAttribute("data-template-many").replace("%(count)s", shown); }
    }
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(apply, 150);
  });
}());
