// icbt worksheets: save a draft every few seconds while typing, and keep the
// recall box (e.g. the hot thought) in step. The form works fully without this.
(function () {
  "use strict";
  var INTERVAL = 5000;
  // Messages come translated in the page (<body data-icbt-messages>, from base.html);
  // pybabel extracts the _() calls.
  function _(text) {
    var messages = {};
    try { messages = JSON.parse(document.body.getAttribute("data-icbt-messages") || "{}"); }
    catch (e) { messages = {}; }
    return messages[text] || text;
  }

  function recallText(form, source) {
    if (!source) { return ""; }
    var parts = source.split(":");
    if (parts.length === 1) {
      var el = form.elements[parts[0]];
      return el && el.value ? el.value.trim() : "";
    }
    var group = parts[0], field = parts[1];
    var picked = form.querySelector("input[name='" + group + "-pick']:checked");
    if (picked) {
      var hot = form.elements[group + "-" + picked.value + "-" + field];
      if (hot && hot.value.trim()) { return hot.value.trim(); }
    }
    for (var i = 0; i < 50; i++) {
      var row = form.elements[group + "-" + i + "-" + field];
      if (!row) { break; }
      if (row.value.trim()) { return row.value.trim(); }
    }
    return "";
  }

  function updateRecall(form) {
    var text = recallText(form, form.getAttribute("data-recall-source"));
    var boxes = form.querySelectorAll("[data-recall]");
    for (var i = 0; i < boxes.length; i++) {
      var target = boxes[i].querySelector("[data-recall-text]");
      if (target) { target.textContent = text; }
      boxes[i].hidden = !text;
    }
  }

  // Copy e.g. each feeling's name into the re-rating row below it, unless already typed there.
  function mirrorRows(form, event) {
    var spec = (form.getAttribute("data-mirror") || "").split(":");
    var target = event.target;
    if (spec.length !== 3 || !target || !target.name) { return; }
    var match = new RegExp("^" + spec[0] + "-(\\d+)-" + spec[2] + "$").exec(target.name);
    if (!match) { return; }
    var copy = form.elements[spec[1] + "-" + match[1] + "-" + spec[2]];
    if (copy && (!copy.value || copy.getAttribute("data-mirrored") === copy.value)) {
      copy.value = target.value;
      copy.setAttribute("data-mirrored", target.value);
    }
  }

  function setup(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector("[data-autosave-status]");
    var dirty = false, busy = false, submitting = false;

    function say(text) { if (status) { status.textContent = text; } }

    function save() {
      if (!dirty || busy || submitting || !window.fetch || !window.FormData) { return; }
      busy = true;
      dirty = false;
      var data = new FormData(form);
      data.delete("action");
      fetch(url, { method: "POST", body: data, credentials: "same-origin",
                   headers: { "Accept": "application/json" }, redirect: "manual" })
        .then(function (resp) {
          var type = resp.headers.get("Content-Type") || "";
          if (!resp.ok || type.indexOf("application/json") === -1) { throw new Error("not saved"); }
          return resp.json();
        })
        .then(function (body) {
          if (body && body.saved) { say(_("Draft saved at %(time)s").replace("%(time)s", body.at)); }
          else { throw new Error("not saved"); }
        })
        .catch(function () {
          dirty = true;
          say(_("Not saved yet. The Save draft button keeps your work."));
        })
        .then(function () { busy = false; });
    }

    form.addEventListener("input", function (event) {
      dirty = true;
      mirrorRows(form, event);
      updateRecall(form);
    });
    form.addEventListener("change", function () { dirty = true; updateRecall(form); });
    form.addEventListener("submit", function () { submitting = true; });
    window.setInterval(save, INTERVAL);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(); }
    });
    updateRecall(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-autosave-url]");
    for (var i = 0; i < forms.length; i++) { setup(forms[i]); }
  });
})();
