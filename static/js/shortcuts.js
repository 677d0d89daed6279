// Keyboard shortcuts: "/" goes to the search box, "j" / "k" move to the next / previous item
// of a list (threads, ideas, products, circles, notifications, conversations) or post of a
// thread, Enter opens the item, "?" shows the list of shortcuts (templates/_shortcuts.html).
// None fires while typing in a field or with Ctrl, Alt or Meta held.
(function () {
  "use strict";
  var ITEMS = [
    "article.post", ".thread-row", ".idea-row", ".circle-row", ".product-card", ".roadmap-card",
    "li.event", ".conversation-row", "li.message", "article.review", ".release-note"
  ].map(function (s) { return "#content " + s; }).join(", ");

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function visible(el) {
    return el.offsetParent !== null || el.getClientRects().length > 0;
  }

  function move(step) {
    var items = Array.prototype.filter.call(document.querySelectorAll(ITEMS), visible);
    if (!items.length) return false;
    // The item holding focus (or a link in it); from elsewhere "j" starts at the first.
    var here = document.activeElement, at = -1;
    items.forEach(function (item, i) { if (item === here || item.contains(here)) at = i; });
    if (at < 0 && step < 0) at = items.length;
    var next = items[Math.max(0, Math.min(items.length - 1, at + step))];
    if (!next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    next.classList.add("kbd-item");
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "nearest" });
    return true;
  }

  function search() {
    var box = document.querySelector(".site-search input[type=search]");
    if (!box || !visible(box)) return false;
    box.focus();
    box.select();
    return true;
  }

  function help() {
    var dialog = document.getElementById("shortcuts-help");
    if (!dialog || typeof dialog.showModal !== "function") return false;
    if (!dialog.open) dialog.showModal();
    return true;
  }

  function openItem(item) {
    // A list item's title; a post or a message opens nothing (its first link is its author).
    var link = item.querySelector("a.thread-title, a.idea-title, a.product-name, a.circle-name, a.event-text, a.card-title") ||
      (item.matches("article.post, li.message") ? null : item.querySelector("a[href]"));
    if (!link) return false;
    link.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    var done = false;
    if (event.key === "/") done = search();
    else if (event.key === "?") done = help();
    else if (event.shiftKey) return;
    else if (event.key === "j") done = move(1);
    else if (event.key === "k") done = move(-1);
    else if (event.key === "Enter" && event.target.classList && event.target.classList.contains("kbd-item")) {
      done = openItem(event.target);
    }
    if (done) event.preventDefault();
  });
})();
