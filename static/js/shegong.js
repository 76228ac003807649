// shegong: behaviour shared by all pages. No inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  // Ask before destructive actions: <form data-confirm="..."> or <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
  // Auto-submit filter forms that ask for it when a select changes.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]")) {
      el.form.requestSubmit();
    }
  });
  // Phone-first lists: every table cell carries its column's header as data-label, which the
  // stylesheet shows before the value when the table turns into cards (below 576 px). Templates
  // may set data-label themselves; the rest is filled in here, also for tables HTMX swaps in.
  // Cells keep their table roles, since display: block would otherwise hide them from screen readers.
  function labelTables(root) {
    var tables = root.querySelectorAll("table.table");
    Array.prototype.forEach.call(tables, function (table) {
      var heads = table.querySelectorAll("thead tr:last-child > th, thead tr:last-child > td");
      var labels = [];
      Array.prototype.forEach.call(heads, function (th) {
        var span = parseInt(th.getAttribute("colspan") || "1", 10);
        for (var i = 0; i < span; i++) { labels.push((th.dataset.label || th.textContent || "").trim()); }
      });
      table.setAttribute("role", "table");
      Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (group) {
        group.setAttribute("role", "rowgroup");
      });
      Array.prototype.forEach.call(table.rows, function (row) {
        row.setAttribute("role", "row");
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var span = parseInt(cell.getAttribute("colspan") || "1", 10);
          if (cell.tagName === "TH") {
            cell.setAttribute("role", cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
          } else {
            cell.setAttribute("role", "cell");
          }
          if (!cell.hasAttribute("data-label") && span === 1 && labels[column] && row.parentNode.tagName !== "THEAD") {
            cell.setAttribute("data-label", labels[column]);
          }
          column += span;
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { labelTables(document); });
  } else {
    labelTables(document);
  }
  document.addEventListener("htmx:afterSettle", function () { labelTables(document); });
})();
