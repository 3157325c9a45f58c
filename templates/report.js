// Filters, search, sorting, expand/collapse, links that filter the findings
// and the view by resource, on top of a page that reads fine without this
// script. Only the DOM: no network, no storage, no eval.
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
  var onlyNote = doc.getElementById("only-checks");
  var onlyChecks = null; // check ids a link restricted the findings to
  var texts = null; // lower-cased row text, built on the first search
  // The row filters are one rule in a style sheet of their own, keyed on the
  // rows' data attributes: changing a filter changes that rule, not a class
  // on each of a hundred thousand rows. Only the search marks rows.
  var filterSheet = doc.getElementById("row-filters").sheet;
  var rowRule = "";
  function setRowRule(wanted) {
    var selectors = Object.keys(wanted).filter(function (key) { return wanted[key]; }).map(function (key) {
      return "#groups tbody tr:not([data-" + key + "=\"" + CSS.escape(wanted[key]) + "\"])";
    });
    var rule = selectors.length ? selectors.join(", ") + " { display: none; }" : "";
    // A changed style sheet restyles the page: only when the rule changes.
    if (rule === rowRule) { return; }
    while (filterSheet.cssRules.length) { filterSheet.deleteRule(0); }
    if (rule) { filterSheet.insertRule(rule, 0); }
    rowRule = rule;
  }

  // Each group's rows and what the filters read of them, read once: at a
  // hundred thousand rows the DOM is walked for nothing else.
  var rowsOf = null;
  function index() {
    if (rowsOf) { return; }
    rowsOf = groups.map(function (group) {
      return Array.prototype.map.call(group.querySelectorAll("tbody tr"), function (row) {
        var data = row.dataset;
        return { row: row, status: data.status, region: data.region, account: data.account, change: data.change || "", hidden: false };
      });
    });
  }

  function value(key) {
    var select = form.querySelector("select[data-key=" + key + "]");
    return select ? select.value : "";
  }

  function apply() {
    index();
    var status = value("status"), severity = value("severity"), service = value("service");
    var region = value("region"), account = value("account"), framework = value("framework"), change = value("change");
    var needle = search.value.trim().toLowerCase();
    if (needle && !texts) { texts = new Map(); }
    var filtering = status || region || account || change || needle;
    setRowRule({ status: status, region: region, account: account, change: change });
    var visible = 0, total = 0;
    groups.forEach(function (group, g) {
      var groupMatch = (!severity || group.dataset.severity === severity) &&
        (!service || group.dataset.service === service) &&
        (!onlyChecks || onlyChecks.indexOf(group.id.slice(6)) >= 0) &&
        (!framework || (" " + group.dataset.frameworks + " ").indexOf(" " + framework + " ") >= 0);
      var rows = rowsOf[g];
      total += rows.length;
      // A group the filters leave out is hidden whole; its rows wait.
      if (!groupMatch) { group.classList.add("hide"); return; }
      var inGroup = 0;
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        var match = (!filtering ||
          ((!status || r.status === status) && (!region || r.region === region) &&
           (!account || r.account === account) && (!change || r.change === change)));
        // The search marks the rows it leaves out; the rule above hides the rest.
        var found = true;
        if (needle) {
          var text = texts.get(r.row);
          if (text === undefined) { text = r.row.textContent.toLowerCase(); texts.set(r.row, text); }
          found = text.indexOf(needle) >= 0;
        }
        // Only rows whose state changes are touched.
        if (r.hidden === found) { r.row.classList.toggle("hide", !found); r.hidden = !found; }
        if (match && found) { inGroup++; }
      }
      visible += inGroup;
      group.classList.toggle("hide", filtering && inGroup === 0);
    });
    shown.textContent = visible + " of " + total + " findings shown";
  }

  var timer = null;
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  selects.forEach(function (select) { select.addEventListener("change", apply); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  function restrict(checks) {
    onlyChecks = checks;
    onlyNote.hidden = !checks;
    onlyNote.firstElementChild.textContent = checks ? "Only the checks " + checks.join(", ") + "." : "";
  }
  doc.getElementById("all-checks").addEventListener("click", function () { restrict(null); apply(); });

  // A link with data-filter ("status=FAIL&checks=a b", "account=1234…")
  // sets the findings' filters to it, clearing the others.
  doc.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-filter]");
    if (!link) { return; }
    var params = new URLSearchParams(link.dataset.filter);
    selects.forEach(function (select) {
      var wanted = params.get(select.dataset.key) || "";
      select.value = Array.prototype.some.call(select.options, function (o) { return o.value === wanted; }) ? wanted : "";
    });
    search.value = "";
    restrict(params.get("checks") ? params.get("checks").split(" ") : null);
    apply();
    groups.forEach(function (group) { if (!group.classList.contains("hide")) { group.open = true; } });
  });

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

  // The view by resource (#r-N, from a finding's resource link): every
  // finding on the resource of finding N, whatever its check, FAIL first.
  var resource = doc.getElementById("resource");
  var order = { FAIL: 0, ERROR: 1, MUTED: 2, PASS: 3 };
  function arnOf(row) {
    var cell = row.cells[3];
    var small = cell.querySelector("small");
    return (small && small.textContent) || cell.querySelector("b").textContent;
  }
  function showResource() {
    var match = /^#r-(\d+)$/.exec(location.hash);
    var origin = match && doc.getElementById("f-" + match[1]);
    if (!origin) { return; }
    index();
    var arn = arnOf(origin), account = origin.dataset.account, found = [];
    rowsOf.forEach(function (rows, g) {
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        if (r.account === account && arnOf(r.row) === arn) { found.push({ r: r, group: groups[g] }); }
      }
    });
    found.sort(function (a, b) { return order[a.r.status] - order[b.r.status]; });
    var body = doc.getElementById("resource-body");
    body.textContent = "";
    var lede = doc.createElement("p");
    var failing = found.filter(function (f) { return f.r.status === "FAIL"; }).length;
    lede.textContent = origin.cells[3].querySelector("b").textContent + " (" + arn + ", account " + account + "): " +
      failing + " failing check" + (failing === 1 ? "" : "s") + ", " + found.length + " finding" + (found.length === 1 ? "" : "s") + " in all.";
    body.appendChild(lede);
    var table = doc.createElement("table");
    table.className = "rows resource-findings";
    table.innerHTML = "<thead><tr><th scope=\"col\">Status</th><th scope=\"col\">Severity</th><th scope=\"col\">Check</th><th scope=\"col\">Region</th><th scope=\"col\">Message</th></tr></thead><tbody></tbody>";
    found.forEach(function (f) {
      var tr = table.tBodies[0].insertRow();
      tr.dataset.check = f.group.id.slice(6);
      tr.dataset.status = f.r.status;
      tr.insertCell().appendChild(f.r.row.cells[0].querySelector(".status").cloneNode(true));
      tr.insertCell().appendChild(f.group.querySelector("summary .sev").cloneNode(true));
      var link = doc.createElement("a");
      link.href = "#" + f.r.row.id;
      link.textContent = f.group.querySelector("summary strong").textContent + " (" + f.group.id.slice(6) + ")";
      tr.insertCell().appendChild(link);
      tr.insertCell().textContent = f.r.region;
      tr.insertCell().textContent = f.r.row.cells[4].textContent;
    });
    body.appendChild(table);
    resource.hidden = false;
    doc.getElementById("resource-title").textContent = "Resource " + origin.cells[3].querySelector("b").textContent;
    doc.getElementById("resource-title").focus();
    resource.scrollIntoView();
  }
  // A finding's row opens when a link leads to it.
  function openTarget() {
    var target = /^#f-\d+$/.test(location.hash) && doc.getElementById(location.hash.slice(1));
    if (target) { target.closest("details").open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", function () { showResource(); openTarget(); });
  // Read the rows once the page is up, before the first filter needs them.
  window.addEventListener("load", function () { setTimeout(index, 0); });
  showResource();

  shown.textContent = container.querySelectorAll("tbody tr").length + " findings";
})();
