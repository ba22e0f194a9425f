/*
 * Linkage Console — the map page's controller: its layers, its legend, and the channel to
 * the console.
 *
 * folium builds the page (Leaflet, the basemap, the boundary GeoJSON layers) and ends it with
 * LinkageMap.start(map, config). Python calls the functions of ``LinkageMap`` with JSON
 * arguments (console/map/view.py, MapView.call); the page answers through the QWebChannel
 * object ``linkage`` (console/map/view.py, MapChannel). Bulk data (unit positions, heat
 * points) comes as base64 of little-endian typed arrays, never one call per unit.
 */
(function (global) {
  "use strict";

  const PL = global.LinkagePointLayer;
  const SHAPES = PL.SHAPES;
  const decode = PL.decode;

  let map = null;
  let py = null;            // the QWebChannel object, once connected
  let config = null;
  let labels = null;
  const layers = {};        // name → Leaflet layer
  const visible = {};       // name → boolean
  let legend = null;
  let scale = null;

  function buildLegend() {
    if (legend) legend.update(config.palette, labels, visible, function (name) { return !!layers[name]; });
  }
  let following = true;
  let selection = { kind: null, id: null };
  let trailCursor = null;
  let unitsEpoch = 0;               // which unitsReset the indexes of a batch refer to
  let batches = Promise.resolve();  // unit batches are fetched and applied in order

  // -- painters: how each point layer draws a style -------------------------------------------

  function unitRadius(zoom) {
    return zoom >= 17 ? 7 : zoom >= 16 ? 6 : zoom >= 15 ? 5 : zoom >= 14 ? 4 : zoom >= 13 ? 3 : 2;
  }

  function unitsPainter() {
    const status = config.palette.status, shapes = config.palette.type_shape;
    return {
      styles: 64,  // type * 8 + status
      extent: function (zoom) { return unitRadius(zoom) * 1.35 + 1; },
      /** One style's symbol centred on (0, 0): the layer copies it for every unit. */
      sprite: function (ctx, s, zoom) {
        const r = unitRadius(zoom);
        ctx.fillStyle = status[s & 7] || "#888";
        if (r <= 2) {  // a whole district in view: dots, no outline
          ctx.fillRect(-1.5, -1.5, 3, 3);
          return;
        }
        ctx.beginPath();
        (SHAPES[shapes[s >> 3]] || SHAPES.circle)(ctx, 0, 0, r);
        ctx.fill();
        if (r >= 4) {
          ctx.lineWidth = 1;
          ctx.strokeStyle = "rgba(255,255,255,0.9)";
          ctx.stroke();
        }
      },
      selected: function (ctx, x, y, style, zoom) {
        ring(ctx, x, y, unitRadius(zoom) + 6);
      },
    };
  }

  function incidentRadius(zoom) {
    return zoom >= 16 ? 8 : zoom >= 14 ? 7 : zoom >= 12 ? 6 : 5;
  }

  // Incident style: priority (bits 0-1) | state group (bits 2-3) | overdue (bit 4) | supervised (bit 5)
  function incidentsPainter() {
    const priority = config.palette.priority, group = config.palette.incident_group;
    return {
      styles: 64,
      hitLift: function (zoom) { return incidentRadius(zoom) * 1.2; },
      under: function (ctx, xs, ys, order, count, zoom, style) {
        const r = incidentRadius(zoom);
        ctx.beginPath();
        let any = false;
        for (let k = 0; k < count; k++) {
          const i = order[k];
          if (!(style[i] & 16)) continue;
          any = true;
          const cy = ys[i] - r * 1.9;
          ctx.moveTo(xs[i] + r * 2.2, cy);
          ctx.arc(xs[i], cy, r * 2.2, 0, 2 * Math.PI);
        }
        if (any) {
          ctx.fillStyle = config.palette.overdue_halo;
          ctx.fill();
          ctx.lineWidth = 2.5;
          ctx.strokeStyle = config.palette.overdue;
          ctx.stroke();
        }
      },
      draw: function (ctx, s, xs, ys, order, from, to, zoom) {
        const r = incidentRadius(zoom);
        const g = (s >> 2) & 3;
        ctx.globalAlpha = g === 3 ? 0.5 : 1;
        ctx.beginPath();
        for (let k = from; k < to; k++) {
          const i = order[k];
          SHAPES.pin(ctx, xs[i], ys[i], r);
        }
        ctx.fillStyle = priority[s & 3];
        ctx.fill();
        ctx.lineWidth = s & 32 ? 2.5 : 1.2;
        ctx.strokeStyle = s & 32 ? "#000" : (s & 16 ? config.palette.overdue : "#fff");
        ctx.stroke();
        const dot = group[g];
        if (dot) {
          ctx.beginPath();
          for (let k = from; k < to; k++) {
            const i = order[k];
            ctx.moveTo(xs[i] + r * 0.45, ys[i] - r * 1.9);
            ctx.arc(xs[i], ys[i] - r * 1.9, r * 0.45, 0, 2 * Math.PI);
          }
          ctx.fillStyle = dot;
          ctx.fill();
        }
        ctx.globalAlpha = 1;
      },
      selected: function (ctx, x, y, style, zoom) {
        const r = incidentRadius(zoom);
        ring(ctx, x, y - r * 1.9, r * 2 + 4);
      },
    };
  }

  function glyphPainter(shape, colour, radius) {
    return {
      styles: 1,
      draw: function (ctx, s, xs, ys, order, from, to, zoom) {
        const r = zoom >= 15 ? radius : radius - 1;
        ctx.beginPath();
        for (let k = from; k < to; k++) {
          const i = order[k];
          SHAPES[shape](ctx, xs[i], ys[i], r);
        }
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = "#fff";
        ctx.stroke();
      },
      selected: function (ctx, x, y) { ring(ctx, x, y, radius + 6); },
    };
  }

  function ring(ctx, x, y, r) {
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.lineWidth = 5;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
    ctx.lineWidth = 3;
    ctx.strokeStyle = config.palette.selected;
    ctx.stroke();
  }

  // -- boundaries ------------------------------------------------------------------------------

  function labelAreas() {
    for (const name of ["streets", "communities"]) {
      const layer = layers[name];
      if (!layer) continue;
      const names = (config.area_names || {})[name] || {};
      layer.eachLayer(function (feature) {
        const code = feature.feature.properties.code;
        const text = names[code] || code;
        if (feature.getTooltip()) feature.setTooltipContent(text);
        else {
          feature.bindTooltip(text, {
            permanent: true, direction: "center", interactive: false,
            className: "linkage-area-label linkage-" + name + "-label",
          });
        }
      });
    }
    showCommunityLabels();
  }

  function showCommunityLabels() {
    const box = map.getContainer();
    if (map.getZoom() >= 15) box.classList.add("linkage-zoomed-in");
    else box.classList.remove("linkage-zoomed-in");
  }

  function areaLayer(level) {
    return layers[{ street: "streets", community: "communities", grid: "grid" }[level]];
  }

  // -- interaction -----------------------------------------------------------------------------

  const PICKABLE = ["incidents", "units", "cameras", "checkpoints"];
  const KIND = { incidents: "incident", units: "unit", cameras: "camera", checkpoints: "checkpoint" };

  /** The point under a container point: [layer name, index] or null. */
  function pick(point) {
    for (const name of PICKABLE) {
      if (!visible[name]) continue;
      const i = layers[name].hit(point);
      if (i >= 0) return [name, i];
    }
    return null;
  }

  function tooltipText(name, i) {
    const layer = layers[name];
    const text = layer.labels[i] || layer.ids[i];
    if (name === "units") {
      const style = layer.style[i];
      return text + " · " + (labels.status[style & 7] || "") + " · " + (labels.type[style >> 3] || "");
    }
    return text;
  }

  let hoverFrame = null, hoverPoint = null, hoverTip = null;

  function hover() {
    hoverFrame = null;
    const found = hoverPoint && pick(hoverPoint);
    if (!found) {
      if (hoverTip) { map.removeLayer(hoverTip); hoverTip = null; }
      map.getContainer().style.cursor = "";
      return;
    }
    const [name, i] = found;
    const latlng = layers[name].latLngAt(i);
    if (!hoverTip) hoverTip = L.tooltip({ direction: "top", offset: [0, -10], className: "linkage-hover" });
    hoverTip.setLatLng(latlng).setContent(tooltipText(name, i));
    if (!map.hasLayer(hoverTip)) hoverTip.addTo(map);
    map.getContainer().style.cursor = "pointer";
  }

  function selectLocally(kind, id) {
    selection = { kind: kind, id: id };
    for (const name of PICKABLE) {
      layers[name].select(KIND[name] === kind ? id : null);
    }
  }

  function centerOn(latlng) {
    map.setView(latlng, Math.max(map.getZoom(), 15), { animate: false });
  }

  function followSelectedUnit() {
    if (!following || selection.kind !== "unit") return;
    const layer = layers.units;
    const i = layer.selected;
    const latlng = layer.latLngAt(i);
    if (!latlng) return;
    const p = map.latLngToContainerPoint(latlng), size = map.getSize();
    const inner = 0.2;
    if (p.x < size.x * inner || p.y < size.y * inner || p.x > size.x * (1 - inner) || p.y > size.y * (1 - inner)) {
      map.panTo(latlng, { animate: false });
    }
  }

  // -- the API Python calls --------------------------------------------------------------------

  const api = {
    start: function (leafletMap, cfg) {
      map = leafletMap;
      config = cfg;
      labels = cfg.labels;
      map.attributionControl.setPrefix(false);
      layers.units = new PL(unitsPainter(), { hitRadius: 8 });
      layers.incidents = new PL(incidentsPainter(), { hitRadius: 11 });
      layers.cameras = new PL(glyphPainter("camera", cfg.palette.camera, 6), { hitRadius: 9 });
      layers.checkpoints = new PL(glyphPainter("flag", cfg.palette.checkpoint, 7), { hitRadius: 9 });
      layers.heat = new global.LinkageHeatLayer();
      layers.trail = L.layerGroup();
      // Units calling for help: always shown, whatever layers are switched off.
      layers.sos = L.layerGroup().addTo(map);
      for (const [name, variable] of Object.entries(cfg.boundaries || {})) {
        layers[name] = global[variable];
      }
      // Drawing order, bottom to top (boundaries are already on the map from folium).
      for (const name of ["heat", "checkpoints", "cameras", "trail", "units", "incidents"]) {
        visible[name] = false;
      }
      for (const name of Object.keys(cfg.boundaries || {})) visible[name] = true;
      legend = new global.LinkageLegend().addTo(map);
      // A Chinese district measures in metres: no miles and feet beside them.
      scale = L.control.scale({ metric: true, imperial: false }).addTo(map);
      for (const [name, on] of Object.entries(cfg.visible || {})) api.setVisible(name, on);
      labelAreas();
      if (cfg.view && cfg.view.bounds) map.fitBounds(cfg.view.bounds, { animate: false });
      else if (cfg.view && cfg.view.center) map.setView(cfg.view.center, cfg.view.zoom, { animate: false });

      map.on("click", function (e) {
        const found = pick(e.containerPoint);
        if (!found) return;
        const [name, i] = found;
        selectLocally(KIND[name], layers[name].ids[i]);
        if (py) py.clicked(KIND[name], layers[name].ids[i]);
      });
      map.on("contextmenu", function (e) {
        const found = pick(e.containerPoint);
        const kind = found ? KIND[found[0]] : "";
        const id = found ? layers[found[0]].ids[found[1]] : "";
        if (py) py.contextMenu(e.latlng.lat, e.latlng.lng, kind, id);
      });
      map.on("mousemove", function (e) {
        hoverPoint = e.containerPoint;
        if (hoverFrame === null) hoverFrame = L.Util.requestAnimFrame(hover);
      });
      map.on("mouseout", function () { hoverPoint = null; hover(); });
      map.on("zoomend", showCommunityLabels);
      document.addEventListener("visibilitychange", function () {
        if (!document.hidden) for (const name of PICKABLE) if (layers[name]._stale) layers[name].redraw();
      });
      new QWebChannel(qt.webChannelTransport, function (channel) {
        py = channel.objects.linkage;
        py.ready();
      });
    },

    setLabels: function (newLabels, areaNames) {
      labels = newLabels;
      config.area_names = areaNames;
      labelAreas();
      buildLegend();
    },

    setVisible: function (name, on) {
      const layer = layers[name];
      if (!layer) return false;
      visible[name] = !!on;
      if (on && !map.hasLayer(layer)) map.addLayer(layer);
      if (!on && map.hasLayer(layer)) map.removeLayer(layer);
      // Keep the pickable layers above the others, incidents on top.
      for (const top of ["units", "incidents"]) {
        if (visible[top] && map.hasLayer(layers[top])) {
          const canvas = layers[top]._canvas;
          if (canvas && canvas.parentNode) canvas.parentNode.appendChild(canvas);
        }
      }
      buildLegend();
      return true;
    },

    /** Which unit types and statuses are drawn: two arrays of booleans by code index. */
    setUnitFilter: function (types, statuses) {
      const all = types.every(Boolean) && statuses.every(Boolean);
      const mask = new Uint8Array(64);
      for (let s = 0; s < 64; s++) mask[s] = types[s >> 3] && statuses[s & 7] ? 1 : 0;
      layers.units.setFilter(all ? null : mask);
    },

    unitsReset: function (epoch, ids, unitLabels, styles, lat, lon) {
      unitsEpoch = epoch;
      layers.units.reset(ids, unitLabels, decode(styles, Uint8Array), decode(lat, Float32Array),
        decode(lon, Float32Array));
      if (selection.kind === "unit") layers.units.select(selection.id);
    },

    unitsAppend: function (ids, unitLabels, styles, lat, lon) {
      layers.units.append(ids, unitLabels, decode(styles, Uint8Array), decode(lat, Float32Array),
        decode(lon, Float32Array));
      if (selection.kind === "unit") layers.units.select(selection.id);
    },

    /**
     * One batch of moves, fetched from ``url`` as bytes (see PointLayer.readBatch), drawn at
     * once; the console hears ``painted(seq)`` when it is on screen. A batch made before the
     * latest unitsReset (``epoch``) is skipped: its indexes may mean other units.
     */
    unitsMove: function (seq, epoch, url) {
      batches = batches.then(function () {
        return fetch(url).then(function (response) { return response.arrayBuffer(); });
      }).then(function (buffer) {
        if (epoch !== unitsEpoch) {
          if (py) py.painted(seq, false, 0);
          return;
        }
        const batch = PL.readBatch(buffer);
        layers.units.move(batch.index, batch.lat, batch.lon);
        followSelectedUnit();
        layers.units.drawNow(function (drawn, took) {
          if (py) py.painted(seq, drawn, took);
        });
      }).catch(function (error) {
        console.error("unitsMove " + seq + ": " + error);
        if (py) py.painted(seq, false, 0);
      });
    },

    unitsRestyle: function (index, styles) {
      layers.units.restyle(decode(index, Uint32Array), decode(styles, Uint8Array));
    },

    unitsRelabel: function (index, unitLabels) {
      layers.units.relabel(index, unitLabels);
    },

    incidentsReset: function (rows) {
      layers.incidents.reset([], [], [], [], []);
      layers.incidents.upsert(rows);
      if (selection.kind === "incident") layers.incidents.select(selection.id);
    },

    incidentsUpsert: function (rows) {
      layers.incidents.upsert(rows);
      if (selection.kind === "incident") layers.incidents.select(selection.id);
    },

    incidentsRemove: function (ids) {
      layers.incidents.remove(ids);
    },

    camerasSet: function (rows) {
      layers.cameras.reset([], [], [], [], []);
      layers.cameras.upsert(rows);
    },

    /** Units calling for help (SOS): rows of [unit id, lat, lon, label]; [] clears them. */
    sosSet: function (rows) {
      layers.sos.clearLayers();
      for (const [id, lat, lon, label] of rows) {
        L.circleMarker([lat, lon], { radius: 16, color: "#ffffff", weight: 3,
                                     fillColor: "#d00000", fillOpacity: 0.9,
                                     className: "linkage-sos" })
          .bindTooltip(label, { permanent: true, direction: "right", className: "linkage-sos-label" })
          .addTo(layers.sos);
      }
      return layers.sos.getLayers().length;
    },

    checkpointsSet: function (rows) {
      layers.checkpoints.reset([], [], [], [], []);
      layers.checkpoints.upsert(rows);
    },

    heatSet: function (lat, lon) {
      layers.heat.setPoints(decode(lat, Float32Array), decode(lon, Float32Array));
    },

    /** Highlight one incident or unit (kind null: nothing); center the map on it if asked. */
    select: function (kind, id, center) {
      selectLocally(kind, id);
      if (!kind) return false;
      const layer = layers[kind + "s"];
      const latlng = layer ? layer.latLngAt(layer.indexOf(id)) : null;
      if (latlng && center) centerOn(latlng);
      return latlng !== null;
    },

    follow: function (on) {
      following = !!on;
      followSelectedUnit();
    },

    panTo: function (lat, lon, zoom) {
      map.setView([lat, lon], zoom || map.getZoom(), { animate: false });
    },

    zoomToArea: function (level, code) {
      const layer = areaLayer(level);
      let found = null;
      if (layer) {
        layer.eachLayer(function (feature) {
          if (feature.feature.properties.code === code) found = feature;
        });
      }
      if (!found) return false;
      map.fitBounds(found.getBounds(), { animate: false, padding: [12, 12] });
      return true;
    },

    fitBounds: function (south, west, north, east) {
      map.fitBounds([[south, west], [north, east]], { animate: false });
    },

    trailSet: function (lat, lon) {
      const la = decode(lat, Float32Array), lo = decode(lon, Float32Array);
      const points = [];
      for (let i = 0; i < la.length; i++) points.push([la[i], lo[i]]);
      const group = layers.trail;
      group.clearLayers();
      trailCursor = null;
      if (!points.length) return false;
      const colour = config.palette.trail;
      L.polyline(points, { color: colour, weight: 3, opacity: 0.85, interactive: false }).addTo(group);
      L.circleMarker(points[0], { radius: 5, color: colour, fillColor: "#fff", fillOpacity: 1, weight: 2, interactive: false }).addTo(group);
      L.circleMarker(points[points.length - 1], { radius: 5, color: "#fff", fillColor: colour, fillOpacity: 1, weight: 2, interactive: false }).addTo(group);
      if (!visible.trail) api.setVisible("trail", true);
      map.fitBounds(L.latLngBounds(points), { animate: false, padding: [30, 30], maxZoom: 17 });
      return true;
    },

    trailCursor: function (lat, lon, heading, text) {
      const icon = L.divIcon({
        className: "linkage-trail-cursor",
        html: '<div class="linkage-trail-arrow" style="transform: rotate(' + Number(heading) + 'deg)"></div>',
        iconSize: [22, 22], iconAnchor: [11, 11],
      });
      if (!trailCursor) {
        trailCursor = L.marker([lat, lon], { icon: icon, interactive: false, keyboard: false });
        trailCursor.bindTooltip(text, { permanent: true, direction: "right", offset: [12, 0], className: "linkage-trail-time" });
        trailCursor.addTo(layers.trail);
      } else {
        trailCursor.setLatLng([lat, lon]);
        trailCursor.setIcon(icon);
        trailCursor.setTooltipContent(text);
      }
    },

    trailClear: function () {
      layers.trail.clearLayers();
      trailCursor = null;
    },

    /** A grid worker's checkpoints beside the trail of its day (after trailSet, which clears
        them with the trail): [lat, lon, passed, label] each, a passed one ticked. */
    patrolSet: function (rows) {
      for (const [lat, lon, passed, label] of rows) {
        L.circleMarker([lat, lon], { radius: 8, weight: 2, interactive: false,
                                     color: passed ? "#1a7f37" : "#6e7781",
                                     fillColor: passed ? "#2da44e" : "#ffffff", fillOpacity: 0.9 })
          .bindTooltip((passed ? "\u2713 " : "\u25cb ") + label,
                       { permanent: true, direction: "top", className: "linkage-patrol" })
          .addTo(layers.trail);
      }
      return rows.length;
    },

    // -- what tests and the benchmark read back ----------------------------------------------

    /** Answer ``painted(seq)`` once what the page holds now is on screen (the benchmark
        measures stock Leaflet layers with it, the way unitsMove measures its own). */
    whenPainted: function (seq) {
      const started = performance.now();
      L.Util.requestAnimFrame(function () {
        L.Util.requestAnimFrame(function () {
          if (py) py.painted(seq, !document.hidden, performance.now() - started);
        });
      });
    },

    /** Where a point is drawn, in container pixels: {x, y} or null. */
    pointOf: function (kind, id) {
      const layer = layers[kind + "s"];
      const i = layer ? layer.indexOf(id) : -1;
      const p = i >= 0 ? layer.containerPointAt(i) : null;
      return p ? { x: p.x, y: p.y } : null;
    },

    /** Where a lat/lon (in the basemap's datum) is, in container pixels. */
    containerPointOf: function (lat, lon) {
      const p = map.latLngToContainerPoint([lat, lon]);
      return { x: p.x, y: p.y };
    },

    state: function () {
      const c = map.getCenter();
      const counts = {};
      for (const name of PICKABLE) counts[name] = layers[name].n;
      return {
        center: [c.lat, c.lng], zoom: map.getZoom(), visible: Object.assign({}, visible),
        counts: counts, selection: selection, following: following,
        selected: { incidents: layers.incidents.selected, units: layers.units.selected },
        heat: layers.heat.wx.length, trail: layers.trail.getLayers().length,
        legend: legend ? legend.getContainer().textContent : "",
        scale: scale ? scale.getContainer().textContent : "",
        bounds: map.getBounds().toBBoxString(),
      };
    },
  };

  global.LinkageMap = api;
})(window);
