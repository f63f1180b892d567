/* The map where a specialist sets a pin by hand (crm/templates/crm/_location_fieldset.html).
 * Clicking the map or dragging the pin writes the latitude and longitude inputs; typing
 * in them moves the pin. No inline script: everything comes from data- attributes.
 * Without JavaScript the map stays hidden and the inputs work alone. */
(function () {
  "use strict";

  function validPoint(latInput, lonInput) {
    var lat = parseFloat(latInput.value);
    var lon = parseFloat(lonInput.value);
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      return null;
    }
    return window.L.latLng(lat, lon);
  }

  function setUp(element) {
    var L = window.L;
    var latInput = document.getElementById(element.dataset.latitudeInput);
    var lonInput = document.getElementById(element.dataset.longitudeInput);
    if (element.dataset.ready || !latInput || !lonInput) {
      return;
    }
    element.dataset.ready = "1";
    element.hidden = false;
    var view = (element.dataset.defaultView || "46.6,2.4,5").split(",").map(Number);
    var map = L.map(element, { scrollWheelZoom: false });
    // Leaflet's default prefix carries an inline-styled flag the CSP refuses.
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.tileAttribution,
      maxZoom: 19,
      // The page sends no referrer elsewhere; tile servers ask for the site's origin.
      referrerPolicy: "strict-origin-when-cross-origin",
    }).addTo(map);
    var marker = null;

    function write(latlng) {
      var point = latlng.wrap();
      latInput.value = point.lat.toFixed(6);
      lonInput.value = point.lng.toFixed(6);
      latInput.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
        return;
      }
      marker = L.marker(latlng, { draggable: true, title: element.dataset.markerTitle || "" }).addTo(map);
      marker.on("dragend", function () {
        write(marker.getLatLng());
      });
    }

    map.on("click", function (event) {
      place(event.latlng);
      write(event.latlng);
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = validPoint(latInput, lonInput);
        if (point) {
          place(point);
          map.panTo(point);
        }
      });
    });
    var start = validPoint(latInput, lonInput);
    if (start) {
      place(start);
      map.setView(start, 16);
    } else {
      map.setView([view[0] || 46.6, view[1] || 2.4], view[2] || 5);
    }
  }

  function setUpAll(root, attempts) {
    var maps = (root || document).querySelectorAll("[data-location-map]");
    if (!maps.length) {
      return;
    }
    if (!window.L) {
      // Leaflet loads separately (after an htmx swap, in no set order): wait a little for it.
      if (attempts < 100) {
        window.setTimeout(function () {
          setUpAll(root, attempts + 1);
        }, 50);
      }
      return;
    }
    maps.forEach(setUp);
  }

  setUpAll(document, 0);
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.target, 0);
  });
})();
