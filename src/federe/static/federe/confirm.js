// Destructive actions ask first. A submit button with data-confirm="what happens" opens the page's
// <dialog id="confirm-dialog"> (templates/core/_confirm_dialog.html): focus starts on Cancel, Escape cancels,
// and only the dialog's confirm button submits the form, with confirmed=yes (the server refuses it without).
(function () {
  var asking = null;

  function ask(button, box) {
    asking = button;
    var label = button.dataset.confirmOk || button.textContent.trim();
    box.querySelector(".confirm-title").textContent = button.dataset.confirmTitle || label;
    box.querySelector(".confirm-text").textContent = button.dataset.confirm;
    box.querySelector(".confirm-ok").textContent = label;
    box.returnValue = "";
    box.showModal();
    box.querySelector(".confirm-cancel").focus();
  }

  function proceed(button) {
    var form = button.form;
    if (!form) return;
    var field = form.querySelector("input[name=confirmed]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirmed";
      form.appendChild(field);
    }
    field.value = "yes";
    button.dataset.confirmed = "yes";
    try { button.click(); } finally { delete button.dataset.confirmed; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm]");
    if (!button || button.dataset.confirmed) return;
    var box = document.getElementById("confirm-dialog");
    if (!box || typeof box.showModal !== "function") return; // no dialog: the server asks on its own page
    event.preventDefault();
    event.stopPropagation();
    ask(button, box);
  }, true);

  // "close" does not bubble, but it does pass through the capture phase.
  document.addEventListener("close", function (event) {
    if (event.target.id !== "confirm-dialog") return;
    var button = asking;
    asking = null;
    if (event.target.returnValue === "ok" && button && button.isConnected) proceed(button);
  }, true);
})();
