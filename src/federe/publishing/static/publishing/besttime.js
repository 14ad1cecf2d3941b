// The best-time heat map on a narrow screen: start scrolled to the first suggested slot (or the first cell with
// something in it) instead of midnight. Asked for with data-scroll-start on the scrolling box; no inline script.
(function () {
  "use strict";
  function start(box) {
    var target = box.querySelector("td.suggested") || box.querySelector("td:not(.heat-0)");
    var label = box.querySelector("tbody th");
    if (!target || box.scrollWidth <= box.clientWidth) return;
    var offset = target.offsetLeft - (label ? label.offsetWidth : 0) - 8;
    box.scrollLeft = Math.max(0, offset);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-scroll-start]").forEach(start);
  });
})();
