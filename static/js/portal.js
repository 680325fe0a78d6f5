// Small behaviours without inline script, so a strict Content Security Policy can be used.
(function () {
  "use strict";

  // Live character counters for textareas with data-limit (a line break counts as one).
  document.querySelectorAll("textarea[data-limit]").forEach(function (area) {
    var limit = parseInt(area.dataset.limit, 10);
    var counter = document.createElement("div");
    counter.className = "form-text char-counter";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    function update() {
      var n = Array.from(area.value.replace(/\r\n/g, "\n")).length;
      counter.textContent = n + " / " + limit;
      counter.classList.toggle("text-danger", n > limit);
      counter.classList.toggle("fw-bold", n > limit);
    }
    area.addEventListener("input", update);
    update();
  });

  // Ask before irreversible steps: <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // One click, one submission: disable the clicked button while the page loads.
    if (button && !event.defaultPrevented) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });

  // Language selector submits on change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // "Select all" checkbox for bulk actions.
  document.querySelectorAll("input[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name='" + box.dataset.checkAll + "']").forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });

  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

// Countdown to a deadline: <div data-countdown="2024-04-12T23:59:59+08:00">. The server's text
// stays until the script runs; the server alone decides whether a submission is on time.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-countdown]");
  if (!nodes.length) { return; }
  var isEnglish = document.documentElement.lang === "en";
  function render(node) {
    var left = Math.floor((new Date(node.dataset.countdown).getTime() - Date.now()) / 1000);
    if (isNaN(left)) { return; }
    if (left <= 0) { node.textContent = isEnglish ? "Closed" : "已截止"; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600),
        m = Math.floor(left % 3600 / 60), s = left % 60;
    node.textContent = isEnglish
      ? d + "d " + h + "h " + m + "m " + s + "s left"
      : "距截止还有 " + d + " 天 " + h + " 小时 " + m + " 分 " + s + " 秒";
  }
  function tick() { nodes.forEach(render); }
  tick();
  window.setInterval(tick, 1000);
})();

// Uploads with a progress bar: <form data-upload-progress data-upload-target="#cell"> is sent with
// XHR and the server's HTML for the stored file replaces the target's content, so the page is not
// reloaded and nothing typed elsewhere on it is lost. A refusal is shown next to the field.
(function () {
  "use strict";
  var isEnglish = document.documentElement.lang === "en";
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData) { return; }
      event.preventDefault();
      var bar = form.querySelector("progress");
      var error = form.querySelector(".upload-error");
      var status = form.querySelector(".upload-status");
      var button = form.querySelector("button[type=submit], button:not([type])");
      var target = form.dataset.uploadTarget ? document.querySelector(form.dataset.uploadTarget) : null;
      function done() {
        if (bar) { bar.classList.add("d-none"); }
        if (button) { button.disabled = false; }
      }
      function fail(message) {
        if (error) { error.textContent = message; }
        done();
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (bar && e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); }
      });
      xhr.addEventListener("load", function () {
        var result = {};
        try { result = JSON.parse(xhr.responseText); } catch (ignore) { result = {}; }
        if (xhr.status === 200 && result.ok) {
          if (target && typeof result.html === "string") { target.innerHTML = result.html; }
          form.reset();
          if (status) { status.textContent = result.message || ""; }
          done();
        } else {
          fail(result.error || (isEnglish ? "Upload failed." : "上传失败，请重试。"));
        }
      });
      xhr.addEventListener("error", function () {
        fail(isEnglish ? "Upload failed." : "上传失败，请检查网络后重试。");
      });
      if (error) { error.textContent = ""; }
      if (status) { status.textContent = ""; }
      if (bar) { bar.value = 0; bar.classList.remove("d-none"); }
      if (button) { button.disabled = true; }
      xhr.send(new FormData(form));
    });
  });
})();

