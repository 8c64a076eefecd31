// An entity's links drawn with the vendored cytoscape.js: the page reads the same
// /api/v1/entities/{id}/links as any client (the session cookie authenticates it).
"use strict";

(function () {
  const section = document.getElementById("entity-graph");
  const status = document.getElementById("graph-status");
  const entityId = section.dataset.entity;
  const depth = section.dataset.depth;
  const COLOURS = {
    entity: "#6a1b9a",
    operator: "#1565c0",
    pre_export_notification: "#2e7d32",
    shipment: "#ef6c00",
    incident: "#c62828",
    flag: "#f9a825",
  };

  function listNodes(nodes) {
    const body = document.querySelector("#graph-nodes tbody");
    body.replaceChildren();
    for (const node of nodes) {
      const row = document.createElement("tr");
      row.dataset.nodeId = node.id;
      row.dataset.nodeType = node.type;
      for (const text of [node.type.replaceAll("_", " "), node.label, node.id]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      body.append(row);
    }
  }

  function draw(graph) {
    const elements = [
      ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.label, type: n.type } })),
      ...graph.edges.map((e, i) => ({
        data: { id: "e" + i, source: e.source, target: e.target, label: e.kind },
      })),
    ];
    const cy = cytoscape({
      container: document.getElementById("graph"),
      elements: elements,
      layout: { name: "cose", animate: false },
      style: [
        {
          selector: "node",
          style: {
            label: "data(label)",
            "font-size": 9,
            "background-color": (n) => COLOURS[n.data("type")] || "#555",
          },
        },
        { selector: "node[type = 'entity']", style: { shape: "diamond", width: 36, height: 36 } },
        {
          selector: "edge",
          style: { label: "data(label)", "font-size": 7, width: 1, "curve-style": "bezier" },
        },
      ],
    });
    window.pentrackGraph = cy;
    return cy;
  }

  async function load() {
    const response = await fetch(
      `/api/v1/entities/${encodeURIComponent(entityId)}/links?depth=${depth}`,
      { credentials: "same-origin", headers: { Accept: "application/json" } },
    );
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      status.textContent = problem.detail || `Could not load the links (${response.status}).`;
      return;
    }
    const graph = await response.json();
    const entity = graph.nodes.find((n) => n.id === graph.nodes[0].id);
    document.getElementById("entity-name").textContent = entity ? entity.label : entityId;
    listNodes(graph.nodes);
    draw(graph);
    status.textContent =
      `${graph.nodes.length} records, ${graph.edges.length} links` +
      (graph.truncated ? " (truncated)" : "");
    section.dataset.ready = "true";
  }

  load();
})();
