// Shared controls of the dashboard and 统计分析 pages, without inline handlers (a CSP-ready
// page): a select marked data-autosubmit submits its form; a button marked data-close-panel
// empties the action panel it sits in.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-close-panel]");
    if (!button) return;
    var panel = button.closest("#action-panel");
    if (panel) panel.innerHTML = "";
  });
})();
