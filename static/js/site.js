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
