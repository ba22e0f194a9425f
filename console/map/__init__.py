"""The Leaflet map page, its JavaScript bridge and basemaps."""
