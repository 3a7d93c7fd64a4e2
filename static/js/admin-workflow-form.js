// The workflow form in the admin: a transition's "from" and "to" offer the
// statuses as typed so far (saved or not, deleted ones left out), so that a
// new workflow is built in one go, statuses then transitions.
(function () {
  "use strict";

  function statuses(form) {
    var found = [];
    form.querySelectorAll('input[name^="statuses-"][name$="-key"]').forEach(function (key) {
      var prefix = key.name.slice(0, -"key".length);
      var deleted = form.querySelector('input[name="' + prefix + 'DELETE"]');
      if (!key.value.trim() || (deleted && deleted.value === "1")) {
        return;
      }
      var name = form.querySelector('input[name="' + prefix + 'name"]');
      var label = (name && name.value.trim()) || key.value.trim();
      found.push({ key: key.value.trim(), label: label + " (" + key.value.trim() + ")" });
    });
    return found;
  }

  function refresh(select, form) {
    var chosen = select.value;
    var empty = select.options.length ? select.options[0].text : "---------";
    while (select.options.length) {
      select.remove(0);
    }
    select.add(new Option(empty, ""));
    statuses(form).forEach(function (status) {
      select.add(new Option(status.label, status.key, false, status.key === chosen));
    });
  }

  function isEnd(element) {
    return (
      element.tagName === "SELECT" &&
      /^transitions-\d+-(source|target)$/.test(element.name)
    );
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector('input[name="statuses-TOTAL_FORMS"]')) {
      return;
    }
    form.addEventListener("focusin", function (event) {
      if (isEnd(event.target)) {
        refresh(event.target, form);
      }
    });
    form.addEventListener("pointerdown", function (event) {
      if (isEnd(event.target)) {
        refresh(event.target, form);
      }
    });
  });
})();
