// The lineage graph: cytoscape over /lineage/<kind>/<uid>.json (no inline script: the page's CSP forbids it).
(function () {
  "use strict";
  var colors = { artifact: "#2f81f7", collection: "#1a7f37", run: "#d4760a", transform: "#8250df" };
  var shapes = { artifact: "round-rectangle", collection: "round-rectangle", run: "ellipse", transform: "diamond" };

  function style() {
    return [
      { selector: "node", style: {
        "label": "data(label)", "background-color": function (n) { return colors[n.data("type")] || "#888"; },
        "shape": function (n) { return shapes[n.data("type")] || "ellipse"; },
        "color": "#1f2328", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
        "text-wrap": "ellipsis", "text-max-width": 160, "width": 22, "height": 22,
        "text-background-color": "#fbfcfd", "text-background-opacity": 0.9, "text-background-padding": 2 } },
      { selector: "node[?focus]", style: { "border-width": 4, "border-color": "#1f2328", "width": 28, "height": 28, "font-weight": "bold" } },
      { selector: "edge", style: { "width": 1.6, "line-color": "#8c959f", "target-arrow-color": "#8c959f",
        "target-arrow-shape": "triangle", "curve-style": "bezier" } },
      { selector: "edge[kind = 'runs']", style: { "line-style": "dashed", "line-color": "#c8b6f0", "target-arrow-color": "#c8b6f0" } },
      { selector: "node:active, node:selected", style: { "overlay-opacity": 0.15 } }
    ];
  }

  function draw(container, data) {
    var cy = cytoscape({
      container: container, elements: { nodes: data.nodes, edges: data.edges }, style: style(),
      layout: { name: "breadthfirst", directed: true, spacingFactor: 1.1, padding: 20 },
      minZoom: 0.1, maxZoom: 3
    });
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) { window.location.href = url; }
    });
    cy.on("mouseover", "node", function () { container.style.cursor = "pointer"; });
    cy.on("mouseout", "node", function () { container.style.cursor = ""; });
    if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(); }
    window.biolakeLineage = cy;  // for tests and the console
    var fit = document.getElementById("fit");
    if (fit) { fit.addEventListener("click", function () { cy.fit(undefined, 20); }); }
    container.setAttribute("data-rendered", String(cy.nodes().length));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("lineage");
    if (!container || typeof cytoscape === "undefined") { return; }
    fetch(container.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var small = container.classList.contains("small-graph");
        if (!data.nodes.length || (small && data.nodes.length === 1)) {
          container.classList.add("empty");
          container.textContent = "No lineage: not made by a tracked run, and no run used it yet.";
          return;
        }
        draw(container, data);
      })
      .catch(function (error) { container.textContent = "Could not load the lineage: " + error; });
  });
})();
