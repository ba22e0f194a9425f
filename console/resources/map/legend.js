/*
 * Linkage Console — the map's legend: what the colours and shapes of the visible layers mean.
 *
 * Drawn with the same shapes as the layers (LinkagePointLayer.SHAPES) and the palette the
 * console sends, in the words the console sends; it folds to one line ("▸ Legend") and starts
 * folded on a small map.
 */
(function (global) {
  "use strict";

  const SHAPES = global.LinkagePointLayer.SHAPES;

  function swatch(draw) {
    const canvas = document.createElement("canvas");
    const ratio = global.devicePixelRatio || 1;
    canvas.width = canvas.height = 15 * ratio;
    canvas.style.width = canvas.style.height = "15px";
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio * 15 / 18, ratio * 15 / 18);  // the swatches are drawn on an 18 px grid
    draw(ctx);
    return canvas;
  }

  function shapeSwatch(shape, fill, r, y) {
    return swatch(function (ctx) {
      ctx.beginPath();
      SHAPES[shape](ctx, 9, y === undefined ? 9 : y, r);
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = "#555";
      ctx.stroke();
    });
  }

  function section(box, title, rows) {
    const part = L.DomUtil.create("div", "linkage-legend-section", box);
    L.DomUtil.create("div", "linkage-legend-title", part).textContent = title;
    const grid = L.DomUtil.create("div", "linkage-legend-rows", part);
    for (const [canvas, text] of rows) {
      const row = L.DomUtil.create("div", "linkage-legend-row", grid);
      row.appendChild(canvas);
      L.DomUtil.create("span", "", row).textContent = text;
    }
  }

  /**
   * Fill the legend for what is shown: ``p`` the palette, ``labels`` the words, ``visible``
   * layer name → shown, ``has(name)`` whether the page has that layer at all.
   */
  function build(legend, p, labels, visible, has) {
    const outer = legend.getContainer();
    outer.innerHTML = "";
    if (legend.open === null) {
      const size = legend._map.getSize();
      legend.open = size.x >= 900 && size.y >= 600;  // folded on a small map
    }
    const head = L.DomUtil.create("a", "linkage-legend-head", outer);
    head.href = "#";
    head.textContent = (legend.open ? "▾ " : "▸ ") + labels.legend;
    L.DomEvent.on(head, "click", function (e) {
      L.DomEvent.preventDefault(e);
      legend.open = !legend.open;
      build(legend, p, labels, visible, has);
    });
    if (!legend.open) return;
    const box = L.DomUtil.create("div", "linkage-legend-body", outer);
    const names = labels.layers;
    if (visible.units) {
      section(box, names.units + " · " + labels.by_status,
        labels.status.map((text, i) => [shapeSwatch("circle", p.status[i], 5), text]));
      section(box, names.units + " · " + labels.by_type,
        labels.type.map((text, i) => [shapeSwatch(p.type_shape[i], "#9aa0a6", 5), text]));
    }
    if (visible.incidents) {
      const rows = labels.priority.map((text, i) => [shapeSwatch("pin", p.priority[i], 5, 15), text]);
      labels.incident_group.forEach(function (text, g) {
        rows.push([swatch(function (ctx) {
          ctx.globalAlpha = g === 3 ? 0.5 : 1;
          ctx.beginPath(); SHAPES.pin(ctx, 9, 15, 5); ctx.fillStyle = p.priority[2]; ctx.fill();
          if (p.incident_group[g]) {
            ctx.beginPath(); ctx.arc(9, 15 - 9.5, 2.3, 0, 2 * Math.PI);
            ctx.fillStyle = p.incident_group[g]; ctx.fill();
          }
        }), text]);
      });
      rows.push([swatch(function (ctx) {
        ctx.beginPath(); ctx.arc(9, 9, 7.5, 0, 2 * Math.PI);
        ctx.fillStyle = p.overdue_halo; ctx.fill();
        ctx.lineWidth = 2; ctx.strokeStyle = p.overdue; ctx.stroke();
      }), labels.overdue]);
      rows.push([swatch(function (ctx) {
        ctx.beginPath(); SHAPES.pin(ctx, 9, 15, 5); ctx.fillStyle = p.priority[2]; ctx.fill();
        ctx.lineWidth = 2; ctx.strokeStyle = "#000"; ctx.stroke();
      }), labels.supervised]);
      section(box, names.incidents, rows);
    }
    const extra = [];
    if (visible.cameras) extra.push([shapeSwatch("camera", p.camera, 5), names.cameras]);
    if (visible.checkpoints) extra.push([shapeSwatch("flag", p.checkpoint, 6), names.checkpoints]);
    if (visible.trail) {
      extra.push([swatch(function (ctx) {
        ctx.beginPath(); ctx.moveTo(2, 14); ctx.lineTo(8, 6); ctx.lineTo(16, 10);
        ctx.lineWidth = 3; ctx.strokeStyle = p.trail; ctx.stroke();
      }), names.trail]);
    }
    if (visible.heat) {
      extra.push([swatch(function (ctx) {
        const g = ctx.createLinearGradient(0, 0, 18, 0);
        g.addColorStop(0, "#2b6cff"); g.addColorStop(0.5, "#19c27a");
        g.addColorStop(0.75, "#ffe14d"); g.addColorStop(1, "#e5261f");
        ctx.fillStyle = g; ctx.fillRect(0, 5, 18, 8);
      }), labels.heat_legend]);
    }
    const lines = [["streets", p.street, 2.5], ["communities", p.community, 1.5], ["grid", p.grid, 1]];
    for (const [name, colour, width] of lines) {
      if (visible[name] && has(name)) {
        extra.push([swatch(function (ctx) {
          ctx.beginPath(); ctx.moveTo(1, 9); ctx.lineTo(17, 9);
          ctx.lineWidth = width; ctx.strokeStyle = colour; ctx.stroke();
        }), names[name]]);
      }
    }
    if (extra.length) section(box, labels.more, extra);
  }

  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    open: null,  // null: decided by the map's size when first built
    update: function (p, labels, visible, has) { build(this, p, labels, visible, has); },
    onAdd: function () {
      const box = L.DomUtil.create("div", "linkage-legend leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });

  global.LinkageLegend = Legend;
})(window);
