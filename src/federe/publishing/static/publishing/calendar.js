// The calendar: drag a post (an element with data-move-post) onto a day (data-drop-day) or an hour of a day
// (data-drop-time) and its own "Move…" form is filled and sent (htmx swaps the grid back). A day of the month keeps
// the post's time, since the form already holds it; an hour of the week gives its time. The form is the same one the
// keyboard uses, so dragging does nothing the form could not. Loaded as a file: the Content-Security-Policy forbids
// inline scripts.
(function () {
  var dragged = null;

  function dropTarget(node) {
    return node && node.closest ? node.closest("[data-drop-day]") : null;
  }

  function clearOver() {
    document.querySelectorAll(".drop-over").forEach(function (cell) { cell.classList.remove("drop-over"); });
  }

  document.addEventListener("dragstart", function (event) {
    var chip = event.target.closest && event.target.closest("[data-move-post]");
    if (!chip) return;
    dragged = chip;
    chip.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.getAttribute("data-move-post"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearOver();
  });

  document.addEventListener("dragover", function (event) {
    var cell = dropTarget(event.target);
    if (!dragged || !cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!cell.classList.contains("drop-over")) {
      clearOver();
      cell.classList.add("drop-over");
    }
  });

  document.addEventListener("drop", function (event) {
    var cell = dropTarget(event.target);
    if (!dragged || !cell) return;
    event.preventDefault();
    var form = dragged.querySelector("form[data-move-form]");
    var sameDay = form && form.elements.day.value === cell.getAttribute("data-drop-day");
    var time = cell.getAttribute("data-drop-time");
    clearOver();
    if (!form || (sameDay && (!time || time.slice(0, 2) === form.elements.time.value.slice(0, 2)))) return;
    form.elements.day.value = cell.getAttribute("data-drop-day");
    if (time) form.elements.time.value = time;
    dragged.classList.add("moving");
    form.requestSubmit();
  });
})();
