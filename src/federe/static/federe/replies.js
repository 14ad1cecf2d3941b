// The "/" picker of saved replies in a thread's reply box (templates replies/_picker.html, _picker_list.html,
// _insert.html). Typing "/" at the start of a word lists the saved replies of the thread's channel, filtered by
// the letters that follow; arrows move, Enter inserts, Escape closes. The server fills the chosen reply for the
// thread (htmx); one with questions shows a small form first. Each inserted reply's id goes with the reply as a
// hidden "saved_reply" field, so that its use is counted when the reply is sent.
(function () {
  var slash = null; // {start, end} of the "/word" being typed

  function parts() {
    var picker = document.querySelector("#thread [data-saved-replies]");
    if (!picker) return null;
    var form = picker.closest("form");
    return { picker: picker, form: form, box: form.querySelector("textarea[name=body]"),
             panel: picker.querySelector(".saved-reply-panel") };
  }

  function close() {
    var p = parts();
    slash = null;
    if (p) p.panel.replaceChildren();
  }

  function wordAtCaret(box) {
    var end = box.selectionStart;
    var before = box.value.slice(0, end);
    var match = /(^|\s)\/([^\s\/]*)$/.exec(before);
    if (!match) return null;
    return { start: end - match[2].length - 1, end: end, search: match[2] };
  }

  function options(p) { return Array.prototype.slice.call(p.panel.querySelectorAll(".saved-reply-option")); }

  function move(p, step) {
    var all = options(p);
    if (!all.length) return;
    var at = all.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    var next = (at + step + all.length) % all.length;
    all.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
    all[next].scrollIntoView({ block: "nearest" });
  }

  function choose(option) {
    htmx.ajax("GET", option.dataset.insertUrl, { target: "#saved-reply-panel", swap: "innerHTML" });
  }

  function insert(p, template) {
    var text = template.content.textContent;
    var box = p.box;
    var at = slash || { start: box.selectionStart, end: box.selectionEnd };
    box.value = box.value.slice(0, at.start) + text + box.value.slice(at.end);
    var caret = at.start + text.length;
    box.focus();
    box.setSelectionRange(caret, caret);
    var id = document.createElement("input");
    id.type = "hidden";
    id.name = "saved_reply";
    id.value = template.dataset.savedReplyId;
    p.form.appendChild(id);
    close();
  }

  function submitQuestions(p, form) {
    var values = {};
    form.querySelectorAll("input").forEach(function (input) { values[input.name] = input.value; });
    htmx.ajax("POST", form.dataset.insertUrl, { target: "#saved-reply-panel", swap: "innerHTML", values: values });
  }

  document.addEventListener("input", function (event) {
    var p = parts();
    if (!p || event.target !== p.box) return;
    var word = wordAtCaret(p.box);
    if (!word) { if (slash) close(); return; }
    slash = word;
    htmx.ajax("GET", p.picker.dataset.savedReplies + "?q=" + encodeURIComponent(word.search),
              { target: "#saved-reply-panel", swap: "innerHTML" });
  });

  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (!p) return;
    var inPanel = p.panel.contains(event.target);
    if (event.target !== p.box && !inPanel) return;
    var questions = p.panel.querySelector("[data-saved-reply-form]");
    if (event.key === "Escape" && (slash || questions)) { event.preventDefault(); close(); p.box.focus(); return; }
    if (questions && inPanel && event.key === "Enter") { event.preventDefault(); submitQuestions(p, questions); return; }
    if (!slash || !options(p).length || event.target !== p.box) return;
    if (event.key === "ArrowDown") { event.preventDefault(); move(p, 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(p, -1); }
    else if (event.key === "Enter") {
      event.preventDefault();
      choose(p.panel.querySelector(".saved-reply-option[aria-selected=true]") || options(p)[0]);
    }
  });

  document.addEventListener("click", function (event) {
    var p = parts();
    if (!p || !p.panel.contains(event.target)) return;
    var option = event.target.closest(".saved-reply-option");
    if (option) { choose(option); return; }
    if (event.target.closest("[data-saved-reply-submit]")) submitQuestions(p, p.panel.querySelector("[data-saved-reply-form]"));
    if (event.target.closest("[data-saved-reply-cancel]")) { close(); p.box.focus(); }
  });

  // A search answer that comes back after Escape, or for a word no longer being typed, is dropped: it would
  // open the panel again with a stale list.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var p = parts();
    if (!p || event.detail.target !== p.panel || !event.detail.xhr) return;
    var answered = new URL(event.detail.xhr.responseURL || location.href, location.href);
    var searches = new URL(p.picker.dataset.savedReplies, location.href);
    if (answered.pathname !== searches.pathname) return; // an inserted reply or its questions, not a search
    if (!slash || answered.searchParams.get("q") !== slash.search) event.detail.shouldSwap = false;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var p = parts();
    if (!p || event.detail.target !== p.panel) return;
    var template = p.panel.querySelector("template[data-saved-reply-text]");
    if (template) { insert(p, template); return; }
    var first = p.panel.querySelector("[data-saved-reply-form] input");
    if (first) first.focus();
  });
})();
