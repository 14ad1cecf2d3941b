// Review queue keys: j/k move, x select, a/s/r decide on the focused message; d and b ask first (confirm.js).
// After a decision, focus goes to the card that followed the decided one, not back to the first.
(function () {
  var nextId = null;
  function items() { return Array.from(document.querySelectorAll(".qitem")); }
  function focused() { return document.activeElement && document.activeElement.closest(".qitem"); }
  function move(step) {
    var list = items(); if (!list.length) return;
    var index = list.indexOf(focused());
    var next = list[Math.max(0, Math.min(list.length - 1, index + step))] || list[0];
    next.focus(); next.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (event) {
    if (document.querySelector("dialog[open]")) return; // the confirmation has the keyboard
    if (event.target.matches("input[type=text], textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key.toLowerCase();
    if (key === "j") return move(1);
    if (key === "k") return move(-1);
    var item = focused(); if (!item) return;
    if (key === "x") { var box = item.querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; return; }
    var button = item.querySelector('button[data-key="' + key + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var item = event.target.closest && event.target.closest(".qitem");
    nextId = null;
    if (!item) return;
    var after = item.nextElementSibling, before = item.previousElementSibling;
    var neighbour = (after && after.matches(".qitem")) ? after : (before && before.matches(".qitem") ? before : null);
    nextId = neighbour ? neighbour.dataset.id : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var target = nextId && document.querySelector('.qitem[data-id="' + nextId + '"]');
    var item = target || items()[0];
    if (item) { item.focus(); item.scrollIntoView({block: "nearest"}); }
  });
})();
