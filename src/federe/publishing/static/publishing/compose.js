// The compose page: each channel's text is the main text, followed as one types, until someone edits it, a channel's variant is
// shown only when the channel is chosen, and the date and time only for "Schedule". Loaded as a file (the
// Content-Security-Policy forbids inline scripts); the limits themselves come from the server through htmx.
(function () {
  function each(selector, fn) { document.querySelectorAll(selector).forEach(fn); }

  function follow() {
    var body = document.getElementById("id_body");
    if (!body) return;
    each("textarea[data-follows]", function (area) {
      if (area.dataset.edited === "yes") return;
      area.value = body.value;
    });
  }

  function showChosen() {
    each("[data-variant-of]", function (set) {
      var box = document.querySelector('input[name="channels"][value="' + set.dataset.variantOf + '"]');
      set.hidden = !(box && box.checked);
    });
    var later = document.querySelector('input[name="when"][value="later"]');
    each("[data-when-later]", function (part) { part.hidden = !(later && later.checked); });
    var queued = document.querySelector('input[name="when"][value="queue"]');
    each("[data-when-queue]", function (part) { part.hidden = !(queued && queued.checked); });
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.id === "id_body") follow();
    if (field.matches && field.matches("textarea[data-follows]")) field.dataset.edited = "yes";
  });
  document.addEventListener("change", function (event) {
    if (event.target.name === "channels" || event.target.name === "when") showChosen();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("id_body");
    each("textarea[data-follows]", function (area) {
      if (area.value && body && area.value !== body.value) area.dataset.edited = "yes";
    });
    follow();
    showChosen();
  });
})();
