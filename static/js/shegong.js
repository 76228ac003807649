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
})();
