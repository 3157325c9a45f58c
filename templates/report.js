// Filters, search, sorting and expand/collapse on top of a page that reads
// fine without this script. Only the DOM: no network, no storage, no eval.
(function () {
  "use strict";
  var doc = document;
  doc.documentElement.classList.add("js");
  var form = doc.getElementById("filters");
  var container = doc.getElementById("groups");
  if (!form || !container) { return; }
  form.hidden = false;
  var groups = Array.prototype.slice.call(container.querySelectorAll("details.group"));
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-key]"));
  var search = doc.getElementById("q");
  var shown = doc.getElementById("shown");
  var texts = null; // lower-cased row text, built on the first search

  function value(id) { return doc.getElementById(id).value; }

  function apply() {
    var status = value("f-status"), severity = value("f-severity"), service = value("f-service");
    var region = value("f-region"), account = value("f-account"), framework = value("f-framework");
    var needle = search.value.trim().toLowerCase();
    if (needle && !texts) { texts = new Map(); }
    var visible = 0, total = 0;
    groups.forEach(function (group) {
      var groupMatch = (!severity || group.dataset.severity === severity) &&
        (!service || group.dataset.service === service) &&
        (!framework || (" " + group.dataset.frameworks + " ").indexOf(" " + framework + " ") >= 0);
      var rows = group.querySelectorAll("tbody tr");
      var inGroup = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        total++;
        var match = groupMatch &&
          (!status || row.dataset.status === status) &&
          (!region || row.dataset.region === region) &&
          (!account || row.dataset.account === account);
        if (match && needle) {
          var text = texts.get(row);
          if (text === undefined) { text = row.textContent.toLowerCase(); texts.set(row, text); }
          match = text.indexOf(needle) >= 0;
        }
        row.classList.toggle("hide", !match);
        if (match) { inGroup++; }
      }
      visible += inGroup;
      var filtering = status || region || account || needle;
      group.classList.toggle("hide", !groupMatch || (filtering && inGroup === 0));
    });
    shown.textContent = visible + " of " + total + " findings shown";
  }

  var timer = null;
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  selects.forEach(function (select) { select.addEventListener("change", apply); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  doc.getElementById("expand").addEventListener("click", function () {
    groups.forEach(function (group) { if (!group.classList.contains("hide")) { group.open = true; } });
  });
  doc.getElementById("collapse").addEventListener("click", function () {
    groups.forEach(function (group) { group.open = false; });
  });

  var original = groups.slice();
  doc.getElementById("sort").addEventListener("change", function (event) {
    var how = event.target.value;
    var sorted = original.slice();
    var num = function (group, key) { return Number(group.dataset[key]); };
    if (how === "severity") { sorted.sort(function (a, b) { return num(b, "rank") - num(a, "rank") || a.id.localeCompare(b.id); }); }
    if (how === "fail") { sorted.sort(function (a, b) { return num(b, "fail") - num(a, "fail") || a.id.localeCompare(b.id); }); }
    if (how === "id") { sorted.sort(function (a, b) { return a.id.localeCompare(b.id); }); }
    sorted.forEach(function (group) { container.appendChild(group); });
  });

  // Click a column header to sort that table's rows by it (again: reverse).
  container.addEventListener("click", function (event) {
    var th = event.target.closest("th[data-col]");
    if (!th) { return; }
    var tbody = th.closest("table").tBodies[0];
    var col = Number(th.dataset.col);
    var descending = th.dataset.dir === "asc";
    th.dataset.dir = descending ? "desc" : "asc";
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent, y = b.cells[col].textContent;
      return descending ? y.localeCompare(x) : x.localeCompare(y);
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
  });

  shown.textContent = container.querySelectorAll("tbody tr").length + " findings";
})();
