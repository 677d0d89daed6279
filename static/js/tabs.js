/* Tabs that work without this script: each tab is a link to ?tab=<name> and the server draws
   the chosen panel visible (templates/products/catalog/show.html). With it, a tab switches in
   place, arrow keys, Home and End move between tabs (one tab in the Tab order), the address
   keeps ?tab= for a reload, and a link to a section inside a hidden panel opens that panel. */
(function () {
  "use strict";

  function setUp(list) {
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
    if (!tabs.length) return;

    function panelOf(tab) { return document.getElementById(tab.getAttribute("aria-controls")); }

    function select(tab, focus, remember) {
      tabs.forEach(function (other) {
        var on = other === tab;
        other.setAttribute("aria-selected", on ? "true" : "false");
        other.tabIndex = on ? 0 : -1;
        var panel = panelOf(other);
        if (panel) panel.hidden = !on;
      });
      if (focus) tab.focus();
      if (remember && window.history && history.replaceState) {
        var url = new URL(tab.href, window.location.href);
        url.hash = "";
        history.replaceState(null, "", url.pathname + url.search);
      }
    }

    tabs.forEach(function (tab, index) {
      tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
      tab.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
        event.preventDefault();
        select(tab, false, true);
      });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
        else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
        else if (event.key === "Home") next = tabs[0];
        else if (event.key === "End") next = tabs[tabs.length - 1];
        if (!next) return;
        event.preventDefault();
        select(next, true, true);
      });
    });

    function openTarget() {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = id && document.getElementById(id);
      if (!target) return;
      tabs.forEach(function (tab) {
        var panel = panelOf(tab);
        if (panel && panel.hidden && panel.contains(target)) {
          select(tab, false, false);
          target.scrollIntoView();
        }
      });
    }
    openTarget();
    window.addEventListener("hashchange", openTarget);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[role=tablist][data-tabs]"), setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
