// Inbox keys (the list of them: inbox/_shortcuts.html, opened with "?"): j/k move in the list, Enter/o open,
// x selects for a bulk action, r reply, a assign, e close the open thread, / search. Never while typing.
// Also the bulk bar: "select all on this page", and only the fields the chosen action needs.
(function () {
  function rows() { return Array.from(document.querySelectorAll("#conversation-list li[data-conversation]")); }
  function current() {
    var list = rows();
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("li[data-conversation]");
    return focused || list.find(function (li) { return li.classList.contains("cursor"); }) ||
      list.find(function (li) { return li.hasAttribute("aria-current"); }) || null;
  }
  function move(step) {
    var list = rows(); if (!list.length) return;
    var index = list.indexOf(current());
    var next = index < 0 ? list[0] : list[Math.max(0, Math.min(list.length - 1, index + step))];
    list.forEach(function (li) { li.classList.toggle("cursor", li === next); });
    var link = next.querySelector("a"); if (link) { link.focus(); link.scrollIntoView({block: "nearest"}); }
  }
  function open() { var li = current(); var link = li && li.querySelector("a"); if (link) link.click(); }
  function select() { var li = current(); var box = li && li.querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; }
  function focusIn(selector) { var el = document.querySelector(selector); if (el) { el.focus(); return true; } return false; }
  // The search box; on a phone with a thread open the list (and its box) is hidden: go to the search page instead.
  function search() {
    var box = document.querySelector("#inbox-search");
    if (!box) return false;
    if (box.getClientRects().length) { box.focus(); return true; }
    if (box.form) { window.location.assign(box.form.action); return true; }
    return false;
  }
  function shortcuts() {
    var box = document.getElementById("shortcuts-dialog");
    if (box && !box.open && typeof box.showModal === "function") box.showModal();
  }
  function typing(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (document.querySelector("dialog[open]") || typing(event.target)) return;
    var key = event.key;
    var actions = {
      j: function () { move(1); },
      k: function () { move(-1); },
      o: open,
      x: select,
      r: function () { return focusIn("#thread form.reply textarea"); },
      a: function () { return focusIn("#thread select[name=assignee]"); },
      e: function () { var b = document.querySelector('#thread .statuses button[value="closed"]'); if (b) b.click(); return !!b; },
      "/": search,
      "?": shortcuts
    };
    if (key === "Enter" && event.target.matches && event.target.matches("li[data-conversation] a")) return; // the link opens itself
    if (!Object.prototype.hasOwnProperty.call(actions, key)) return;
    if (actions[key]() !== false) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-show-shortcuts]")) shortcuts();
  });
  // The bulk bar: "select all on this page" ticks the page's boxes; the action shows the fields it needs.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll('#conversation-list input[type=checkbox][name="' + target.getAttribute("data-select-all") + '"]')
        .forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-bulk-action]")) showFields(target);
  });
  function showFields(select) {
    var form = select.form; if (!form) return;
    form.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      field.hidden = field.getAttribute("data-bulk-for").split(" ").indexOf(select.value) < 0;
    });
  }
  function setUp() { var s = document.querySelector("[data-bulk-action]"); if (s) showFields(s); }
  // The thread just opened is read now: its row loses the unread marker.
  function markOpenRead() {
    var head = document.querySelector("#thread [data-conversation-id]"); if (!head) return;
    var li = document.querySelector('#conversation-list li[data-conversation="' + head.getAttribute("data-conversation-id") + '"]');
    if (!li) return;
    li.classList.remove("unread");
    li.querySelectorAll(".unread-dot, .unread-text").forEach(function (el) { el.remove(); });
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(); markOpenRead(); });
  document.addEventListener("htmx:afterSwap", function () { setUp(); markOpenRead(); });
})();
