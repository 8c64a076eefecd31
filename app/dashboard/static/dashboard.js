/* pentrack dashboard: reads /api/v1/summaries with the session cookie and draws each panel.

   Every load has a number; only the latest load may write to the page, and starting a new load
   aborts the older requests, so a slow earlier answer never replaces a newer filter's figures. */
(function () {
  "use strict";
  var AA = "108-24-7";
  var API = "/api/v1/summaries/";
  var MAX_ROWS = 500;
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  var META = data("table-meta");
  var STR = data("strings");
  var COUNTRIES = data("country-names");
  var HEADLINE = data("headline-sources");
  var LANG = document.documentElement.lang || "en";
  var form = document.getElementById("filters");
  var statusLine = document.getElementById("status");
  var charts = {};
  var latest = 0;
  var inflight = null;
  var numberFormat = new Intl.NumberFormat(LANG, { maximumFractionDigits: 1, numberingSystem: "latn" });
  var shareFormat = new Intl.NumberFormat(LANG, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1, numberingSystem: "latn" });
  var PALETTE = ["#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#be123c", "#0e7490", "#4d7c0f"];

  function t(key) { return STR[key] || key; }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function field(id) { return document.getElementById(id); }
  function countryName(code) { return COUNTRIES[code] ? COUNTRIES[code] + " (" + code + ")" : code; }

  function byYear() { return field("f-year").value !== ""; }

  function params() {
    var p = new URLSearchParams();
    if (byYear()) { p.set("year", field("f-year").value); } else {
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

  /* What the filters say, in words: "2026 · Acetic anhydride · importing country: Pakistan (PK)". */
  function describe(query) {
    var parts = [];
    if (query.has("year")) { parts.push(query.get("year")); }
    else { parts.push(fill(t("{from} to {to}"), { from: query.get("from") || "…", to: query.get("to") || "…" })); }
    var substance = field("f-substance");
    parts.push(query.has("substance") ? substance.options[substance.selectedIndex].text : t("All substances"));
    [["exporting_country", "exporting country"], ["importing_country", "importing country"], ["transit_country", "transit country"]].forEach(function (pair) {
      if (query.has(pair[0])) { parts.push(t(pair[1]) + ": " + countryName(query.get(pair[0]))); }
    });
    if (query.has("region")) { var region = field("f-region"); parts.push(t("region") + ": " + region.options[region.selectedIndex].text); }
    return parts.join(" · ");
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
    field("f-from").disabled = byYear();
    field("f-to").disabled = byYear();
  }

  function syncAA() {
    field("f-aa").setAttribute("aria-pressed", field("f-substance").value === AA ? "true" : "false");
  }

  function fmt(value, kind) {
    if (value === null || value === undefined) { return "—"; }
    if (kind === "share") { return shareFormat.format(value); }
    if (typeof value === "number") { return numberFormat.format(value); }
    if (Array.isArray(value)) { return value.join(", "); }
    if (typeof value === "boolean") { return value ? t("yes") : t("no"); }
    return String(value);
  }

  function getJSON(name, query, signal) {
    return fetch(API + name + "?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" }, signal: signal })
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
    p.set("lang", LANG);
    return API + summary + "/export?" + p.toString();
  }

  function tableHeader(meta, summary, table, rows, query) {
    var header = document.createElement("header");
    var title = document.createElement("h3");
    title.textContent = meta.title + " (" + numberFormat.format(rows.length) + ")";
    header.appendChild(title);
    if (rows.length > MAX_ROWS) {
      var cut = document.createElement("p");
      cut.className = "cut";
      cut.textContent = fill(t("The first {shown} of {all} rows are shown; download the table for all of them."),
        { shown: numberFormat.format(MAX_ROWS), all: numberFormat.format(rows.length) });
      header.appendChild(cut);
    }
    var links = document.createElement("span");
    links.className = "exports";
    ["csv", "xlsx"].forEach(function (format) {
      var a = document.createElement("a");
      a.href = exportLink(summary, table, format, query);
      a.textContent = format.toUpperCase();
      a.setAttribute("download", "");
      a.dataset.export = format;
      a.setAttribute("aria-label", meta.title + ": " + t("download") + " " + format.toUpperCase());
      links.appendChild(a);
    });
    header.appendChild(links);
    return header;
  }

  function renderTable(container, summary, table, rows, query) {
    var meta = META[summary + "." + table];
    var block = document.createElement("div");
    block.className = "table-block";
    block.dataset.table = table;
    block.appendChild(tableHeader(meta, summary, table, rows, query));
    if (!rows.length) {
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = t("Nothing in this period and scope.");
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
    rows.slice(0, MAX_ROWS).forEach(function (row) {
      var r = document.createElement("tr");
      meta.columns.forEach(function (column) {
        var td = document.createElement("td");
        var value = row[column[0]];
        if (column[0] === "country_name" && COUNTRIES[row.country]) { value = COUNTRIES[row.country]; }
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

  /* counts: whole-number ticks only (no "0.1 PEN"). */
  function drawChart(id, type, labels, datasets, stacked, counts) {
    if (charts[id]) { charts[id].destroy(); }
    var canvas = document.getElementById(id);
    if (!window.Chart || !canvas) { return; }
    var rtl = document.documentElement.dir === "rtl";
    charts[id] = new window.Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: datasets.map(function (d, i) {
          return Object.assign({ backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length] }, d);
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: LANG,
        plugins: { legend: { rtl: rtl, labels: { font: { size: 13 } } }, tooltip: { rtl: rtl } },
        scales: {
          x: { stacked: !!stacked, reverse: rtl, ticks: { font: { size: 12 }, autoSkip: false, maxRotation: 90 } },
          y: { stacked: !!stacked, beginAtZero: true, position: rtl ? "right" : "left", ticks: { font: { size: 12 }, precision: counts ? 0 : undefined } }
        }
      }
    });
  }

  function countries(rows) { return rows.map(function (r) { return r.country; }); }

  var CHARTS = {
    pens: function (s) {
      var top = s.by_exporting_country.slice(0, 15);
      drawChart("chart-pens", "bar", countries(top), [
        { label: t("PENs sent"), data: top.map(function (r) { return r.pens; }) }
      ], false, true);
    },
    replies: function (s) {
      var top = s.by_importing_country.slice(0, 15);
      var keys = ["no_objection", "objection", "information_requested", "unanswered", "awaiting"];
      drawChart("chart-replies", "bar", countries(top), keys.map(function (k) {
        return { label: t(k), data: top.map(function (r) { return r[k]; }) };
      }), true, true);
    },
    shipments: function (s) {
      drawChart("chart-shipments", "bar", s.by_status.map(function (r) { return t(r.status); }), [
        { label: t("Shipments"), data: s.by_status.map(function (r) { return r.shipments; }) }
      ], false, true);
    },
    flags: function (s) {
      drawChart("chart-flags", "bar", s.by_severity.map(function (r) { return t(r.severity); }), [
        { label: t("confirmed"), data: s.by_severity.map(function (r) { return r.confirmed; }) },
        { label: t("dismissed"), data: s.by_severity.map(function (r) { return r.dismissed; }) },
        { label: t("Not decided"), data: s.by_severity.map(function (r) { return r.flags - r.confirmed - r.dismissed; }) }
      ], true, true);
    },
    "region-flows": function (s) {
      drawChart("chart-region-flows", "bar", s.by_month.map(function (r) { return r.month; }), [
        { label: t("Notified (kg)"), data: s.by_month.map(function (r) { return r.pen_kg; }) },
        { label: t("Shipped (kg)"), data: s.by_month.map(function (r) { return r.shipment_kg; }) }
      ], false, false);
    },
    incidents: function (s) {
      drawChart("chart-incidents", "bar", s.by_kind.map(function (r) { return t(r.kind); }), [
        { label: t("Incidents"), data: s.by_kind.map(function (r) { return r.incidents; }) }
      ], false, true);
    },
    backtracking: function (s) {
      var top = s.by_addressed_country.slice(0, 15);
      drawChart("chart-backtracking", "bar", countries(top), [
        { label: t("Answered"), data: top.map(function (r) { return r.answered; }) },
        { label: t("Open, not overdue"), data: top.map(function (r) { return r.open - r.overdue; }) },
        { label: t("Overdue"), data: top.map(function (r) { return r.overdue; }) }
      ], true, true);
    },
    "pen-requirements": function (s) {
      drawChart("chart-pen-requirements", "bar", [t("Require PENs"), t("No licit need")], [
        { label: t("Governments"), data: [s.totals.governments_requiring_pens, s.totals.governments_no_licit_need] }
      ], false, true);
    }
  };

  /* The headline figures are totals of the panels' summaries (HEADLINE says which): the page
     reads them there rather than asking the server for the overview, which would compute them
     again. */
  function renderHeadline(summaries, placeholder) {
    document.querySelectorAll("[data-figure]").forEach(function (dd) {
      var source = HEADLINE[dd.dataset.figure];
      dd.textContent = summaries ? fmt(summaries[source[0]].totals[source[1]], dd.dataset.kind) : placeholder;
    });
  }

  function panels() { return Array.prototype.slice.call(document.querySelectorAll("[data-summary]")); }

  function renderTables(panel, summary, query) {
    var name = panel.dataset.summary;
    var container = panel.querySelector(".tables");
    container.textContent = "";
    container.dataset.tables.split(" ").forEach(function (table) {
      renderTable(container, name, table, summary[table], query);
    });
  }

  /* The chart first, then the tables: a chart measures its box when it is drawn, which makes the
     browser lay the page out; laid out before this panel's tables (hundreds of rows), that is
     cheap (tables off the screen are not laid out: content-visibility in dashboard.css). */
  function renderPanel(panel, summary, query) {
    CHARTS[panel.dataset.summary](summary);
    renderTables(panel, summary, query);
  }

  /* Chart.js is loaded after this script, so that the summaries are asked for before the
     browser reads it; a panel is drawn once both its answer and Chart.js are there. */
  var chartsLoaded = new Promise(function (resolve) {
    if (document.readyState !== "loading") { resolve(); return; }
    document.addEventListener("DOMContentLoaded", function () { resolve(); });
  });

  /* Nothing on the page may show figures of a period or filter that is not the one asked for. */
  function clearFigures(message, headline) {
    renderHeadline(null, headline || "—");
    panels().forEach(function (panel) {
      var container = panel.querySelector(".tables");
      container.textContent = "";
      var p = document.createElement("p");
      p.className = "empty";
      p.textContent = message;
      container.appendChild(p);
      var canvas = panel.querySelector("canvas");
      if (charts[canvas.id]) { charts[canvas.id].destroy(); delete charts[canvas.id]; }
    });
  }

  function showError(message) {
    statusLine.className = "status error";
    statusLine.textContent = message;
    document.body.dataset.state = "error";
    clearFigures(t("Not shown: the filters are not valid."));
  }

  function setReportLinks(query) {
    var report = new URLSearchParams(query);
    if (!report.get("substance")) { report.set("substance", AA); }
    report.set("lang", LANG);
    report.set("format", "xlsx");
    field("report-xlsx").href = API + "annual-report?" + report.toString();
    report.set("format", "html");
    field("report-html").href = API + "annual-report?" + report.toString();
    var formD = new URLSearchParams(query);
    formD.set("format", "xlsx");
    formD.set("lang", LANG);
    field("report-form-d").href = API + "form-d?" + formD.toString();
  }

  function keepFiltersAcrossLanguages(query) {
    document.querySelectorAll(".languages a[hreflang]").forEach(function (a) {
      var p = new URLSearchParams(query);
      p.set("lang", a.getAttribute("hreflang"));
      a.href = "?" + p.toString();
    });
  }

  /* The period the form asks for, or why it cannot be loaded yet. */
  function periodProblem() {
    if (byYear()) { return null; }
    var from = field("f-from").value, to = field("f-to").value;
    if (!from && !to) { return "wait"; }
    if (from && to && from > to) { return fill(t("The first day ({from}) is after the last day ({to})."), { from: from, to: to }); }
    return null;
  }

  function load() {
    var problem = periodProblem();
    if (problem === "wait") {
      latest += 1;
      if (inflight) { inflight.abort(); inflight = null; }
      statusLine.className = "status";
      statusLine.textContent = t("Choose the first and last day of the period.");
      document.body.dataset.state = "waiting";
      clearFigures(t("Choose the first and last day of the period."));
      return Promise.resolve();
    }
    if (problem) {
      latest += 1;
      if (inflight) { inflight.abort(); inflight = null; }
      showError(problem);
      return Promise.resolve();
    }
    var query = params();
    var mine = ++latest;
    if (inflight) { inflight.abort(); }
    var controller = new AbortController();
    inflight = controller;
    history.replaceState(null, "", "?" + query.toString());
    setReportLinks(query);
    keepFiltersAcrossLanguages(query);
    statusLine.className = "status";
    statusLine.textContent = t("Loading…");
    document.body.dataset.state = "loading";
    /* Each panel is drawn as soon as its own answer arrives (the slowest summary holds back only
       its own panel); so that no panel shows another filter's figures meanwhile, every panel is
       emptied first. The headline needs every answer: it is filled last. */
    clearFigures(t("Loading…"), "…");
    var byName = {};
    var jobs = panels().map(function (panel) {
      var name = panel.dataset.summary;
      return Promise.all([getJSON(name, query, controller.signal), chartsLoaded]).then(function (answer) {
        if (mine !== latest) { return; }
        byName[name] = answer[0];
        renderPanel(panel, answer[0], query);
      });
    });
    return Promise.all(jobs).then(function () {
      if (mine !== latest) { return; }
      renderHeadline(byName);
      statusLine.textContent = fill(t("Showing {filters}."), { filters: describe(query) });
      document.body.dataset.state = "ready";
      document.body.dataset.query = query.toString();
      inflight = null;
    }).catch(function (error) {
      if (mine !== latest || error.name === "AbortError") { return; }
      inflight = null;
      showError(t("Could not load:") + " " + error.message);
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  field("f-year").addEventListener("change", function () {
    syncPeriod();
    if (!byYear()) { field("f-from").focus(); }
    load();
  });
  ["f-from", "f-to"].forEach(function (id) { field(id).addEventListener("change", load); });
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
