/*
 * Linkage Console — a Leaflet layer that draws many points on one canvas in one pass.
 *
 * Stock Leaflet keeps one object per marker and draws each with its own path, fill and
 * stroke; at 20,000 units that costs hundreds of milliseconds per frame. This layer keeps its
 * points in typed arrays (world pixel coordinates at zoom 0 and a style code per point), sorts
 * them by style with a counting sort each frame, and fills each style's shapes as one path.
 * A painter object says how a style looks (PointLayer.painters below).
 *
 * Points are addressed by index (the console keeps a stable index per unit) or by id.
 */
(function (global) {
  "use strict";

  const WORLD = 256;  // Leaflet's world size in pixels at zoom 0
  const MAX_LAT = 85.0511287798;

  function worldX(lon) { return (lon + 180) / 360 * WORLD; }
  function worldY(lat) {
    const phi = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI / 180;
    return (0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI)) * WORLD;
  }
  function latOf(wy) {
    return (2 * Math.atan(Math.exp((0.5 - wy / WORLD) * 2 * Math.PI)) - Math.PI / 2) * 180 / Math.PI;
  }
  function lonOf(wx) { return wx / WORLD * 360 - 180; }

  /** Decode a base64 string of little-endian numbers into a typed array. */
  function decode(b64, Type) {
    const text = atob(b64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  function grow(array, size) {
    if (array.length >= size) return array;
    const bigger = new array.constructor(Math.max(size, array.length * 2, 64));
    bigger.set(array);
    return bigger;
  }

  /** Straight-alpha ``src`` with coverage ``a`` over ``dst`` (ImageData's RGBA as uint32). */
  function blend(dst, src, a) {
    const b = 255 - a;
    const r = ((src & 255) * a + (dst & 255) * b) / 255;
    const g = (((src >>> 8) & 255) * a + ((dst >>> 8) & 255) * b) / 255;
    const bl = (((src >>> 16) & 255) * a + ((dst >>> 16) & 255) * b) / 255;
    const al = Math.max(a, dst >>> 24);
    return ((al << 24) | (bl << 16) | (g << 8) | r) >>> 0;
  }

  /**
   * One style's symbol as its visible pixels: offsets, colours and coverage. Small symbols
   * (the whole district in view, thousands of them overlapping) get hard edges: every pixel
   * opaque or absent, so copying them needs no blending.
   */
  function rasterise(painter, s, zoom, ratio, width) {
    const r = Math.ceil(painter.extent(zoom) * ratio) + 2;
    const size = 2 * r + 1;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.setTransform(ratio, 0, 0, ratio, r, r);
    painter.sprite(ctx, s, zoom);
    const data = ctx.getImageData(0, 0, size, size).data;
    const hard = painter.extent(zoom) * ratio <= 5;
    const off = [], dx = [], dy = [], col = [], alpha = [];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const q = (y * size + x) * 4;
        let a = data[q + 3];
        if (hard) a = a >= 128 ? 255 : 0;
        if (a < 8) continue;
        dx.push(x - r);
        dy.push(y - r);
        off.push((y - r) * width + (x - r));
        col.push(((a << 24) | (data[q + 2] << 16) | (data[q + 1] << 8) | data[q]) >>> 0);
        alpha.push(a);
      }
    }
    return {
      r: r, hard: hard, off: Int32Array.from(off), dx: Int16Array.from(dx),
      dy: Int16Array.from(dy), col: Uint32Array.from(col), alpha: Uint8Array.from(alpha),
    };
  }

  const PointLayer = L.Layer.extend({
    options: {
      pane: "overlayPane",
      padding: 0.1,      // canvas margin around the view, as a share of its size
      hitRadius: 9,      // pixels around a point that a click or hover still hits
    },

    /**
     * @param painter  {radius(zoom), draw(ctx, style, xs, ys, order, from, to, zoom), halo?}
     */
    initialize: function (painter, options) {
      L.setOptions(this, options);
      this.painter = painter;
      this.n = 0;
      this.wx = new Float64Array(0);
      this.wy = new Float64Array(0);
      this.style = new Uint16Array(0);
      this.ids = [];
      this.labels = [];
      this.byId = new Map();
      this.shown = null;          // Uint8Array: 1 for each style drawn, or null for all
      this.selected = -1;
      this._frame = null;
      this._drawn = [];           // callbacks waiting for the next frame drawn
    },

    onAdd: function (map) {
      this._map = map;
      const canvas = this._canvas = L.DomUtil.create("canvas", "linkage-points leaflet-zoom-animated");
      this.getPane().appendChild(canvas);
      map.on("moveend zoomend viewreset resize", this._reset, this);
      if (map._zoomAnimated) map.on("zoomanim", this._animateZoom, this);
      this._reset();
    },

    onRemove: function (map) {
      map.off("moveend zoomend viewreset resize", this._reset, this);
      map.off("zoomanim", this._animateZoom, this);
      L.DomUtil.remove(this._canvas);
      this._canvas = null;
      this._flushDrawn(false);
    },

    // -- data ------------------------------------------------------------------------------

    /** Replace every point. lat, lon: Float32Array or Float64Array (NaN: not drawn). */
    reset: function (ids, labels, styles, lat, lon) {
      this.n = 0;
      this.byId.clear();
      this.ids = [];
      this.labels = [];
      this.append(ids, labels, styles, lat, lon);
    },

    append: function (ids, labels, styles, lat, lon) {
      const start = this.n, count = ids.length;
      this._ensure(start + count);
      for (let k = 0; k < count; k++) {
        const i = start + k;
        this.ids[i] = ids[k];
        this.labels[i] = labels[k];
        this.byId.set(ids[k], i);
        this.style[i] = styles[k];
        this._put(i, lat[k], lon[k]);
      }
      this.n = start + count;
      this.redraw();
    },

    /** Move the points at ``index`` (Uint32Array) to lat/lon. */
    move: function (index, lat, lon) {
      for (let k = 0; k < index.length; k++) this._put(index[k], lat[k], lon[k]);
      this.redraw();
    },

    restyle: function (index, styles) {
      for (let k = 0; k < index.length; k++) this.style[index[k]] = styles[k];
      this.redraw();
    },

    relabel: function (index, labels) {
      for (let k = 0; k < index.length; k++) this.labels[index[k]] = labels[k];
    },

    /** Add or change points by id: rows of [id, lat, lon, style, label]. */
    upsert: function (rows) {
      for (const [id, lat, lon, style, label] of rows) {
        let i = this.byId.get(id);
        if (i === undefined) {
          i = this.n++;
          this._ensure(this.n);
          this.byId.set(id, i);
          this.ids[i] = id;
        }
        this.labels[i] = label;
        this.style[i] = style;
        this._put(i, lat, lon);
      }
      this.redraw();
    },

    /** Remove points by id (the last point takes the freed index). */
    remove: function (ids) {
      for (const id of ids) {
        const i = this.byId.get(id);
        if (i === undefined) continue;
        const last = this.n - 1;
        if (this.selected === i) this.selected = -1;
        else if (this.selected === last) this.selected = i;  // it takes the freed index
        if (i !== last) {
          this.ids[i] = this.ids[last];
          this.labels[i] = this.labels[last];
          this.style[i] = this.style[last];
          this.wx[i] = this.wx[last];
          this.wy[i] = this.wy[last];
          this.byId.set(this.ids[i], i);
        }
        this.byId.delete(id);
        this.ids.length = last;
        this.labels.length = last;
        this.n = last;
      }
      this.redraw();
    },

    indexOf: function (id) {
      const i = this.byId.get(id);
      return i === undefined ? -1 : i;
    },

    latLngAt: function (i) {
      if (i < 0 || i >= this.n || Number.isNaN(this.wx[i])) return null;
      return L.latLng(latOf(this.wy[i]), lonOf(this.wx[i]));
    },

    select: function (id) {
      this.selected = id === null ? -1 : this.indexOf(id);
      this.redraw();
      return this.selected;
    },

    setFilter: function (shown) {
      this.shown = shown;
      this.redraw();
    },

    _ensure: function (size) {
      this.wx = grow(this.wx, size);
      this.wy = grow(this.wy, size);
      this.style = grow(this.style, size);
    },

    _put: function (i, lat, lon) {
      if (Number.isNaN(lat) || Number.isNaN(lon)) {
        this.wx[i] = NaN;
        this.wy[i] = NaN;
      } else {
        this.wx[i] = worldX(lon);
        this.wy[i] = worldY(lat);
      }
    },

    // -- drawing ---------------------------------------------------------------------------

    /** Draw at the next animation frame; ``done(drawn)`` runs once that frame is on screen. */
    redraw: function (done) {
      if (done) this._drawn.push(done);
      if (!this._map) {
        this._flushDrawn(false);
        return;
      }
      if (document.hidden) {  // no frames while hidden: draw when shown again
        this._stale = true;
        this._flushDrawn(false);
        return;
      }
      if (this._frame === null) {
        this._frame = L.Util.requestAnimFrame(this._drawFrame, this);
      }
    },

    /**
     * Draw now rather than at the next frame (a batch of moves: drawing while the page waits
     * for the next frame takes that wait off the latency); ``done`` as for :meth:`redraw`.
     */
    drawNow: function (done) {
      if (!this._map || document.hidden) {
        this.redraw(done);
        return;
      }
      if (this._frame !== null) {
        L.Util.cancelAnimFrame(this._frame);
        this._frame = null;
      }
      if (done) this._drawn.push(done);
      this._drawFrame();
    },

    _drawFrame: function () {
      this._frame = null;
      const started = performance.now();
      this._draw();
      const took = performance.now() - started;
      const waiting = this._drawn;
      this._drawn = [];
      if (waiting.length) {
        // The next frame begins once this one was handed to the compositor.
        L.Util.requestAnimFrame(function () {
          for (const done of waiting) done(true, took);
        });
      }
    },

    _flushDrawn: function (drawn) {
      const waiting = this._drawn;
      this._drawn = [];
      for (const done of waiting) done(drawn, 0);
    },

    _reset: function () {
      const map = this._map;
      if (!map) return;
      const size = map.getSize();
      const pad = size.multiplyBy(this.options.padding).round();
      const topLeft = map.containerPointToLayerPoint(pad.multiplyBy(-1)).round();
      this._topLeft = topLeft;
      this._size = size.add(pad.multiplyBy(2));
      const canvas = this._canvas;
      const ratio = global.devicePixelRatio || 1;
      L.DomUtil.setPosition(canvas, topLeft);
      const width = Math.round(this._size.x * ratio), height = Math.round(this._size.y * ratio);
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
        canvas.style.width = this._size.x + "px";
        canvas.style.height = this._size.y + "px";
      }
      this._draw();
    },

    _animateZoom: function (e) {
      const map = this._map;
      const scale = map.getZoomScale(e.zoom, map.getZoom());
      const offset = map._latLngToNewLayerPoint(this._topLeft, e.zoom, e.center);
      L.DomUtil.setTransform(this._canvas, offset, scale);
    },

    /** Canvas pixel of world coordinates: x = wx * scale - offX. */
    _transform: function () {
      const map = this._map;
      const zoom = map.getZoom();
      const scale = map.options.crs.scale(zoom) / WORLD;
      const origin = map.getPixelOrigin();
      return {
        zoom: zoom, scale: scale,
        offX: origin.x + this._topLeft.x, offY: origin.y + this._topLeft.y,
      };
    },

    _draw: function () {
      const canvas = this._canvas;
      if (!canvas) return;
      this._stale = false;
      const ctx = canvas.getContext("2d");
      const ratio = global.devicePixelRatio || 1;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const n = this.n;
      const t = this._transform();
      const painter = this.painter;
      if (painter.sprite) this._blit(ctx, t, ratio);
      else this._paths(ctx, t);
      const sel = this.selected;
      if (sel >= 0 && sel < n && !Number.isNaN(this.wx[sel]) && painter.selected) {
        painter.selected(ctx, this.wx[sel] * t.scale - t.offX, this.wy[sel] * t.scale - t.offY,
          this.style[sel], t.zoom);
      }
    },

    /** Vector drawing: each style's shapes as one path (few points, or rarely redrawn). */
    _paths: function (ctx, t) {
      ctx.clearRect(0, 0, this._size.x, this._size.y);
      const n = this.n;
      if (!n) return;
      const w = this._size.x, h = this._size.y, margin = 24;
      const xs = this._xs = grow(this._xs || new Float32Array(0), n);
      const ys = this._ys = grow(this._ys || new Float32Array(0), n);
      const styleCount = this.painter.styles;
      const counts = new Uint32Array(styleCount + 1);
      const mask = this.shown;
      const style = this.style, wx = this.wx, wy = this.wy;
      const keep = this._keep = grow(this._keep || new Uint8Array(0), n);
      for (let i = 0; i < n; i++) {
        const x = wx[i] * t.scale - t.offX, y = wy[i] * t.scale - t.offY;
        xs[i] = x;
        ys[i] = y;
        const inside = x > -margin && y > -margin && x < w + margin && y < h + margin
          && (mask === null || mask[style[i]] === 1);
        keep[i] = inside ? 1 : 0;
        if (inside) counts[style[i] + 1]++;
      }
      for (let s = 1; s <= styleCount; s++) counts[s] += counts[s - 1];
      const starts = counts.slice();
      const order = this._order = grow(this._order || new Uint32Array(0), n);
      for (let i = 0; i < n; i++) {
        if (keep[i]) order[counts[style[i]]++] = i;
      }
      const painter = this.painter;
      if (painter.under) painter.under(ctx, xs, ys, order, starts[styleCount], t.zoom, style);
      for (let s = 0; s < styleCount; s++) {
        const from = starts[s], to = starts[s + 1];
        if (to > from) painter.draw(ctx, s, xs, ys, order, from, to, t.zoom);
      }
    },

    /**
     * Pixel drawing for thousands of moving points: each style's symbol is rendered once (per
     * zoom level) into a sprite, and the sprites are copied straight into the canvas's pixels —
     * no path for the browser to rasterise afterwards.
     */
    _blit: function (ctx, t, ratio) {
      const width = this._canvas.width, height = this._canvas.height;
      let image = this._image;
      if (!image || image.width !== width || image.height !== height) {
        image = this._image = ctx.createImageData(width, height);
        this._pixels = new Uint32Array(image.data.buffer);
        this._dirty = [0, 0, width, height];
      }
      const px = this._pixels;
      const before = this._dirty;  // what the last frame drew: cleared, and put back empty
      if (before) px.fill(0, before[1] * width, Math.min(height, before[3]) * width);
      let minX = width, minY = height, maxX = 0, maxY = 0;
      const n = this.n;
      const sprites = this._spritesFor(t.zoom, ratio, width);
      const mask = this.shown;
      const style = this.style, wx = this.wx, wy = this.wy;
      const scale = t.scale * ratio, offX = t.offX * ratio - 0.5, offY = t.offY * ratio - 0.5;
      for (let i = 0; i < n; i++) {
        const s = style[i];
        if (mask !== null && mask[s] !== 1) continue;
        const fx = wx[i] * scale - offX, fy = wy[i] * scale - offY;
        if (!(fx > -64 && fy > -64 && fx < width + 64 && fy < height + 64)) continue;  // NaN too
        const x = fx | 0, y = fy | 0;  // rounded (the 0.5 is in the offsets)
        const sp = sprites[s];
        const r = sp.r;
        if (x < -r || y < -r || x >= width + r || y >= height + r) continue;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        const base = y * width + x;
        const off = sp.off, col = sp.col, m = off.length;
        if (x >= r && y >= r && x < width - r && y < height - r) {
          if (sp.hard) {
            for (let k = 0; k < m; k++) px[base + off[k]] = col[k];
          } else {
            const alpha = sp.alpha;
            for (let k = 0; k < m; k++) {
              const a = alpha[k], p = base + off[k];
              if (a === 255 || px[p] === 0) px[p] = col[k];
              else px[p] = blend(px[p], col[k], a);
            }
          }
        } else {
          const dx = sp.dx, dy = sp.dy, alpha = sp.alpha;
          for (let k = 0; k < m; k++) {
            const xx = x + dx[k], yy = y + dy[k];
            if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
            const a = alpha[k], p = base + off[k];
            if (a === 255 || px[p] === 0) px[p] = col[k];
            else px[p] = blend(px[p], col[k], a);
          }
        }
      }
      const margin = 24;
      const now = maxX >= minX
        ? [Math.max(0, minX - margin), Math.max(0, minY - margin),
          Math.min(width, maxX + margin + 1), Math.min(height, maxY + margin + 1)]
        : null;
      // Put back what is drawn now and what was drawn before (now cleared).
      const box = before && now
        ? [Math.min(before[0], now[0]), Math.min(before[1], now[1]),
          Math.max(before[2], now[2]), Math.max(before[3], now[3])]
        : before || now;
      if (box) ctx.putImageData(image, 0, 0, box[0], box[1], box[2] - box[0], box[3] - box[1]);
      this._dirty = now;
    },

    /** The sprites of every style at this zoom, with pixel offsets for this canvas width. */
    _spritesFor: function (zoom, ratio, width) {
      const key = zoom + ":" + ratio + ":" + width;
      if (this._spriteKey === key) return this._sprites;
      const sprites = [];
      for (let s = 0; s < this.painter.styles; s++) {
        sprites[s] = rasterise(this.painter, s, zoom, ratio, width);
      }
      this._spriteKey = key;
      this._sprites = sprites;
      return sprites;
    },

    /** Forget the sprites (after a palette change). */
    resetSprites: function () {
      this._spriteKey = null;
      this.redraw();
    },

    /** The index of the drawn point nearest to a container point, within the hit radius. */
    hit: function (containerPoint) {
      if (!this._map || !this.n) return -1;
      const t = this._transform();
      const px = containerPoint.x - this._topLeft.x + this._map.containerPointToLayerPoint([0, 0]).x;
      const py = containerPoint.y - this._topLeft.y + this._map.containerPointToLayerPoint([0, 0]).y;
      const r = this.options.hitRadius;
      // A pin is drawn above its point: aim between its tip and its head.
      const lift = this.painter.hitLift ? this.painter.hitLift(t.zoom) : 0;
      let best = -1, bestD = r * r;
      const shown = this.shown;
      for (let i = 0; i < this.n; i++) {
        const dx = this.wx[i] * t.scale - t.offX - px;
        const dy = this.wy[i] * t.scale - t.offY - lift - py;
        const d = dx * dx + dy * dy;
        if (d <= bestD && (shown === null || shown[this.style[i]] === 1)) {
          best = i;
          bestD = d;
        }
      }
      return best;
    },

    /** Where point ``i`` is drawn, in container pixels (for tests and the follow logic). */
    containerPointAt: function (i) {
      const latlng = this.latLngAt(i);
      return latlng ? this._map.latLngToContainerPoint(latlng) : null;
    },
  });

  // -- shapes --------------------------------------------------------------------------------

  const SHAPES = {
    circle: function (ctx, x, y, r) { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); },
    square: function (ctx, x, y, r) { const s = r * 0.9; ctx.rect(x - s, y - s, 2 * s, 2 * s); },
    triangle: function (ctx, x, y, r) {
      const s = r * 1.2;
      ctx.moveTo(x, y - s); ctx.lineTo(x + s, y + s * 0.8); ctx.lineTo(x - s, y + s * 0.8); ctx.closePath();
    },
    down: function (ctx, x, y, r) {
      const s = r * 1.2;
      ctx.moveTo(x, y + s); ctx.lineTo(x + s, y - s * 0.8); ctx.lineTo(x - s, y - s * 0.8); ctx.closePath();
    },
    diamond: function (ctx, x, y, r) {
      const s = r * 1.25;
      ctx.moveTo(x, y - s); ctx.lineTo(x + s, y); ctx.lineTo(x, y + s); ctx.lineTo(x - s, y); ctx.closePath();
    },
    hexagon: function (ctx, x, y, r) {
      const s = r * 1.05;
      ctx.moveTo(x + s, y);
      for (let k = 1; k < 6; k++) ctx.lineTo(x + s * Math.cos(k * Math.PI / 3), y + s * Math.sin(k * Math.PI / 3));
      ctx.closePath();
    },
    cross: function (ctx, x, y, r) {
      const a = r * 1.15, b = r * 0.42;
      ctx.moveTo(x - b, y - a); ctx.lineTo(x + b, y - a); ctx.lineTo(x + b, y - b); ctx.lineTo(x + a, y - b);
      ctx.lineTo(x + a, y + b); ctx.lineTo(x + b, y + b); ctx.lineTo(x + b, y + a); ctx.lineTo(x - b, y + a);
      ctx.lineTo(x - b, y + b); ctx.lineTo(x - a, y + b); ctx.lineTo(x - a, y - b); ctx.lineTo(x - b, y - b);
      ctx.closePath();
    },
    star: function (ctx, x, y, r) {
      const outer = r * 1.3, inner = r * 0.55;
      for (let k = 0; k < 10; k++) {
        const rad = k % 2 ? inner : outer, a = -Math.PI / 2 + k * Math.PI / 5;
        if (k) ctx.lineTo(x + rad * Math.cos(a), y + rad * Math.sin(a));
        else ctx.moveTo(x + rad * Math.cos(a), y + rad * Math.sin(a));
      }
      ctx.closePath();
    },
    /** A map pin whose tip is at (x, y). */
    pin: function (ctx, x, y, r) {
      const cy = y - r * 1.9;
      ctx.moveTo(x, y);
      ctx.bezierCurveTo(x - r * 0.35, y - r * 0.7, x - r, cy + r * 0.55, x - r, cy);
      ctx.arc(x, cy, r, Math.PI, 0);
      ctx.bezierCurveTo(x + r, cy + r * 0.55, x + r * 0.35, y - r * 0.7, x, y);
      ctx.closePath();
    },
    camera: function (ctx, x, y, r) {
      ctx.rect(x - r, y - r * 0.65, r * 1.45, r * 1.3);
      ctx.moveTo(x + r * 0.45, y - r * 0.1);
      ctx.lineTo(x + r * 1.1, y - r * 0.6); ctx.lineTo(x + r * 1.1, y + r * 0.6);
      ctx.lineTo(x + r * 0.45, y + r * 0.1); ctx.closePath();
    },
    flag: function (ctx, x, y, r) {
      ctx.rect(x - r * 0.75, y - r * 1.3, r * 0.28, r * 2.4);
      ctx.moveTo(x - r * 0.5, y - r * 1.3); ctx.lineTo(x + r, y - r * 0.85); ctx.lineTo(x - r * 0.5, y - r * 0.35);
      ctx.closePath();
    },
  };

  PointLayer.SHAPES = SHAPES;
  PointLayer.decode = decode;
  /** A batch of moves as the console packs it: count, indexes, latitudes, longitudes. */
  PointLayer.readBatch = function (buffer) {
    const n = new Uint32Array(buffer, 0, 1)[0];
    return {
      index: new Uint32Array(buffer, 4, n),
      lat: new Float32Array(buffer, 4 + 4 * n, n),
      lon: new Float32Array(buffer, 4 + 8 * n, n),
    };
  };
  PointLayer.worldX = worldX;
  PointLayer.worldY = worldY;
  global.LinkagePointLayer = PointLayer;
})(window);
