// Keep the conversation list in step with the open thread: highlight it after every swap.
(function () {
  function highlight() {
    var head = document.querySelector("#thread [data-conversation-id]");
    var id = head ? head.getAttribute("data-conversation-id") : null;
    document.querySelectorAll("#conversation-list li[data-conversation]").forEach(function (item) {
      if (item.getAttribute("data-conversation") === id) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    });
  }
  document.addEventListener("htmx:afterSwap", highlight);
  document.addEventListener("DOMContentLoaded", highlight);
})();
