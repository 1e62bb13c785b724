// The grid map: grid boundaries from the page's GeoJSON endpoint, coloured by open and overdue
// cases, a click opens the grid's page. No base map unless the page names an intranet tile
// server (MAP_TILE_URL): nothing is fetched from another host.
(function () {
  "use strict";
  // The region select submits its form on change (no inline handler: the CSP forbids them).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var el = document.getElementById("grid-map");
  if (!el || !window.L) return;
  var COLOURS = {overdue: "#d63939", open: "#f59f00", clear: "#2fb344"};
  var map = L.map(el, {attributionControl: false, zoomSnap: 0.25});
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, {maxZoom: 19}).addTo(map);
  var summary = document.getElementById("grid-map-summary");

  function label(p) {
    return p.name + "（" + p.village + "）<br>" + el.dataset.labelOpen + " " + p.open +
      " · " + el.dataset.labelOverdue + " " + p.overdue;
  }

  fetch(el.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          var colour = COLOURS[f.properties.status];
          return {color: colour, weight: 1, fillColor: colour, fillOpacity: 0.35};
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {radius: 7});
        },
        onEachFeature: function (f, shape) {
          shape.bindTooltip(label(f.properties), {sticky: true});
          shape.on("click", function () { window.location.href = f.properties.url; });
          if (shape.getElement) shape.once("add", function () {
            var node = shape.getElement();
            if (node) { node.setAttribute("data-grid-id", f.id); node.setAttribute("data-status", f.properties.status); }
          });
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, {padding: [12, 12]});
      else map.setView([35.08, 109.07], 11);  // 铜川 when nothing is drawn yet
      if (summary) summary.textContent = summary.dataset.template
        .replace("%(grids)s", data.grids).replace("%(unmapped)s", data.unmapped)
        .replace("%(open)s", data.open).replace("%(overdue)s", data.overdue);
      el.dataset.ready = String(data.features.length);
    })
    .catch(function () { el.dataset.ready = "error"; });
})();