// Table forms (<div data-formset="prefix">, see includes/_formset_table.html): "增加一行" copies the
// empty row from its <template> and counts it in TOTAL_FORMS; "删除" ticks the row's DELETE box and
// hides the row, with an undo. Nothing is saved until the form is; without this script the blank
// rows and the 删除 boxes still work.
(function () {
  "use strict";
  var isEnglish = document.documentElement.lang === "en";
  var text = isEnglish
    ? { remove: "Remove", removeRow: "Remove this row", undo: "Undo", removed: "Row removed; saved with the form.",
        removedMany: "%n rows removed; saved with the form.", added: "Row added.", restored: "Row restored.", full: "No more rows can be added.",
        help: "Use “Add a row” and “Remove”; changes are kept when you save." }
    : { remove: "删除", removeRow: "删除此行", undo: "撤销", removed: "已删除一行，保存后生效。",
        removedMany: "已删除 %n 行，保存后生效。", added: "已增加一行。", restored: "已恢复该行。", full: "行数已达上限。",
        help: "点“增加一行”添加，点“删除”去掉一行；保存后生效。" };

  document.querySelectorAll("[data-formset]").forEach(function (box) {
    var prefix = box.dataset.formset;
    var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = box.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var body = box.querySelector("tbody");
    var template = box.querySelector("template[data-formset-empty]");
    var add = box.querySelector("[data-formset-add]");
    var status = box.querySelector("[data-formset-status]");
    var help = box.querySelector("[data-formset-help]");
    if (!total || !body || !template || !add) { return; }
    var removed = [];

    function say(message, undo, quiet) {
      status.textContent = message + " ";
      if (undo) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-link btn-sm p-0 align-baseline";
        button.textContent = text.undo;
        button.addEventListener("click", function () {
          var last = removed.pop();
          if (!last) { return; }
          last.box.checked = false;
          last.row.hidden = false;
          say(text.restored, removed.length > 0);
          var field = last.row.querySelector("input:not([type=hidden]):not(.d-none), select, textarea");
          if (field) { field.focus(); }
        });
        status.appendChild(button);
        if (!quiet) { button.focus(); }
      }
    }

    function enhance(row) {
      var deleteBox = row.querySelector("input[type=checkbox][name$='-DELETE']");
      if (!deleteBox || deleteBox.dataset.enhanced) { return; }
      deleteBox.dataset.enhanced = "1";
      var cell = deleteBox.closest("td");
      cell.querySelectorAll("label, input[type=checkbox]").forEach(function (node) { node.classList.add("d-none"); });
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-danger btn-sm";
      button.textContent = text.remove;
      button.setAttribute("aria-label", text.removeRow);
      button.dataset.formsetRemove = "";
      button.addEventListener("click", function () {
        deleteBox.checked = true;
        row.hidden = true;
        removed.push({ row: row, box: deleteBox });
        say(text.removed, true);
      });
      cell.appendChild(button);
      // Back after a refused save: a row removed before stays removed (its box is still ticked), and can be undone.
      if (deleteBox.checked) {
        row.hidden = true;
        removed.push({ row: row, box: deleteBox });
      }
    }

    body.querySelectorAll("tr[data-formset-row]").forEach(enhance);
    if (removed.length === 1) { say(text.removed, true, true); }
    if (removed.length > 1) { say(text.removedMany.replace("%n", String(removed.length)), true, true); }
    add.hidden = false;
    if (help) { help.textContent = text.help; }
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) { say(text.full, false); return; }
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("tr");
      body.appendChild(row);
      total.value = String(index + 1);
      enhance(row);
      say(text.added, false);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
  });
})();

// The objection form (notices): show only the fieldset of the chosen objector kind. Without this
// script both fieldsets show, and the server uses the chosen kind's fields only.
(function () {
  "use strict";
  document.querySelectorAll("form[data-kind-form]").forEach(function (form) {
    var radios = form.querySelectorAll("input[name='kind']");
    function update() {
      var chosen = form.querySelector("input[name='kind']:checked");
      form.querySelectorAll("fieldset[data-kind]").forEach(function (set) {
        set.hidden = !!chosen && set.dataset.kind !== chosen.value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });
})();
