/* Employer lookup (docs/api.md): when a valid-looking 统一社会信用代码 (18) or 组织机构代码 (9) is typed in
 * the 登记单位 step, ask the public endpoint /api/v1/employers/<code> for the employer's name and fill in the
 * name field, unless the resident typed a name of their own. Optional: without JavaScript the server checks
 * the pair (steps/forms.py UnitForm). No inline script, same origin only (the public CSP). */
(function () {
  "use strict";
  var code = document.querySelector('input[name$="unit_code"]:not([type="hidden"])');
  var name = document.querySelector('input[name$="unit_name"]');
  if (!code || !name || !window.fetch) {
    return;
  }
  var filled = "";
  var timer = null;
  function compact(value) {
    return value.replace(/[\s\-－]/g, "").toUpperCase();
  }
  function lookUp() {
    var value = compact(code.value);
    if (value.length !== 18 && value.length !== 9) {
      return;
    }
    window.fetch("/api/v1/employers/" + encodeURIComponent(value), {
      headers: { Accept: "application/json" },
      credentials: "omit",
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (employer) {
      if (employer && employer.name && (name.value === "" || name.value === filled)) {
        name.value = employer.name;
        filled = employer.name;
      }
    }).catch(function () { /* the server checks the pair on submit */ });
  }
  code.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 300);
  });
})();
