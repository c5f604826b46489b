// icbt: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-first-error]");
    if (summary) {
      summary.focus();
    }
  });
})();
