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
