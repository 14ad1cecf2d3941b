// Behaviour every page may ask for with data- attributes. The Content-Security-Policy forbids inline
// scripts and handlers (onchange=…), so templates declare what they need and this file does it.
(function () {
  // <select data-submit-on-change>: choosing a value submits its form (htmx forms too).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) field.form.requestSubmit();
  });

  // Adding a channel: show only the fieldset of the chosen network (<fieldset data-network="…">).
  function showNetworkFields() {
    var select = document.getElementById("id_network");
    if (!select) return;
    document.querySelectorAll("fieldset.network-fields[data-network]").forEach(function (set) {
      set.hidden = set.getAttribute("data-network") !== select.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_network") showNetworkFields();
  });
  document.addEventListener("DOMContentLoaded", showNetworkFields);
})();
