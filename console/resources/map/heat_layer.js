/*
 * Linkage Console — a heat layer: where incidents gathered over the last hours.
 *
 * Each point adds a soft blob of alpha to a grey canvas; the summed alpha is then coloured
 * through a gradient (blue → green → yellow → red). Redrawn when the view settles or the
 * points change, never while panning.
 */
(function (global) {
  "use strict";

  const PL = global.LinkagePointLayer;

  function gradient() {
    const canvas = document.createElement("canvas");
    canvas.width = 1;
    canvas.height = 256;
    const ctx = canvas.getContext("2d");
    const g = ctx.createLinearGradient(0, 0, 0, 256);
    g.addColorStop(0.25, "#2b6cff");
    g.addColorStop(0.5, "#19c27a");
    g.addColorStop(0.7, "#ffe14d");
    g.addColorStop(1.0, "#e5261f");
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, 1, 256);
    return ctx.getImageData(0, 0, 1, 256).data;
  }

  function blob(radius, blur) {
    const canvas = document.createElement("canvas");
    const r = radius + blur;
    canvas.width = canvas.height = r * 2;
    const ctx = canvas.getContext("2d");
    // The shadow of a circle drawn off-canvas gives a smooth blob.
    ctx.shadowOffsetX = ctx.shadowOffsetY = r * 2;
    ctx.shadowBlur = blur;
    ctx.shadowColor = "black";
    ctx.beginPath();
    ctx.arc(-r, -r, radius, 0, Math.PI * 2);
    ctx.closePath();
    ctx.fill();
    return canvas;
  }

  const HeatLayer = L.Layer.extend({
    options: { pane: "overlayPane", radius: 18, blur: 14, alpha: 0.18, opacity: 0.75 },

    initialize: function (options) {
      L.setOptions(this, options);
      this.wx = new Float64Array(0);
      this.wy = new Float64Array(0);
    },

    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "linkage-heat leaflet-zoom-animated");
      this._canvas.style.opacity = this.options.opacity;
      this.getPane().appendChild(this._canvas);
      map.on("moveend zoomend viewreset resize", this._reset, this);
      if (map._zoomAnimated) map.on("zoomanim", this._animateZoom, this);
      this._reset();
    },

    onRemove: function (map) {
      map.off("moveend zoomend viewreset resize", this._reset, this);
      map.off("zoomanim", this._animateZoom, this);
      L.DomUtil.remove(this._canvas);
      this._canvas = null;
    },

    setPoints: function (lat, lon) {
      const n = lat.length;
      this.wx = new Float64Array(n);
      this.wy = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        this.wx[i] = PL.worldX(lon[i]);
        this.wy[i] = PL.worldY(lat[i]);
      }
      if (this._map) this._draw();
    },

    _reset: function () {
      const map = this._map;
      const size = map.getSize();
      this._topLeft = map.containerPointToLayerPoint([0, 0]).round();
      L.DomUtil.setPosition(this._canvas, this._topLeft);
      this._canvas.width = size.x;
      this._canvas.height = size.y;
      this._draw();
    },

    _animateZoom: function (e) {
      const map = this._map;
      const scale = map.getZoomScale(e.zoom, map.getZoom());
      const offset = map._latLngToNewLayerPoint(this._topLeft, e.zoom, e.center);
      L.DomUtil.setTransform(this._canvas, offset, scale);
    },

    _draw: function () {
      const canvas = this._canvas;
      if (!canvas || !canvas.width || !canvas.height) return;
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      const n = this.wx.length;
      if (!n) return;
      const map = this._map;
      const zoom = map.getZoom();
      const scale = map.options.crs.scale(zoom) / 256;
      const origin = map.getPixelOrigin();
      const offX = origin.x + this._topLeft.x, offY = origin.y + this._topLeft.y;
      // Blobs grow a little with the zoom, so a street's cluster stays a cluster.
      const radius = Math.round(this.options.radius * Math.max(0.6, Math.min(2, (zoom - 11) / 3)));
      const stamp = this._stamp && this._stampRadius === radius ? this._stamp
        : (this._stampRadius = radius, this._stamp = blob(radius, this.options.blur));
      const r = radius + this.options.blur;
      ctx.globalAlpha = this.options.alpha;
      for (let i = 0; i < n; i++) {
        const x = this.wx[i] * scale - offX, y = this.wy[i] * scale - offY;
        if (x < -r || y < -r || x > canvas.width + r || y > canvas.height + r) continue;
        ctx.drawImage(stamp, x - r, y - r);
      }
      ctx.globalAlpha = 1;
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const data = image.data;
      const colours = this._colours || (this._colours = gradient());
      for (let p = 3; p < data.length; p += 4) {
        const a = data[p];
        if (!a) continue;
        const c = a * 4;
        data[p - 3] = colours[c];
        data[p - 2] = colours[c + 1];
        data[p - 1] = colours[c + 2];
        data[p] = Math.min(255, a * 1.6);
      }
      ctx.putImageData(image, 0, 0);
    },
  });

  global.LinkageHeatLayer = HeatLayer;
})(window);
