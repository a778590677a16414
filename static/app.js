/* Starting Point: the one small script. It only enhances: every page works without it.
   - saves each answer the moment it is tapped, and says "Saved";
   - keeps unsent answers on the phone and sends them again when the connection is back:
     each kept answer belongs to one learner (the page's data-learner key), is shown and sent
     only on that learner's pages, goes with the page's current CSRF token (a refused token is
     replaced by the one the server sends back, once), and is let go only when the server says
     the answer itself is wrong ("drop");
   - the assessor's ratings saved as they are chosen, with a warning before leaving the page
     while one is not saved;
   - a print button; a printed ledger shows what each figure is made of (its details open);
   - on a draft being checked, the source lines behind the outcome or criterion being edited
     are highlighted and scrolled into view beside it. */
(function () {
  "use strict";
  var KEY = "starting-point-unsent";

  function unsent() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function keep(list) {
    try { window.localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode */ }
  }

  /* whose answers this page may show and send: an opaque key, never a name (an answering
     form, or a page with no answers of its own that still sends what the phone kept) */
  var owner = document.querySelector("form[data-autosave][data-learner], [data-learner]");
  var me = owner ? owner.getAttribute("data-learner") || "" : "";
  var renewed = null;  /* a token the server sent back after refusing the page's own */
  function token() {
    if (renewed) { return renewed; }
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : (owner && owner.getAttribute("data-csrf")) || "";
  }
  /* kept by an older version of this script: no owner, only the token of its own session */
  function ownerless(p) { return !p.who && !!p.csrf; }
  function mine(p) { return !!me && (p.who === me || ownerless(p)); }

  var status = document.getElementById("save-status");
  function show(text, kind) {
    if (!status) { return; }
    status.textContent = text;
    status.className = "save-status" + (kind ? " " + kind : "");
  }

  function same(a, b) {
    return a.who === b.who && a.url === b.url && a.name === b.name &&
      (a.name !== "interests" || a.value.split(":")[0] === b.value.split(":")[0]);
  }

  var fadeTimer = null;
  function fade() {
    window.clearTimeout(fadeTimer);
    fadeTimer = window.setTimeout(function () {
      if (status && status.className === "save-status ok") { show("", ""); }
    }, 2500);
  }

  var busy = false;
  var timer = null;
  function later() {
    if (!timer) { timer = window.setTimeout(function () { timer = null; flush(); }, 4000); }
  }

  var retried = false;  /* the current token has been tried once since the last save */
  function flush() {
    var item = unsent().filter(mine)[0];
    if (busy || !item) { return; }
    busy = true;
    show("Saving\u2026");
    var body = new URLSearchParams();
    body.set("csrf_token", item.who ? token() : item.csrf);
    if (item.who) { body.set("learner", item.who); }  /* the server refuses it for anyone else */
    body.set("name", item.name);
    body.set("value", item.value);
    body.set("page", item.page || "");
    window.fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        busy = false;
        var rest = unsent().filter(function (p) { return !(same(p, item) && p.at === item.at); });
        var final = response.status >= 400 && response.status < 500 && response.status !== 429;
        if (response.ok) {
          retried = false;
          keep(rest);
          if (rest.filter(mine).length) { flush(); } else { show("Saved", "ok"); fade(); }
        } else if (json.csrf_token && item.who && !retried) {
          /* the session changed since this page was shown (the link opened again, say):
             send it again, once, with the token the server sent back */
          renewed = json.csrf_token;
          retried = true;
          flush();
        } else if (json.drop || (final && !item.who)) {
          /* the answer itself was refused (or an ownerless one from an older page was):
             sending it again would not help */
          keep(rest);
          show(json.error || "That answer was not saved. Reload the page and try again.", "error");
          flush();
        } else if (final) {
          /* not the answer's fault (this phone forgot them, another learner's page, an old
             page): kept on the phone for its learner, to send from their own page */
          show(json.error || "Your answers are kept on this phone. Reload the page to send them.", "warn");
        } else {
          show("Not saved yet. Trying again\u2026", "warn");
          later();
        }
      });
    }, function () {
      busy = false;
      show("No connection. Your answers are kept on this phone and will be saved when you are back online.", "warn");
      later();
    });
  }

  function remember(form, input) {
    if (!me) { return; }
    var item = {
      who: me,
      url: form.getAttribute("data-autosave"),
      name: input.name,
      value: input.type === "checkbox" ? input.value + ":" + (input.checked ? "1" : "0") : input.value,
      page: form.getAttribute("data-page") || "",
      at: Date.now()
    };
    var list = unsent().filter(function (p) { return !same(p, item); });
    list.push(item);
    keep(list);
    flush();
  }

  /* answers kept from an earlier visit win over what the server showed, until they are sent */
  function restore(form) {
    unsent().forEach(function (p) {
      /* only this learner's own: another learner's answers are never shown, nor ownerless ones */
      if (!me || p.who !== me || p.url !== form.getAttribute("data-autosave")) { return; }
      var value = p.name === "interests" ? p.value.split(":")[0] : p.value;
      var inputs = form.querySelectorAll("[name='" + p.name.replace(/'/g, "") + "']");
      Array.prototype.forEach.call(inputs, function (input) {
        if (input.tagName === "SELECT" || input.type === "text") { input.value = value; return; }
        if (input.value !== value) { return; }
        if (input.type === "radio" || input.type === "checkbox") {
          input.checked = p.name === "interests" ? p.value.split(":")[1] === "1" : true;
        }
      });
    });
  }

  /* "Save and continue" with no connection would show the browser's own error page: keep the
     page's answers on the phone instead (the queue each tap uses), say so, and carry on by
     sending the page as soon as the connection is back */
  function keepPageOffline(form, event) {
    if (navigator.onLine !== false) { return; }
    event.preventDefault();
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.type === "checkbox" || input.tagName === "SELECT" || input.type === "text" ||
          (input.type === "radio" && input.checked)) { remember(form, input); }
    });
    var back = event.submitter && event.submitter.value === "back";
    show(back ?
      "No connection. Your answers are kept on this phone. When you are back online, they will be sent and the page before will open." :
      "No connection. Your answers are kept on this phone. When you are back online, they will be sent and the next page will open.",
      "warn");
    if (form.getAttribute("data-waiting")) { return; }
    form.setAttribute("data-waiting", "1");
    window.addEventListener("online", function () {
      form.removeAttribute("data-waiting");
      if (form.requestSubmit && event.submitter) { form.requestSubmit(event.submitter); } else { form.submit(); }
    }, { once: true });
  }

  if (window.fetch && window.URLSearchParams) {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), function (form) {
      restore(form);
      /* the page's own POST carries every answer on it: queued copies would only be stale */
      form.addEventListener("submit", function () {
        if (!navigator.onLine) { return; }
        var url = form.getAttribute("data-autosave");
        keep(unsent().filter(function (p) { return !(p.who === me && p.url === url); }));
      });
      form.addEventListener("submit", function (event) { keepPageOffline(form, event); });
      form.addEventListener("change", function (event) {
        var input = event.target;
        if (input.type === "radio" || input.type === "checkbox" || input.tagName === "SELECT" ||
            input.type === "text") { remember(form, input); }
      });
    });
    window.addEventListener("online", flush);
    flush();
  }

  /* the assessor's plan: re-run the rules on every tick, before saving */
  var planForm = document.querySelector("form[data-plan-check]");
  if (planForm && window.fetch && window.FormData) {
    planForm.addEventListener("change", function () {
      var body = new URLSearchParams(new FormData(planForm));
      body.delete("action");
      window.fetch(planForm.getAttribute("data-plan-check"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (r) { return r.json(); }).then(function (json) {
        var box = document.getElementById("plan-check");
        if (!box || !json.ok) { return; }
        box.textContent = "";
        var p = document.createElement("p");
        var strong = document.createElement("strong");
        strong.textContent = String(json.credits);
        p.appendChild(strong);
        p.appendChild(document.createTextNode(" credits with F1 and F2."));
        box.appendChild(p);
        if (json.valid) {
          var ok = document.createElement("p");
          ok.className = "ok-text";
          ok.textContent = "Meets every rule of combination.";
          box.appendChild(ok);
        } else {
          var list = document.createElement("ul");
          list.className = "problems";
          json.problems.forEach(function (message) {
            var li = document.createElement("li");
            li.textContent = message;
            list.appendChild(li);
          });
          box.appendChild(list);
        }
      }, function () { /* offline: the Save button still checks on the server */ });
    });
  }

  /* the assessor's ratings on the gap report: each saved as it is chosen; leaving the page
     with a rating not yet saved asks first (the browser's own "leave this page?") */
  var ratingForm = document.querySelector("form[data-rating-autosave]");
  if (ratingForm && window.fetch && window.URLSearchParams) {
    var unsaved = {};
    var ratingStatus = document.getElementById("rating-status");
    var say = function (text, kind) {
      if (!ratingStatus) { return; }
      ratingStatus.textContent = text;
      ratingStatus.className = "rating-status" + (kind ? " " + kind : "");
    };
    var pending = function () { return Object.keys(unsaved).length; };
    var sendRating = function (select) {
      var body = new URLSearchParams();
      body.set("csrf_token", ratingForm.querySelector("input[name=csrf_token]").value);
      body.set(select.name, select.value);
      unsaved[select.name] = select.value;
      say("Saving\u2026");
      window.fetch(ratingForm.getAttribute("action"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (response.ok && json.ok) {
            if (unsaved[select.name] === select.value) { delete unsaved[select.name]; }
            say(pending() ? pending() + " rating(s) not saved yet" : "Saved", pending() ? "warn" : "ok");
          } else {
            say((json.error || "That rating was not saved.") + " Use Save my ratings.", "warn");
          }
        });
      }, function () {
        say("No connection: " + pending() + " rating(s) not saved. Use Save my ratings when you are back online.", "warn");
      });
    };
    ratingForm.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") { sendRating(event.target); }
    });
    ratingForm.addEventListener("submit", function () { unsaved = {}; });
    window.addEventListener("beforeunload", function (event) {
      if (pending()) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  /* a draft beside its source: light up the lines the part being edited was read from */
  var source = document.querySelector(".source");
  if (source) {
    var lit = [];
    document.addEventListener("focusin", function (event) {
      var part = event.target.closest && event.target.closest("[data-lines]:not(a)");
      if (!part || part.classList.contains("lit")) { return; }
      lit.forEach(function (el) { el.classList.remove("lit"); });
      lit = [part];
      part.classList.add("lit");
      var numbers = part.getAttribute("data-lines").split(" ").filter(Boolean);
      numbers.forEach(function (n) {
        var row = document.getElementById("line-" + n);
        if (row) { row.classList.add("lit"); lit.push(row); }
      });
      var first = lit[1];
      if (first) {
        source.scrollTop += first.getBoundingClientRect().top -
          source.getBoundingClientRect().top - source.clientHeight / 3;
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".ledger details, details.figure"),
      function (d) { d.open = true; });
  });
}());
