// Pages work without script; with it, small screens get a menu button and stacked tables.
document.documentElement.classList.add("js");
// Small behaviours that need script; no inline handlers (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // Language switch submits on change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () {
      // come back to what is on screen now (htmx may have changed the address since load)
      var next = el.form.querySelector("input[name=next]");
      if (next) { next.value = window.location.pathname + window.location.search; }
      el.form.submit();
    });
  });
});
// Buttons and forms with data-confirm ask first: the button pressed speaks for itself (a form
// with 通过 and 不通过 asks only before 不通过), else the form does.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// The menu button of small screens opens and closes the header's menu.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
  if (!toggle) { return; }
  var header = toggle.closest("header");
  var open = header.classList.toggle("open");
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
});
// Tables become stacked cards on a phone: each cell carries its column's name, and a row with
// many columns shows the first four until it is tapped. The mark grid keeps its columns.
function stackTables(root) {
  root.querySelectorAll("main table:not(.mark-grid):not([data-stacked])").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.classList.add("stack");
    table.setAttribute("data-stacked", "");
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var cells = row.children;
      if (cells.length > 4) { row.classList.add("folds"); }
      for (var i = 0; i < cells.length; i++) {
        if (heads[i] && !cells[i].hasAttribute("colspan")) { cells[i].setAttribute("data-label", heads[i]); }
      }
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { stackTables(document); });
document.addEventListener("htmx:afterSwap", function (event) { stackTables(event.target.closest("main") || document); });
document.addEventListener("click", function (event) {
  var row = event.target.closest && event.target.closest("table.stack tr.folds");
  if (!row || event.target.closest("a, button, input, select, textarea, label, summary")) { return; }
  row.classList.toggle("open");
});
