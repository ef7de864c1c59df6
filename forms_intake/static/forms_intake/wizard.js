/* Registration wizard: error summary focus, cascading division selects, double-submit guard,
   session timeout warning. Everything here is an enhancement: the forms work without it. */
(function () {
  "use strict";

  // Move focus to the error summary so screen readers and keyboard users start there.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  var form = document.querySelector("[data-wizard-form]");
  if (!form) { return; }

  // ---- Cascading selects ------------------------------------------------
  var LEVELS = ["province", "city", "county", "town"];
  var divisionsUrl = form.getAttribute("data-divisions-url");
  var selects = form.querySelectorAll("select[data-division-group]");

  function groupSelect(group, level) {
    return form.querySelector('select[data-division-group="' + group + '"][data-division-level="' + level + '"]');
  }

  function resetSelect(select, label) {
    while (select.options.length) { select.remove(0); }
    select.add(new Option(label, ""));
  }

  function fill(select, options) {
    var previous = select.value;
    resetSelect(select, options.length ? form.getAttribute("data-choose-label") || "—" : "—");
    options.forEach(function (o) { select.add(new Option(o.name, o.code)); });
    var keep = options.some(function (o) { return o.code === previous; });
    if (keep) {
      select.value = previous;
    } else if (options.length === 1) {
      // A level this place skips (e.g. 市辖区 of a municipality): choose it for the resident.
      select.value = options[0].code;
      select.dispatchEvent(new Event("change"));
    }
  }

  function onChange(event) {
    var select = event.target;
    var group = select.getAttribute("data-division-group");
    var index = LEVELS.indexOf(select.getAttribute("data-division-level"));
    for (var i = index + 1; i < LEVELS.length; i++) {
      var below = groupSelect(group, LEVELS[i]);
      if (below) { resetSelect(below, "—"); }
    }
    var next = groupSelect(group, LEVELS[index + 1]);
    if (!next || !select.value) { return; }
    var url = divisionsUrl + "?level=" + encodeURIComponent(LEVELS[index + 1]) + "&parent=" + encodeURIComponent(select.value);
    // Only the answer to the latest choice may fill the list (responses can arrive out of order).
    var ticket = String(Number(next.getAttribute("data-ticket") || "0") + 1);
    next.setAttribute("data-ticket", ticket);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { options: [] }; })
      .then(function (data) {
        if (next.getAttribute("data-ticket") === ticket) { fill(next, data.options || []); }
      })
      .catch(function () { /* the "Update the lists" button still works */ });
  }

  if (selects.length && window.fetch) {
    form.setAttribute("data-choose-label", (selects[0].options[0] && selects[0].options[0].text) || "—");
    selects.forEach(function (select) { select.addEventListener("change", onChange); });
    form.querySelectorAll("[data-division-refresh]").forEach(function (el) { el.hidden = true; });
  }

  // ---- One submission per click ---------------------------------------------
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-submitting") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-submitting", "1");
    // Let the resident try again if the page does not change (e.g. a network problem).
    window.setTimeout(function () { form.removeAttribute("data-submitting"); }, 8000);
  });

  // ---- Session timeout warning --------------------------------------------
  var seconds = parseInt(form.getAttribute("data-session-seconds"), 10);
  var dialog = document.getElementById("timeout-dialog");
  if (!seconds || !dialog || typeof dialog.showModal !== "function" || !window.fetch) { return; }
  var warnTimer, expireTimer;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

  // Elder mode promises no pop-ups: the warning is shown in the page, above the form, instead.
  var elder = document.documentElement.classList.contains("elder-mode");
  if (elder) { form.parentNode.insertBefore(dialog, form); }

  function warn() {
    if (elder) { dialog.show(); } else { dialog.showModal(); }
    var button = dialog.querySelector("[data-timeout-extend]");
    if (button) { button.focus(); }
  }

  // Before warning or leaving, ask the server: another tab may have kept the answers longer.
  function check(then) {
    fetch(form.getAttribute("data-keepalive-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { seconds_left: 0 }; })
      .then(function (data) { then(Number(data.seconds_left) || 0); })
      .catch(function () { then(-1); /* unknown: warn, but never claim the answers were deleted */ });
  }

  function schedule(left) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(expireTimer);
    var total = (left || seconds) * 1000;
    var warnAt = Math.max(total - 300000, Math.floor(total * 0.8));
    warnTimer = window.setTimeout(function () {
      check(function (remaining) {
        if (remaining * 1000 > total - warnAt + 60000) { schedule(remaining); } else { warn(); }
      });
    }, warnAt);
    expireTimer = window.setTimeout(expireCheck, total);
  }

  // Leave for the "expired" page only when the server says the answers are gone.
  function expireCheck() {
    check(function (remaining) {
      if (remaining === 0) {
        window.location.href = form.getAttribute("data-expired-url");
      } else if (remaining < 0) {
        warn();
      } else if (remaining > 60) {
        if (dialog.open) { dialog.close(); }
        schedule(remaining);
      } else {
        expireTimer = window.setTimeout(expireCheck, remaining * 1000 + 500);
      }
    });
  }

  function extend() {
    fetch(form.getAttribute("data-keepalive-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" }
    }).then(function (response) {
      if (response.ok) { schedule(seconds); }
    }).catch(function () { /* the expiry timer still leads to the clear page */ });
    if (dialog.open) { dialog.close(); }
  }

  dialog.querySelector("[data-timeout-extend]").addEventListener("click", extend);
  dialog.addEventListener("cancel", function () { extend(); });
  schedule(seconds);
})();
