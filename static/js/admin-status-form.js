// The status form of a request in the admin: a message template fills the
// status and the message in place (without JavaScript, its link reloads the
// form filled in), and the items to correct show only for the statuses that
// name them (space-separated in data-show-for-status).
(function () {
  "use strict";

  function setUp(form) {
    var boxes = form.querySelectorAll("[data-show-for-status]");

    function chosenStatus() {
      var checked = form.querySelector('input[name="status"]:checked');
      return checked ? checked.value : "";
    }

    function showItems() {
      boxes.forEach(function (box) {
        var statuses = box.getAttribute("data-show-for-status").split(" ");
        box.hidden = statuses.indexOf(chosenStatus()) === -1;
      });
    }

    // The preview opens the document the chosen status would issue, with
    // the free text typed so far.
    form.querySelectorAll("[data-preview-url]").forEach(function (link) {
      link.addEventListener("click", function () {
        var text = form.querySelector('textarea[name="document_text"]');
        var query = new URLSearchParams({ status: chosenStatus(), text: text ? text.value : "" });
        link.href = link.getAttribute("data-preview-url") + "?" + query.toString();
      });
    });

    form.addEventListener("change", function (event) {
      if (event.target.name === "status") {
        showItems();
      }
    });

    form.querySelectorAll("[data-template-body]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var status = form.querySelector(
          'input[name="status"][value="' + link.getAttribute("data-template-for") + '"]'
        );
        if (status) {
          status.checked = true;
        }
        var message = form.querySelector('textarea[name="message"]');
        message.value = link.getAttribute("data-template-body");
        showItems();
        message.focus();
      });
    });

    showItems();
  }

  document.querySelectorAll("[data-status-form]").forEach(setUp);
})();
