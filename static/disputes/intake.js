// Intake form helpers: add/remove party rows without a round trip, Ctrl+Enter submits.
// Without JavaScript the "添加当事人" button posts the form and the server adds a row.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;
  var rows = document.getElementById("party-rows");
  var template = document.getElementById("party-empty");
  var total = form.querySelector("input[name='parties-TOTAL_FORMS']");

  document.getElementById("add-party").addEventListener("click", function (event) {
    event.preventDefault();
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    showKindFields(added);
    var name = added.querySelector("input[name$='-name']");
    if (name) name.focus();
    if (window.htmx) window.htmx.process(added);
  });

  // A row shows the fields of its kind of party: a person's gender, 民族, birth date and
  // occupation, or an organisation's legal representative (the server keeps only those).
  function showKindFields(row) {
    var kind = row.querySelector("select.js-party-kind");
    if (!kind) return;
    row.querySelectorAll("[data-party-kind]").forEach(function (cell) {
      cell.hidden = cell.getAttribute("data-party-kind") !== kind.value;
    });
  }
  rows.querySelectorAll(".party-row").forEach(showKindFields);

  // Typing in a hint source (ID number, phone, place, category) asks for related-case hints:
  // a named event, because an htmx trigger filter would need eval, which the CSP forbids.
  form.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("js-hint-source")) {
      form.dispatchEvent(new CustomEvent("hint-input", {bubbles: true}));
    }
  });
  rows.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("js-party-kind")) {
      showKindFields(event.target.closest(".party-row"));
    }
  });

  // Ticking "删除此行" hides the row (its DELETE box still travels with the form).
  rows.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("js-party-delete")) return;
    var row = box.closest(".party-row");
    row.classList.toggle("opacity-50", box.checked);
  });

  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // A double click on "登记" sends one request; the submit token covers the rest.
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "add_party") return;
    if (form.dataset.submitted) { event.preventDefault(); return; }
    form.dataset.submitted = "1";
  });
})();
