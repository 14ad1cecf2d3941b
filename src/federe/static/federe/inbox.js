// Keep the conversation list in step with the open thread, and open threads on their latest message.
(function () {
  function highlight() {
    var head = document.querySelector("#thread [data-conversation-id]");
    var id = head ? head.getAttribute("data-conversation-id") : null;
    document.querySelectorAll("#conversation-list li[data-conversation]").forEach(function (item) {
      if (item.getAttribute("data-conversation") === id) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    });
  }
  // A thread opens on its latest message, just above the reply box.
  function showLatest() {
    var pane = document.getElementById("thread");
    if (pane) pane.scrollTop = pane.scrollHeight;
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    highlight();
    if (event.detail.target && event.detail.target.id === "thread") showLatest();
  });
  document.addEventListener("DOMContentLoaded", function () { highlight(); showLatest(); });
})();
