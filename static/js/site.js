// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var csrf = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };

  // Show times in the reader's own time zone.
  function localizeTimes(root) {
    var lang = document.documentElement.lang || undefined;
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      // A time staff entered keeps the zone it names (community/web/templating.py local_time).
      if (el.hasAttribute("data-zone")) return;
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      el.title = d.toISOString();
      el.textContent = d.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localizeTimes(document);

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      // A form that creates something is sent once; its token also guards the server.
      if (form.hasAttribute("data-once")) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
      }
    });

    // Likes without a reload; the plain form post still works without JavaScript.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList.contains("like-form") || event.defaultPrevented) return;
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf() },
        body: new FormData(form),
        credentials: "same-origin"
      }).then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
        .then(function (data) {
          var button = form.querySelector("button");
          form.querySelector('input[name="liked"]').value = data.liked ? "0" : "1";
          button.classList.toggle("on", data.liked);
          button.setAttribute("aria-pressed", data.liked ? "true" : "false");
          form.querySelector(".like-count").textContent = data.likes;
        })
        .catch(function () { form.submit(); });
    });
  });

  // Votes without a reload; the form post is the fallback.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("vote-form") || event.defaultPrevented) return;
    event.preventDefault();
    var box = form.closest(".vote-box");
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf() },
      body: new FormData(form),
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) { showError(box, result.data.error && result.data.error.message); return; }
      var data = result.data, button = form.querySelector("button");
      form.querySelector('input[name="vote"]').value = data.voted ? "0" : "1";
      box.classList.toggle("voted", data.voted);
      button.setAttribute("aria-pressed", data.voted ? "true" : "false");
      button.textContent = data.voted ? button.dataset.labelOn : button.dataset.labelOff;
      box.querySelector(".vote-count").textContent = data.votes;
    }).catch(function () { form.submit(); });
  });

  function showError(near, message) {
    var note = document.createElement("p");
    note.className = "error";
    note.setAttribute("role", "alert");
    note.textContent = message || "Error";
    near.appendChild(note);
    setTimeout(function () { note.remove(); }, 5000);
  }

  window.Fanforge = { csrf: csrf, localizeTimes: localizeTimes };
})();

// Follow buttons without a reload; the plain form post is the fallback.
(function () {
  "use strict";
  function setFollowing(form, on) {
    var button = form.querySelector(".follow-button");
    form.action = on ? form.dataset.unfollow : form.dataset.follow;
    button.classList.toggle("on", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? button.dataset.labelOn : button.dataset.labelOff;
    if (on) { button.title = button.dataset.titleOn; } else { button.removeAttribute("title"); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("follow-form") || event.defaultPrevented) return;
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRFToken": window.Fanforge.csrf() },
      body: new FormData(form),
      credentials: "same-origin"
    }).then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
      .then(function (data) { setFollowing(form, data.following); })
      .catch(function () { form.submit(); });
  });

  // Voting follows the idea on the server; show it on the idea's own button too.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".idea-head .vote-box").forEach(function (box) {
      var form = box.closest(".idea-head").querySelector(".follow-form");
      if (!form || !window.MutationObserver) return;
      new MutationObserver(function () {
        if (box.classList.contains("voted")) setFollowing(form, true);
      }).observe(box, { attributes: true, attributeFilter: ["class"] });
    });
  });
})();

// Similar ideas while an idea's title is typed (debounced). Without JavaScript the server
// shows the same list after a first submit; once the list was shown here, the submit
// says so (post_anyway) and goes straight through.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-similar]");
    var box = document.querySelector(".similar-ideas");
    if (!input || !box || !window.fetch) return;
    var form = input.form, timer = null, last = input.value.trim(), seq = 0;

    function seen(on) {
      var flag = form.querySelector('input[type="hidden"][name="post_anyway"]');
      if (on && !flag) {
        flag = document.createElement("input");
        flag.type = "hidden"; flag.name = "post_anyway"; flag.value = "1";
        form.appendChild(flag);
      } else if (!on && flag) { flag.remove(); }
    }

    function render(items) {
      box.textContent = "";
      box.hidden = !items.length;
      seen(items.length > 0);
      if (!items.length) return;
      var heading = document.createElement("p");
      heading.className = "similar-heading";
      heading.textContent = box.dataset.heading;
      var list = document.createElement("ul");
      list.className = "similar-list";
      items.forEach(function (idea) {
        var li = document.createElement("li"), a = document.createElement("a");
        var badge = document.createElement("span"), votes = document.createElement("span");
        li.setAttribute("data-testid", "similar-idea");
        a.href = idea.url; a.target = "_blank"; a.rel = "noopener"; a.textContent = idea.title;
        badge.className = "badge status status-" + idea.status; badge.textContent = idea.status_label;
        votes.className = "muted"; votes.textContent = idea.votes_label;
        li.append(a, " ", badge, " ", votes);
        list.appendChild(li);
      });
      box.append(heading, list);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var title = input.value.trim();
        if (title === last) return;
        last = title;
        var mine = ++seq;
        if (title.length < 2) { render([]); return; }
        var url = input.dataset.similar;
        url += (url.indexOf("?") < 0 ? "?" : "&") + "title=" + encodeURIComponent(title);
        fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
          .then(function (data) { if (mine === seq) render(data.items); })
          .catch(function () { /* the server checks again on submit */ });
      }, 300);
    });
  });
})();

