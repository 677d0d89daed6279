// The composer: Write / Preview, "@" suggestions, and a draft kept as you type.
// Progressive enhancement: without this file a post box is a plain textarea.
// Boxes opt in with data-draft (templates/_macros/forms.html `composer`).
(function () {
  "use strict";
  var SAVE_AFTER_MS = 800;
  var MENTION_BEFORE_CARET = /(^|[^A-Za-z0-9_@/.\-])@([\w\-]{1,32})$/;

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function send(method, url, body) {
    var options = { method: method, credentials: "same-origin",
                    headers: { "Accept": "application/json", "X-CSRFToken": csrf() } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function Composer(box) {
    this.box = box;
    this.form = box.form;
    this.labels = box.dataset;
    this.timer = null;
    this.saved = box.value;
    this.buildTabs();
    this.buildStatus();
    this.buildSuggestions();
    this.restore();
    var self = this;
    box.addEventListener("input", function () { self.changed(); self.suggest(); });
    box.addEventListener("keydown", function (event) { self.keydown(event); });
    box.addEventListener("blur", function () { setTimeout(function () { self.hideSuggestions(); }, 150); });
    if (this.form) {
      // Posting ends the draft on the server (in the post's own transaction); a save
      // still waiting must not bring it back.
      this.form.addEventListener("submit", function () { clearTimeout(self.timer); self.saved = box.value; });
    }
  }

  Composer.prototype.buildTabs = function () {
    var self = this, box = this.box;
    var tabs = el("div", { "class": "composer-tabs", role: "tablist" });
    this.writeTab = el("button", { type: "button", role: "tab", "aria-selected": "true",
                                   "class": "composer-tab", "data-testid": "composer-write" },
                       this.labels.labelWrite);
    this.previewTab = el("button", { type: "button", role: "tab", "aria-selected": "false",
                                     "class": "composer-tab", "data-testid": "composer-preview" },
                         this.labels.labelPreview);
    tabs.appendChild(this.writeTab);
    tabs.appendChild(this.previewTab);
    this.preview = el("div", { "class": "composer-preview post-body", role: "tabpanel",
                               "data-testid": "composer-preview-panel", hidden: "" });
    this.warnings = el("ul", { "class": "composer-warnings", "data-testid": "composer-warnings" });
    box.parentNode.insertBefore(tabs, box);
    box.parentNode.insertBefore(this.preview, box.nextSibling);
    this.preview.parentNode.insertBefore(this.warnings, this.preview.nextSibling);
    this.writeTab.addEventListener("click", function () { self.showWrite(); });
    this.previewTab.addEventListener("click", function () { self.showPreview(); });
  };

  Composer.prototype.buildStatus = function () {
    this.status = el("p", { "class": "composer-status muted", "aria-live": "polite",
                            "data-testid": "composer-status" });
    this.warnings.parentNode.insertBefore(this.status, this.warnings.nextSibling);
  };

  Composer.prototype.showWrite = function () {
    this.writeTab.setAttribute("aria-selected", "true");
    this.previewTab.setAttribute("aria-selected", "false");
    this.preview.hidden = true;
    this.box.hidden = false;
    this.box.focus();
  };

  Composer.prototype.showPreview = function () {
    var self = this;
    this.writeTab.setAttribute("aria-selected", "false");
    this.previewTab.setAttribute("aria-selected", "true");
    this.box.hidden = true;
    this.preview.hidden = false;
    if (!this.box.value.trim()) {
      this.preview.textContent = this.labels.labelEmpty;
      return;
    }
    send("POST", this.labels.previewUrl, { body: this.box.value })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        // The server's own renderer: Markdown without raw HTML, then sanitised (nh3).
        self.preview.innerHTML = data.html;
        self.showWarnings(data.warnings);
      });
  };

  Composer.prototype.showWarnings = function (list) {
    var warnings = this.warnings;
    warnings.textContent = "";
    (list || []).forEach(function (text) {
      warnings.appendChild(el("li", { "class": "error", role: "alert" }, text));
    });
  };

  // A post the server refused comes back as the draft, with its reason: both go back
  // into the box, and focus moves there.
  Composer.prototype.restore = function () {
    var self = this;
    fetch(this.labels.draftUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.status === 200 ? r.json() : null; })
      .then(function (draft) {
        if (!draft || self.box.value.trim()) return;
        self.box.value = draft.body;
        self.saved = draft.body;
        self.status.textContent = self.labels.labelRestored;
        if (draft.error) {
          var field = self.box.closest(".field");
          if (field) field.classList.add("has-error");
          self.showWarnings([draft.error]);
          self.box.setAttribute("aria-describedby", "composer-error");
          self.warnings.firstChild.id = "composer-error";
          self.box.scrollIntoView({ block: "center" });
          self.box.focus();
        }
      })
      .catch(function () { /* offline: the box stays as it is */ });
  };

  Composer.prototype.changed = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, SAVE_AFTER_MS);
  };

  Composer.prototype.save = function () {
    var self = this, body = this.box.value;
    if (body === this.saved) return;
    var request = body.trim()
      ? send("PUT", this.labels.draftUrl, { body: body, url: location.pathname + location.search })
      : send("DELETE", this.labels.draftUrl);
    request.then(function (r) {
      if (!r.ok) return;
      self.saved = body;
      self.status.textContent = body.trim() ? self.labels.labelSaved : "";
    }).catch(function () { /* offline: tried again at the next keystroke */ });
  };

  // "@" suggestions: people the writer follows and the thread's posters come first.
  Composer.prototype.buildSuggestions = function () {
    this.list = el("ul", { "class": "composer-people", role: "listbox", hidden: "",
                           "aria-label": this.labels.labelPeople, "data-testid": "composer-people" });
    this.box.parentNode.insertBefore(this.list, this.box.nextSibling);
    this.box.setAttribute("aria-autocomplete", "list");
    this.active = -1;
    var self = this;
    this.list.addEventListener("mousedown", function (event) {
      var item = event.target.closest("li");
      if (item) { event.preventDefault(); self.pick(item.dataset.name); }
    });
  };

  Composer.prototype.suggest = function () {
    var before = this.box.value.slice(0, this.box.selectionStart);
    var match = MENTION_BEFORE_CARET.exec(before);
    if (!match) { this.hideSuggestions(); return; }
    var self = this, prefix = match[2], asked = this.asked = (this.asked || 0) + 1;
    var url = this.labels.peopleUrl + "?q=" + encodeURIComponent(prefix) +
      (this.labels.thread ? "&thread=" + encodeURIComponent(this.labels.thread) : "");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { people: [] }; })
      .then(function (data) {
        if (asked === self.asked) self.showSuggestions(data.people);  // answers can overtake
      })
      .catch(function () { self.hideSuggestions(); });
  };

  Composer.prototype.showSuggestions = function (people) {
    var list = this.list;
    list.textContent = "";
    if (!people.length) { this.hideSuggestions(); return; }
    people.forEach(function (name, i) {
      list.appendChild(el("li", { role: "option", id: "composer-person-" + i, "data-name": name,
                                  "aria-selected": i === 0 ? "true" : "false" }, "@" + name));
    });
    this.active = 0;
    list.hidden = false;
    this.box.setAttribute("aria-expanded", "true");
  };

  Composer.prototype.hideSuggestions = function () {
    this.asked = (this.asked || 0) + 1;  // an answer still on its way must not reopen the list
    this.list.hidden = true;
    this.active = -1;
    this.box.setAttribute("aria-expanded", "false");
  };

  Composer.prototype.keydown = function (event) {
    if (this.list.hidden) return;
    var items = this.list.children;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      items[this.active].setAttribute("aria-selected", "false");
      this.active = (this.active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[this.active].setAttribute("aria-selected", "true");
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      this.pick(items[this.active].dataset.name);
    } else if (event.key === "Escape") {
      this.hideSuggestions();
    }
  };

  Composer.prototype.pick = function (name) {
    var box = this.box, caret = box.selectionStart;
    var match = MENTION_BEFORE_CARET.exec(box.value.slice(0, caret));
    if (!match) { this.hideSuggestions(); return; }
    var start = caret - match[2].length;
    box.value = box.value.slice(0, start) + name + " " + box.value.slice(caret);
    box.selectionStart = box.selectionEnd = start + name.length + 1;
    this.hideSuggestions();
    box.focus();
    this.changed();
  };

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.fetch) return;
    document.querySelectorAll("textarea[data-draft]").forEach(function (box) { new Composer(box); });
  });
})();
