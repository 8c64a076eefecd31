/* pentrack dashboard: reads /api/v1/summaries with the session cookie and draws each panel. */
(function () {
  "use strict";
  var AA = "108-24-7";
  var API = "/api/v1/summaries/";
  var META = JSON.parse(document.getElementById("table-meta").textContent);
  var form = document.getElementById("filters");
  var statusLine = document.getElementById("status");
  var charts = {};
  var numberFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });
  var PALETTE = ["#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#be123c", "#0e7490", "#4d7c0f"];

  function field(id) { return document.getElementById(id); }

  function params() {
    var p = new URLSearchParams();
    var year = field("f-year").value;
    if (year) { p.set("year", year); } else {
      if (field("f-from").value) { p.set("from", field("f-from").value); }
      if (field("f-to").value) { p.set("to", field("f-to").value); }
    }
    [["f-substance", "substance"], ["f-exporting", "exporting_country"], ["f-importing", "importing_country"],
     ["f-transit", "transit_country"], ["f-region", "region"]].forEach(function (pair) {
      var value = field(pair[0]).value.trim();
      if (value) { p.set(pair[1], pair[1].indexOf("country") >= 0 ? value.toUpperCase() : value); }
    });
    return p;
  }

  function restore() {
    var p = new URLSearchParams(window.location.search);
    if (p.has("year")) { field("f-year").value = p.get("year"); }
    else if (p.has("from") || p.has("to")) { field("f-year").value = ""; }
    field("f-from").value = p.get("from") || "";
    field("f-to").value = p.get("to") || "";
    field("f-substance").value = p.get("substance") || "";
    field("f-exporting").value = p.get("exporting_country") || "";
    field("f-importing").value = p.get("importing_country") || "";
    field("f-transit").value = p.get("transit_country") || "";
    field("f-region").value = p.get("region") || "";
    syncPeriod();
    syncAA();
  }

  function syncPeriod() {
    var byYear = field("f-year").value !== "";
    field("f-from").disabled = byYear;
    field("f-to").disabled = byYear;
  }

  function syncAA() {
    field("f-aa").setAttribute("aria-pressed", field("f-substance").value === AA ? "true" : "false");
  }

  function fmt(value, kind) {
    if (value === null || value === undefined) { return "—"; }
    if (kind === "share") { return (value * 100).toFixed(1) + "%"; }
    if (typeof value === "number") { return numberFormat.format(value); }
    if (Array.isArray(value)) { return value.join(", "); }
    if (typeof value === "boolean") { return value ? "yes" : "no"; }
    return String(value);
  }

  function getJSON(name, query) {
    return fetch(API + name + "?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            var detail = body && body.detail ? body.detail : response.statusText;
            throw new Error(detail);
          }
          return body;
        });
      });
  }

  function exportLink(summary, table, format, query) {
    var p = new URLSearchParams(query);
    p.set("table", table);
    p.set("format", format);
    return API + summary + "/export?" + p.toString();
  }

  function renderTable(container, summary, table, rows, query) {
    var meta = META[summary + "." + table];
    var block = document.createElement("div");
    block.className = "table-block";
    block.dataset.table = table;
    var header = document.createElement("header");
    var title = document.createElement("h3");
    title.textContent = meta.title + " (" + rows.length + ")";
    header.appendChild(title);
    var links = document.createElement("span");
    links.className = "exports";
    ["csv", "xlsx"].forEach(function (format) {
      var a = document.createElement("a");
      a.href = exportLink(summary, table, format, query);
      a.textContent = format.toUpperCase();
      a.setAttribute("download", "");
      a.dataset.export = format;
      a.setAttribute("aria-label", meta.title + ": download " + format.toUpperCase());
      links.appendChild(a);
    });
    header.appendChild(links);
    block.appendChild(header);
    if (!rows.length) {
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = "Nothing in this period and scope.";
      block.appendChild(empty);
      container.appendChild(block);
      return;
    }
    var scroll = document.createElement("div");
    scroll.className = "scroll";
    scroll.tabIndex = 0;
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", meta.title);
    var tableEl = document.createElement("table");
    var thead = document.createElement("thead");
    var tr = document.createElement("tr");
    meta.columns.forEach(function (column) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = column[1];
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    tableEl.appendChild(thead);
    var tbody = document.createElement("tbody");
    rows.slice(0, 500).forEach(function (row) {
      var r = document.createElement("tr");
      meta.columns.forEach(function (column) {
        var td = document.createElement("td");
        var value = row[column[0]];
        var kind = /rate|share/.test(column[0]) ? "share" : null;
        td.textContent = fmt(value, kind);
        if (typeof value === "number") { td.className = "num"; }
        r.appendChild(td);
      });
      tbody.appendChild(r);
    });
    tableEl.appendChild(tbody);
    scroll.appendChild(tableEl);
    block.appendChild(scroll);
    container.appendChild(block);
  }

  function drawChart(id, type, labels, datasets, stacked) {
    if (charts[id]) { charts[id].destroy(); }
    var canvas = document.getElementById(id);
    if (!window.Chart || !canvas) { return; }
    charts[id] = new window.Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: datasets.map(function (d, i) {
          return Object.assign({ backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length] }, d);
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { labels: { font: { size: 13 } } } },
        scales: { x: { stacked: !!stacked, ticks: { font: { size: 12 } } }, y: { stacked: !!stacked, beginAtZero: true, ticks: { font: { size: 12 } } } }
      }
    });
  }

  var CHARTS = {
    pens: function (s) {
      var top = s.by_exporting_country.slice(0, 15);
      drawChart("chart-pens", "bar", top.map(function (r) { return r.country; }), [
        { label: "PENs sent", data: top.map(function (r) { return r.pens; }) }
      ]);
    },
    replies: function (s) {
      var top = s.by_importing_country.slice(0, 15);
      var keys = [["no_objection", "No objection"], ["objection", "Objection"], ["information_requested", "Information requested"], ["unanswered", "Unanswered"], ["awaiting", "Awaiting"]];
      drawChart("chart-replies", "bar", top.map(function (r) { return r.country; }), keys.map(function (k) {
        return { label: k[1], data: top.map(function (r) { return r[k[0]]; }) };
      }), true);
    },
    shipments: function (s) {
      drawChart("chart-shipments", "bar", s.by_status.map(function (r) { return r.status.replace("_", " "); }), [
        { label: "Shipments", data: s.by_status.map(function (r) { return r.shipments; }) }
      ]);
    },
    flags: function (s) {
      drawChart("chart-flags", "bar", s.by_severity.map(function (r) { return r.severity; }), [
        { label: "Confirmed", data: s.by_severity.map(function (r) { return r.confirmed; }) },
        { label: "Dismissed", data: s.by_severity.map(function (r) { return r.dismissed; }) },
        { label: "Not decided", data: s.by_severity.map(function (r) { return r.flags - r.confirmed - r.dismissed; }) }
      ], true);
    },
    "region-flows": function (s) {
      drawChart("chart-region-flows", "bar", s.by_month.map(function (r) { return r.month; }), [
        { label: "Notified (kg)", data: s.by_month.map(function (r) { return r.pen_kg; }) },
        { label: "Shipped (kg)", data: s.by_month.map(function (r) { return r.shipment_kg; }) }
      ]);
    },
    incidents: function (s) {
      drawChart("chart-incidents", "bar", s.by_kind.map(function (r) { return r.kind.replace("_", " "); }), [
        { label: "Incidents", data: s.by_kind.map(function (r) { return r.incidents; }) }
      ]);
    },
    backtracking: function (s) {
      var top = s.by_addressed_country.slice(0, 15);
      drawChart("chart-backtracking", "bar", top.map(function (r) { return r.country; }), [
        { label: "Answered", data: top.map(function (r) { return r.answered; }) },
        { label: "Open, not overdue", data: top.map(function (r) { return r.open - r.overdue; }) },
        { label: "Overdue", data: top.map(function (r) { return r.overdue; }) }
      ], true);
    },
    "pen-requirements": function (s) {
      drawChart("chart-pen-requirements", "bar", ["Require PENs", "No licit need"], [
        { label: "Governments", data: [s.totals.governments_requiring_pens, s.totals.governments_no_licit_need] }
      ]);
    }
  };

  function renderHeadline(overview) {
    document.querySelectorAll("[data-figure]").forEach(function (dd) {
      dd.textContent = fmt(overview[dd.dataset.figure], dd.dataset.kind);
    });
  }

  function load() {
    var query = params();
    history.replaceState(null, "", "?" + query.toString());
    var report = new URLSearchParams(query);
    if (!report.get("substance")) { report.set("substance", AA); }
    report.set("format", "xlsx");
    field("report-xlsx").href = API + "annual-report?" + report.toString();
    report.set("format", "html");
    field("report-html").href = API + "annual-report?" + report.toString();
    var formD = new URLSearchParams(query);
    formD.set("format", "xlsx");
    field("report-form-d").href = API + "form-d?" + formD.toString();
    statusLine.className = "status";
    statusLine.textContent = "Loading…";
    document.body.dataset.state = "loading";
    var panels = Array.prototype.slice.call(document.querySelectorAll("[data-summary]"));
    var jobs = [getJSON("overview", query).then(renderHeadline)];
    panels.forEach(function (panel) {
      var name = panel.dataset.summary;
      jobs.push(getJSON(name, query).then(function (summary) {
        var container = panel.querySelector(".tables");
        container.textContent = "";
        container.dataset.tables.split(" ").forEach(function (table) {
          renderTable(container, name, table, summary[table], query);
        });
        CHARTS[name](summary);
      }));
    });
    return Promise.all(jobs).then(function () {
      var f = query.toString().replace(/&/g, " · ").replace(/=/g, " ");
      statusLine.textContent = "Showing " + (f || "this year") + ".";
      document.body.dataset.state = "ready";
    }).catch(function (error) {
      statusLine.className = "status error";
      statusLine.textContent = "Could not load: " + error.message;
      document.body.dataset.state = "error";
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  field("f-year").addEventListener("change", function () { syncPeriod(); load(); });
  field("f-substance").addEventListener("change", function () { syncAA(); load(); });
  field("f-region").addEventListener("change", load);
  field("f-aa").addEventListener("click", function () {
    field("f-substance").value = field("f-substance").value === AA ? "" : AA;
    syncAA();
    load();
  });
  field("f-reset").addEventListener("click", function () {
    form.reset();
    syncPeriod();
    syncAA();
    load();
  });
  restore();
  load();
})();
