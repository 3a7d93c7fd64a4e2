// Forms of the démarches: focus on the error summary, and a preview of the
// fields shown only for some answers (the server decides in the end).
(function () {
  "use strict";

  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  function normalise(text) {
    return (text || "").toString().trim().toLowerCase()
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  var YES = ["yes", "oui", "true", "on", "1"];
  var NO = ["no", "non", "false", "0"];

  function valuesOf(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          values.push(input.type === "checkbox" && input.value === "on" ? "on" : input.value);
        }
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values.map(normalise);
  }

  function matches(values, expected) {
    return (expected || "").split("|").some(function (answer) {
      return answer.trim() && matchesOne(values, answer);
    });
  }

  function matchesOne(values, expected) {
    var wanted = normalise(expected);
    if (YES.indexOf(wanted) >= 0) {
      return values.some(function (v) { return YES.indexOf(v) >= 0; });
    }
    if (NO.indexOf(wanted) >= 0) {
      return values.some(function (v) { return NO.indexOf(v) >= 0; });
    }
    return values.indexOf(wanted) >= 0;
  }

  function updateConditions(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (item) {
      var values = valuesOf(form, item.dataset.showIf);
      item.hidden = !matches(values, item.dataset.showIfValue);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-if]")) {
        return;
      }
      form.addEventListener("change", function () { updateConditions(form); });
      updateConditions(form);
    });
  });
})();
