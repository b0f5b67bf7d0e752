/* Enhancements only: every form works without this file.
   - Focus the error summary when the page opens with one, so screen readers read it first
     (the autofocus attribute does the same where the browser honours it).
   - A link in the error summary moves focus to the input and scrolls its label or legend into
     view, so the question is visible above the input (as the GOV.UK error summary does). */
(function () {
  "use strict";
  var summary = document.querySelector("[data-portal-error-summary]");
  if (!summary) return;
  if (document.activeElement !== summary) summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    event.preventDefault();
    var fieldset = input.closest("fieldset");
    var legend = fieldset && input.type === "radio" ? fieldset.querySelector("legend") : null;
    var label = legend || document.querySelector("label[for='" + input.id + "']") || input;
    label.scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
