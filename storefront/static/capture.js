// The checkout's shipping fields hide while "ship to the billing address" is ticked
// (the server ignores them then too).
(function () {
  "use strict";
  var shipping = document.querySelector("[data-unless]");
  if (!shipping) { return; }
  var box = document.getElementById(shipping.dataset.unless);
  if (!box) { return; }
  function show() { shipping.hidden = box.checked; }
  box.addEventListener("change", show);
  show();
})();

// Sends the email a guest types at checkout to the shop, debounced, so that the cart can
// be recovered if they leave. The "No thanks" button turns it off.
(function () {
  "use strict";
  var field = document.querySelector("[data-capture-url]");
  if (!field) { return; }
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var timer = null;
  var sent = "";
  var looksLikeEmail = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

  function send() {
    var value = field.value.trim();
    if (value === sent || !looksLikeEmail.test(value) || field.dataset.captureOff) { return; }
    sent = value;
    fetch(field.dataset.captureUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({email: value}),
      credentials: "same-origin"
    }).catch(function () { sent = ""; });
  }

  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(send, 800);
  });
  field.addEventListener("blur", send);

  var noThanks = document.querySelector("[data-capture-off]");
  if (noThanks) {
    noThanks.addEventListener("submit", function (event) {
      event.preventDefault();
      field.dataset.captureOff = "1";
      clearTimeout(timer);
      fetch(noThanks.action, {
        method: "POST",
        headers: {"Accept": "application/json", "X-CSRFToken": token},
        credentials: "same-origin"
      });
      document.querySelector(".capture-notice").textContent =
        "Understood: we will not use your email until you place the order.";
    });
  }
})();