// Conversations: new messages appear without a reload. The page polls a small JSON
// endpoint that answers at once (an empty list, or 304) when nothing is new, so no server
// worker is ever held on an open connection; a hidden tab asks five times less often.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var chat = document.querySelector("[data-chat]");
    if (!chat || !window.fetch) return;
    var list = chat.querySelector(".messages");
    var after = parseInt(chat.dataset.after, 10) || 0;
    var interval = parseInt(chat.dataset.interval, 10) || 3000;
    var timer = null, busy = false, etag = null;
    if (chat.hasAttribute("data-paused")) return;  // reading older messages
    // A conversation opens at its newest message: the list scrolls in its box, and the
    // page brings that message into view (a link to one message keeps its own place).
    list.scrollTop = list.scrollHeight;
    if (list.lastElementChild && !window.location.hash) {
      list.lastElementChild.scrollIntoView({ block: "nearest" });
    }

    function add(items) {
      items.forEach(function (item) {
        if (list.querySelector('[data-message-id="' + item.id + '"]')) return;
        var holder = document.createElement("ol");
        holder.innerHTML = item.html;
        var li = holder.firstElementChild;
        list.appendChild(li);
        window.Fanforge.localizeTimes(li);
      });
      var empty = chat.querySelector("[data-empty]");
      if (empty) empty.remove();
      if (list.lastElementChild) list.lastElementChild.scrollIntoView({ block: "nearest" });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(poll, document.hidden ? interval * 5 : interval);
    }

    function poll() {
      if (busy) return;
      busy = true;
      var headers = { "Accept": "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(chat.dataset.pollUrl + "?after=" + after, { headers: headers, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 304) return null;
          if (!r.ok) return Promise.reject(r);
          etag = r.headers.get("ETag");
          return r.json();
        })
        .then(function (data) {
          if (data && data.items.length) { add(data.items); after = data.last_id; }
        })
        .catch(function () { /* try again at the next tick */ })
        .then(function () { busy = false; schedule(); });
    }

    document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });

    // Sending without a reload; without JavaScript the form posts and the page reloads.
    var form = document.querySelector("[data-chat-form]");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = form.querySelector("textarea");
        if (!body.value.trim()) return;
        var button = form.querySelector("button");
        button.disabled = true;
        fetch(form.action, {
          method: "POST",
          headers: { "Accept": "application/json", "X-CSRFToken": window.Fanforge.csrf() },
          body: new FormData(form),
          credentials: "same-origin"
        }).then(function (r) {
          return r.json().then(function (data) { return { ok: r.ok, data: data }; });
        }).then(function (result) {
          if (!result.ok) {
            var note = document.createElement("p");
            note.className = "error";
            note.setAttribute("role", "alert");
            note.textContent = (result.data.error && result.data.error.message) || "Error";
            form.appendChild(note);
            setTimeout(function () { note.remove(); }, 5000);
            return;
          }
          body.value = "";
          busy = false;
          poll();
        }).catch(function () { form.submit(); })
          .then(function () { button.disabled = false; });
      });
    }
    schedule();
  });

  // The shell: the skip link moves focus, not only the scroll position ("/" and the other
  // keys are static/js/shortcuts.js).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".skip-link");
    if (!link) return;
    var main = document.getElementById("content");
    if (main) { main.focus(); }
  });
})();

// The staff's Manage menu (templates/_manage_menu.html) is a <details>: it opens and closes
// without this. Escape closes it and gives focus back to its toggle; a click elsewhere
// closes it too.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.querySelector(".manage-menu[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", function (event) {
    var menu = document.querySelector(".manage-menu[open]");
    if (menu && !menu.contains(event.target)) menu.open = false;
  });
})();

