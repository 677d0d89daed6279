// Staff forms, progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  function getJSON(url, params) {
    var query = Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
    return fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + query,
                 { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); });
  }

  function debounced(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  // A slug left empty is made from the name on the server (community/kernel/slugs.py):
  // the field shows, as its placeholder, the slug the name makes while staff type.
  function slugPreview(slug) {
    var name = document.getElementById(slug.dataset.slugFrom);
    if (!name) return;
    var seq = 0;
    name.addEventListener("input", debounced(function () {
      var mine = ++seq, text = name.value.trim();
      if (!text) { slug.placeholder = ""; return; }
      getJSON(slug.dataset.slugUrl, { name: text })
        .then(function (data) { if (mine === seq) slug.placeholder = data.slug; })
        .catch(function () { /* the server makes it anyway */ });
    }, 250));
  }

  // The idea picker (templates/_macros/idea_picker.html): search ideas by title, pick one,
  // and its number goes into the field; without script the field takes a number typed.
  function ideaPicker(box) {
    var search = box.querySelector("input[type=search]");
    var list = box.querySelector(".picker-results");
    var target = document.getElementById(box.dataset.pickerFor);
    if (!search || !list || !target) return;
    box.hidden = false;
    var seq = 0;
    function pick(idea) {
      if (box.dataset.pickerMany !== undefined && target.value.trim()) {
        var parts = target.value.split(",").map(function (p) { return p.trim(); }).filter(Boolean);
        if (parts.indexOf(String(idea.id)) < 0) parts.push(String(idea.id));
        target.value = parts.join(", ");
      } else {
        target.value = idea.id;
      }
      list.textContent = "";
      search.value = "";
      target.focus();
    }
    search.addEventListener("input", debounced(function () {
      var mine = ++seq, q = search.value.trim();
      if (q.length < 1) { list.textContent = ""; return; }
      getJSON(box.dataset.pickerUrl, { q: q }).then(function (data) {
        if (mine !== seq) return;
        list.textContent = "";
        data.items.forEach(function (idea) {
          var li = document.createElement("li"), button = document.createElement("button");
          button.type = "button";
          button.className = "link";
          button.setAttribute("data-testid", "picker-idea");
          button.textContent = "#" + idea.id + " " + idea.title;
          button.addEventListener("click", function () { pick(idea); });
          li.appendChild(button);
          list.appendChild(li);
        });
        if (!data.items.length) {
          var none = document.createElement("li");
          none.className = "muted";
          none.textContent = box.dataset.pickerNone;
          list.appendChild(none);
        }
      }).catch(function () { list.textContent = ""; });
    }, 250));
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.fetch) return;
    document.querySelectorAll("input[data-slug-from]").forEach(slugPreview);
    document.querySelectorAll("[data-picker-for]").forEach(ideaPicker);
  });
})();
