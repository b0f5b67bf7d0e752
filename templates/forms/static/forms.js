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

/* The print view's button: window.print() (without JavaScript the page says how to print).
   The check page's send button: a second click while the first is on its way would store the
   application twice, so the button is disabled once the form is submitted. */
(function () {
  "use strict";
  var button = document.querySelector("[data-portal-print]");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
  var send = document.querySelector("[data-portal-send]");
  if (send && send.form) {
    send.form.addEventListener("submit", function (event) {
      if (event.submitter !== send) return;
      if (send.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
      // aria-disabled rather than disabled: a disabled button's name/value would not be sent.
      send.setAttribute("aria-disabled", "true");
    });
  }
})();

/* Questions asked for one answer only (`applies_if` in forms/*.yml, data-portal-applies-* on the
   question): hidden while another answer is chosen, shown as soon as it is. In page order, so a
   question that depends on a hidden one is hidden too. Nothing typed is cleared here: the server
   drops the answers of questions that do not apply (portal.intake.forms.inapplicable), and a
   citizen who changes their mind finds what they typed. Without this script every question shows
   and its hint says when to skip it. */
(function () {
  "use strict";
  var questions = document.querySelectorAll("[data-portal-applies-field]");
  if (!questions.length) return;
  function answer(name) {
    var inputs = document.getElementsByName(name);
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "checkbox") return input.checked ? "true" : "false";
      if (input.type === "radio") { if (input.checked) return input.value; continue; }
      return input.value.trim();
    }
    return "";
  }
  function update() {
    for (var i = 0; i < questions.length; i++) {
      var question = questions[i];
      var name = question.getAttribute("data-portal-applies-field");
      var control = document.getElementsByName(name)[0];
      var wanted = question.getAttribute("data-portal-applies-value").split(" ");
      var value = answer(name);
      var asked = !(control && control.closest("[hidden]")) &&
        (wanted[0] === "" ? value !== "" && value !== "false" : wanted.indexOf(value) !== -1);
      question.hidden = !asked;
    }
  }
  update();
  document.addEventListener("change", update);
})();
