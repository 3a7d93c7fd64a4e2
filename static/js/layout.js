// The layout on small screens: the menu button that shows and hides the
// header's links, and the table semantics of the tables shown as cards.
(function () {
  "use strict";

  function setUpMenu() {
    var header = document.querySelector("[data-site-header]");
    var button = header && header.querySelector("[data-menu-button]");
    if (!button) {
      return;
    }
    function isOpen() {
      return button.getAttribute("aria-expanded") === "true";
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("site-header--open", open);
    }
    button.addEventListener("click", function () {
      setOpen(!isOpen());
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !isOpen()) {
        return;
      }
      var focusInHeader = header.contains(document.activeElement);
      setOpen(false);
      if (focusInHeader) {
        button.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !header.contains(event.target)) {
        setOpen(false);
      }
    });
  }

  // A table shown as cards is laid out with "display: block" and grid,
  // which makes some browsers drop its table semantics: the explicit roles
  // keep its rows, headers and cells for screen readers.
  var ROLES = { THEAD: "rowgroup", TBODY: "rowgroup", TFOOT: "rowgroup", TR: "row", TD: "cell" };

  function keepTableRoles() {
    document.querySelectorAll("table.table-cards").forEach(function (table) {
      table.setAttribute("role", "table");
      table.querySelectorAll("thead, tbody, tfoot, tr, th, td").forEach(function (element) {
        var role = ROLES[element.tagName];
        if (element.tagName === "TH") {
          role = element.getAttribute("scope") === "col" ? "columnheader" : "rowheader";
        }
        element.setAttribute("role", role);
      });
    });
  }

  setUpMenu();
  keepTableRoles();
})();