// The bell: a drop-down of the latest notifications, fetched for the reader when opened
// (and those shown marked read), and an unread count kept fresh every minute and when the
// tab comes back. Without JavaScript the bell is a link to the notifications page.
(function () {
  "use strict";
  var REFRESH = 60000;

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector("[data-bell]");
    var panel = bell && document.getElementById("bell-panel");
    if (!panel || !window.fetch) return;
    var list = panel.querySelector("[data-bell-items]");
    var open = false, asked = Date.now();
    bell.setAttribute("role", "button");
    bell.setAttribute("aria-expanded", "false");
    bell.setAttribute("aria-controls", panel.id);

    function json(url, options) {
      options = options || {};
      options.credentials = "same-origin";
      options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
      return fetch(url, options).then(function (r) { return r.ok ? r.json() : Promise.reject(r); });
    }

    // The "Me" tab's badge counts notifications and conversations (community/viewer/shell.py).
    function showTabBadge(label) {
      var badge = document.querySelector("[data-testid=tab-badge]");
      if (!badge) return;
      var envelope = document.querySelector("[data-testid=envelope-count]");
      var labels = [label, envelope ? envelope.textContent : ""];
      var total = 0, capped = false;
      labels.forEach(function (l) {
        if (!l) return;
        capped = capped || /\+$/.test(l);
        total += parseInt(l, 10) || 0;
      });
      if (!total) { badge.remove(); return; }
      var text = total + (capped ? "+" : "");
      badge.lastElementChild.textContent = text;
      badge.firstElementChild.textContent = bell.dataset.unreadLabel.replace("{n}", text);
    }

    function showCount(label) {
      var count = bell.querySelector(".bell-count");
      showTabBadge(label);
      bell.classList.toggle("has-unread", !!label);
      if (!label) {
        if (count) count.remove();
        bell.setAttribute("aria-label", bell.dataset.label);
        return;
      }
      if (!count) {
        count = document.createElement("span");
        count.className = "bell-count";
        count.setAttribute("data-testid", "bell-count");
        bell.appendChild(count);
      }
      count.textContent = label;
      bell.setAttribute("aria-label", bell.dataset.label + " (" + bell.dataset.unreadLabel.replace("{n}", label) + ")");
    }

    function markRead(ids) {
      if (!ids.length) return;
      var body = new FormData();
      ids.forEach(function (id) { body.append("id", id); });
      // keepalive: following a notice at once does not cancel its marking.
      json(bell.dataset.readUrl, { method: "POST", body: body, keepalive: true,
                                   headers: { "X-CSRFToken": window.Fanforge.csrf() } })
        .then(function (data) { showCount(data.label); })
        .catch(function () { /* the notifications page marks them too */ });
    }

    function openPanel() {
      open = true;
      panel.hidden = false;
      bell.setAttribute("aria-expanded", "true");
      list.setAttribute("aria-busy", "true");
      json(bell.dataset.latestUrl).then(function (data) {
        list.innerHTML = data.html;
        window.Fanforge.localizeTimes(list);
        list.removeAttribute("aria-busy");
        showCount(data.label);
        markRead(data.unread_ids);
      }).catch(function () { window.location.href = bell.href; });
    }

    function closePanel(refocus) {
      if (!open) return;
      open = false;
      panel.hidden = true;
      bell.setAttribute("aria-expanded", "false");
      if (refocus) bell.focus();
    }

    bell.addEventListener("click", function (event) {
      // A new tab or window still opens the page.
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button) return;
      event.preventDefault();
      if (open) { closePanel(false); } else { openPanel(); }
    });
    bell.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); bell.click(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && open) {
        event.preventDefault();
        closePanel(true);
      }
    });
    document.addEventListener("click", function (event) {
      if (open && !panel.contains(event.target) && !bell.contains(event.target)) closePanel(false);
    });
    panel.addEventListener("focusout", function (event) {
      var to = event.relatedTarget;
      if (to && !panel.contains(to) && to !== bell) closePanel(false);
    });

    function refresh() {
      if (document.hidden || Date.now() - asked < REFRESH / 4) return;
      asked = Date.now();
      json(bell.dataset.unreadUrl).then(function (data) { showCount(data.label); })
        .catch(function () { /* next minute */ });
    }
    setInterval(refresh, REFRESH);
    document.addEventListener("visibilitychange", refresh);
    window.addEventListener("focus", refresh);
  });
})();
