// Behaviour every page may ask for with data- attributes. The Content-Security-Policy forbids inline
// scripts and handlers (onchange=…), so templates declare what they need and this file does it.
(function () {
  // <select data-submit-on-change>: choosing a value submits its form (htmx forms too).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) field.form.requestSubmit();
  });

  // <… data-shown-when="id_hours=business">: shown only while the field of that id has that value. Adding a
  // channel uses it to show the fieldset of the chosen network only; the SLA form, its business hours.
  function showDependents() {
    document.querySelectorAll("[data-shown-when]").forEach(function (element) {
      var rule = element.getAttribute("data-shown-when").split("=");
      var field = document.getElementById(rule[0]);
      if (field) element.hidden = field.value !== rule[1];
    });
  }
  document.addEventListener("change", showDependents);
  document.addEventListener("DOMContentLoaded", showDependents);
})();
