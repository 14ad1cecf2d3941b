// Review queue keys: j/k move, x select, a/s/r/b decide on the focused message.
(function () {
  function items() { return Array.from(document.querySelectorAll(".qitem")); }
  function focused() { return document.activeElement && document.activeElement.closest(".qitem"); }
  function move(step) {
    var list = items(); if (!list.length) return;
    var index = list.indexOf(focused());
    var next = list[Math.max(0, Math.min(list.length - 1, index + step))] || list[0];
    next.focus(); next.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (event) {
    if (event.target.matches("input[type=text], textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key.toLowerCase();
    if (key === "j") return move(1);
    if (key === "k") return move(-1);
    var item = focused(); if (!item) return;
    if (key === "x") { var box = item.querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; return; }
    var button = item.querySelector('button[data-key="' + key + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });
  document.addEventListener("htmx:afterSwap", function () { var first = items()[0]; if (first) first.focus(); });
})();
