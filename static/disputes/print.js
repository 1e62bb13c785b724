// The print views of case documents: the 打印 button prints the sheet (the toolbar hides in print).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
