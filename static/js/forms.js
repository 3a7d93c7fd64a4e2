// Forms of the démarches: focus on the error summary, a preview of the
// fields shown only for some answers, and the communes of a postcode offered
// as it is typed (the server decides in the end).
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

  // A postcode of five digits fills the list of its communes offered to the
  // commune's field, and the field itself when the postcode serves only one
  // commune and nothing was typed there yet.
  function lookUpCommunes(input) {
    var list = document.getElementById(input.dataset.postcodeCommunes);
    var commune = document.querySelector('[list="' + input.dataset.postcodeCommunes + '"]');
    var asked = "";
    function update() {
      var postcode = input.value.replace(/\s+/g, "");
      if (!/^[0-9]{5}$/.test(postcode) || postcode === asked) {
        return;
      }
      asked = postcode;
      var url = input.dataset.postcodeLookup.replace("00000", postcode);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { communes: [] }; })
        .then(function (found) {
          if (postcode !== asked) {
            return;
          }
          list.replaceChildren.apply(list, found.communes.map(function (c) {
            var option = document.createElement("option");
            option.value = c.name;
            return option;
          }));
          if (found.communes.length === 1 && commune && !commune.value) {
            commune.value = found.communes[0].name;
          }
        })
        .catch(function () { asked = ""; });
    }
    input.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    document.querySelectorAll("[data-postcode-lookup]").forEach(lookUpCommunes);
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-if]")) {
        return;
      }
      form.addEventListener("change", function () { updateConditions(form); });
      updateConditions(form);
    });
  });
})();
