// Field report: the phone's location on request (with the browser's permission), and one
// submission per tap on a slow connection.
(function () {
  "use strict";
  var form = document.getElementById("field-report");
  if (!form) return;
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  var lat = form.querySelector("input[name=latitude]");
  var lng = form.querySelector("input[name=longitude]");
  if (button && !("geolocation" in navigator)) button.hidden = true;
  if (button) button.addEventListener("click", function () {
    status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lng.value = position.coords.longitude.toFixed(6);
      status.textContent = button.dataset.done + " " + lat.value + ", " + lng.value +
        " (±" + Math.round(position.coords.accuracy) + "m)";
    }, function () {
      status.textContent = button.dataset.failed;
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
  form.addEventListener("submit", function () {
    var send = form.querySelector("[type=submit]");
    setTimeout(function () { send.disabled = true; }, 0);
  });
})();
