/* kg map: draws the network written by kg/view/map.py and wires the tool bar.
 *
 * Every text that comes from the input (names, aliases, titles, authors) reaches
 * the page through textContent or as a canvas label, never as HTML; links are
 * set through the href property and only when they are http(s) URLs.
 * window.kgMap.state becomes "drawn" once the network is on the canvas.
 */
(function () {
  "use strict";
  var kg = window.kgMap = { state: "loading", drawnMs: null, network: null };

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\/[^\s<>"'`\\]+$/.test(url) ? url : null;
  }

  function link(text, url) {
    var href = safeUrl(url);
    if (!href) { return el("span", null, text); }
    var a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function main() {
    var meta = readJson("kg-meta");
    var nodeList = readJson("kg-nodes");
    var edgeList = readJson("kg-edges");
    var options = readJson("kg-options");
    var details = meta.details, papers = meta.papers;
    var typeColour = {}, typeShape = {};
    meta.types.forEach(function (t) { typeColour[t.name] = t.colour; typeShape[t.name] = t.shape; });
    var byId = {}, neighbours = {};

    nodeList.forEach(function (n) {
      byId[n.id] = n;
      neighbours[n.id] = [];
      n.title = tooltip(n.id);
    });
    edgeList.forEach(function (e, i) {
      e.id = "e" + i;
      if (e.kgPapers && details[e.from] && details[e.to]) {
        e.title = el("div", null, details[e.from].name + " — " + details[e.to].name + ": " +
          plural(e.kgPapers, "paper") + " in common");
      }
      if (neighbours[e.from] && neighbours[e.to]) {
        neighbours[e.from].push([e.to, e.value || 0]);
        neighbours[e.to].push([e.from, e.value || 0]);
      }
    });
    Object.keys(neighbours).forEach(function (id) {
      neighbours[id].sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0); });
    });

    function tooltip(id) {
      var d = details[id], box = el("div");
      box.appendChild(el("div", "kg-tip-name", d.name));
      if (d.kind === "paper") {
        box.appendChild(el("div", "kg-tip-meta", ["Paper", d.date || d.year].filter(Boolean).join(" · ")));
        if (d.authors && d.authors.length) {
          box.appendChild(el("div", "kg-tip-meta", d.authors.join(", ") + (d.more_authors ? " et al." : "")));
        }
      } else {
        box.appendChild(el("div", "kg-tip-meta", d.type + " · " + plural(d.papers, "paper")));
        if (d.aliases && d.aliases.length) {
          box.appendChild(el("div", "kg-tip-meta", "Also: " + d.aliases.join(", ")));
        }
        if (d.top && d.top.length) {
          var list = el("ol", "kg-tip-papers");
          d.top.forEach(function (pid) { list.appendChild(el("li", null, papers[pid].title)); });
          box.appendChild(list);
        }
      }
      box.appendChild(el("div", "kg-tip-hint", "Click for details and links"));
      return box;
    }

    var nodes = new vis.DataSet(nodeList);
    var edges = new vis.DataSet(edgeList);
    var container = document.getElementById("kg-network");
    var network = kg.network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    network.once("afterDrawing", function () {
      kg.drawnMs = performance.now();
      kg.state = "drawn";
      document.documentElement.setAttribute("data-kg-state", "drawn");
      if (meta.center) { network.selectNodes([meta.center]); showDetails(meta.center); }
    });

    // --- details panel -------------------------------------------------------
    var panel = document.getElementById("kg-panel");
    var panelBody = document.getElementById("kg-panel-body");
    document.getElementById("kg-close").addEventListener("click", function () {
      panel.hidden = true;
      network.unselectAll();
    });

    function showDetails(id) {
      var d = details[id];
      if (!d) { return; }
      panelBody.textContent = "";
      if (d.kind === "paper") {
        panelBody.appendChild(el("h2", null, d.name));
        panelBody.appendChild(el("div", "kg-meta", ["Paper", d.date || d.year, d.venue].filter(Boolean).join(" · ")));
        if (d.authors && d.authors.length) {
          panelBody.appendChild(el("div", "kg-meta", d.authors.join(", ") + (d.more_authors ? " et al." : "")));
        }
        if (d.url) {
          var where = el("div", "kg-meta");
          where.appendChild(link(d.url, d.url));
          panelBody.appendChild(where);
        }
      } else {
        panelBody.appendChild(el("h2", null, d.name));
        panelBody.appendChild(el("div", "kg-meta", d.type + " · " + plural(d.papers, "paper") +
          (d.community !== null && d.community !== undefined ? " · community " + (d.community + 1) : "")));
        if (d.first_seen) {
          panelBody.appendChild(el("div", "kg-meta", "Seen " + d.first_seen +
            (d.last_seen && d.last_seen !== d.first_seen ? " to " + d.last_seen : "")));
        }
        if (d.aliases && d.aliases.length) {
          panelBody.appendChild(el("div", "kg-meta", "Also written: " + d.aliases.join(", ")));
        }
        if (d.top && d.top.length) {
          panelBody.appendChild(el("h3", "kg-meta", "Papers"));
          var list = el("ol");
          d.top.forEach(function (pid) {
            var item = el("li");
            item.appendChild(link(papers[pid].title, papers[pid].url));
            if (papers[pid].year) { item.appendChild(el("span", "kg-count", " (" + papers[pid].year + ")")); }
            list.appendChild(item);
          });
          panelBody.appendChild(list);
          if (d.papers > d.top.length) {
            panelBody.appendChild(el("div", "kg-meta", "and " + (d.papers - d.top.length) + " more"));
          }
        }
      }
      var near = neighbours[id].slice(0, 12);
      if (near.length) {
        panelBody.appendChild(el("h3", "kg-meta", "Connected on this map"));
        var box = el("div");
        near.forEach(function (pair) {
          var b = el("button", "kg-near", details[pair[0]].name);
          b.type = "button";
          b.addEventListener("click", function () { focus(pair[0], true); });
          box.appendChild(b);
          box.appendChild(document.createTextNode(" "));
        });
        panelBody.appendChild(box);
      }
      panel.hidden = false;
    }

    function focus(id, animate) {
      var n = byId[id];
      if (!n) { return; }
      var type = n.kgType;
      if (hiddenTypes[type]) {
        hiddenTypes[type] = false;
        var box = document.querySelector('input[data-kg-type="' + CSS.escape(type) + '"]');
        if (box) { box.checked = true; }
        applyFilter();
      }
      network.selectNodes([id]);
      network.focus(id, { scale: Math.max(network.getScale(), 1.1),
        animation: animate ? { duration: 450, easingFunction: "easeInOutQuad" } : false });
      showDetails(id);
    }

    network.on("click", function (params) {
      if (params.nodes.length) { showDetails(params.nodes[0]); } else { panel.hidden = true; }
    });

    // --- type filter ---------------------------------------------------------
    var hiddenTypes = {};
    function applyFilter() {
      var nodeUpdates = [], edgeUpdates = [];
      nodeList.forEach(function (n) {
        var hide = !!hiddenTypes[n.kgType];
        if (!!n.hidden !== hide) { n.hidden = hide; nodeUpdates.push({ id: n.id, hidden: hide }); }
      });
      edgeList.forEach(function (e) {
        var hide = !!(byId[e.from].hidden || byId[e.to].hidden);
        if (!!e.hidden !== hide) { e.hidden = hide; edgeUpdates.push({ id: e.id, hidden: hide }); }
      });
      nodes.update(nodeUpdates);
      edges.update(edgeUpdates);
      updateCounts();
    }

    function updateCounts() {
      var shown = nodeList.filter(function (n) { return !n.hidden; }).length;
      var shownEdges = edgeList.filter(function (e) { return !e.hidden; }).length;
      var text = (meta.mode === "ego" ? plural(shown, "node") : shown + (shown === 1 ? " entity" : " entities")) +
        ", " + plural(shownEdges, "link");
      if (meta.mode !== "ego" && meta.entities > nodeList.length) {
        text += " (top " + nodeList.length + " of " + meta.entities + " entities)";
      }
      document.getElementById("kg-counts").textContent = text;
    }

    // --- legend and colour switch --------------------------------------------
    var legend = document.getElementById("kg-legend");
    var colourBy = document.getElementById("kg-colour");
    var typeCount = {};
    nodeList.forEach(function (n) { typeCount[n.kgType] = (typeCount[n.kgType] || 0) + 1; });

    function swatch(colour, shape) {
      var s = el("span", "kg-swatch" + (shape === "square" ? " kg-square" : ""));
      s.style.background = colour;
      return s;
    }

    function drawLegend() {
      var mode = colourBy.value;
      legend.textContent = "";
      legend.appendChild(el("h2", null, "Types"));
      meta.types.forEach(function (t) {
        if (!typeCount[t.name]) { return; }
        var row = el("label", "kg-row");
        var box = el("input");
        box.type = "checkbox";
        box.checked = !hiddenTypes[t.name];
        box.setAttribute("data-kg-type", t.name);
        box.addEventListener("change", function () { hiddenTypes[t.name] = !box.checked; applyFilter(); });
        row.appendChild(box);
        row.appendChild(swatch(mode === "type" || t.name === "Paper" ? t.colour : "#ffffff", t.shape));
        row.appendChild(el("span", null, t.name));
        row.appendChild(el("span", "kg-count", typeCount[t.name]));
        legend.appendChild(row);
      });
      if (mode === "community") {
        legend.appendChild(el("h2", null, "Communities"));
        meta.communities.forEach(function (c, i) {
          var row = el("div", "kg-row kg-community");
          row.appendChild(swatch(c.colour));
          var names = c.names.join(", ") + (c.size > c.names.length ? ", …" : "");
          row.appendChild(el("span", null, (i + 1) + ". " + names));
          row.appendChild(el("span", "kg-count", c.size));
          legend.appendChild(row);
        });
        if (meta.other_communities) {
          var rest = el("div", "kg-row kg-community");
          rest.appendChild(swatch(meta.other_colour));
          var n = meta.other_communities;
          rest.appendChild(el("span", null, n + (n === 1 ? " smaller community" : " smaller communities")));
          legend.appendChild(rest);
        }
      }
      legend.appendChild(el("div", "kg-hint", meta.mode === "ego"
        ? "Size: papers. Squares are papers. Click a node for details."
        : "Size: papers. Width of a link: co-occurrence (" + meta.score + "). Click a node for details."));
    }

    colourBy.addEventListener("change", function () {
      var mode = colourBy.value;
      nodes.update(nodeList.map(function (n) {
        var c = mode === "community" && n.kgCommunity !== null && n.kgCommunity !== undefined
          ? (meta.communities[n.kgCommunity] ? meta.communities[n.kgCommunity].colour : meta.other_colour)
          : typeColour[n.kgType];
        return { id: n.id, color: c };
      }));
      drawLegend();
    });

    // --- search --------------------------------------------------------------
    var index = [];
    var names = document.getElementById("kg-names");
    nodeList.forEach(function (n) {
      var d = details[n.id];
      index.push([d.name.toLowerCase(), n.id]);
      (d.aliases || []).forEach(function (a) { index.push([String(a).toLowerCase(), n.id]); });
      var option = el("option");
      option.value = d.name;
      names.appendChild(option);
    });
    index.sort(function (a, b) {
      return (details[b[1]].papers || 0) - (details[a[1]].papers || 0) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    });
    function find(query) {
      var q = query.trim().toLowerCase(), i;
      if (!q) { return null; }
      for (i = 0; i < index.length; i++) { if (index[i][0] === q) { return index[i][1]; } }
      for (i = 0; i < index.length; i++) { if (index[i][0].indexOf(q) === 0) { return index[i][1]; } }
      for (i = 0; i < index.length; i++) { if (index[i][0].indexOf(q) >= 0) { return index[i][1]; } }
      return null;
    }
    var search = document.getElementById("kg-search");
    var status = document.getElementById("kg-status");
    function runSearch() {
      var id = find(search.value);
      status.textContent = id || !search.value.trim() ? "" : "not on this map";
      if (id) { focus(id, true); }
      return id;
    }
    kg.search = function (query) { search.value = query; return runSearch(); };
    kg.find = find;
    document.getElementById("kg-search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      runSearch();
    });
    search.addEventListener("change", runSearch);
    document.getElementById("kg-fit").addEventListener("click", function () {
      network.fit({ animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    });

    drawLegend();
    updateCounts();
    kg.showDetails = showDetails;
    kg.focus = focus;
  }

  try {
    main();
  } catch (err) {
    kg.state = "error";
    kg.error = String(err && err.stack || err);
    document.documentElement.setAttribute("data-kg-state", "error");
    throw err;
  }
}());
