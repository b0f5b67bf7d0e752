/*
 * Quick exit ("Verlaat deze pagina snel" / "Quitter rapidement ce site").
 *
 * The button is a plain link to a neutral page of the same site, so it works without JavaScript.
 * With JavaScript, leaving uses location.replace: the neutral page takes the place of this page in
 * the history, so Back does not return to it (browsers keep the pages before it; nothing can
 * remove those). Keyboard: the link is focusable like any link (Enter), and pressing Shift three
 * times within two seconds leaves from anywhere on the page, as on GOV.UK's "Exit this page";
 * Escape is not used because it already closes the search and dialogs.
 *
 * Markup (see portal/site/quick_exit.py):
 *   <div class="portal-quick-exit" data-portal-quick-exit>
 *     <a class="portal-quick-exit__button" href="NEUTRAL-PAGE-URL" rel="nofollow">LABEL</a>
 *     <span class="portal-quick-exit__hint" hidden>HINT</span>
 *   </div>
 */
(function () {
  "use strict";

  var SHIFT_PRESSES = 3;
  var WITHIN_MS = 2000;

  function leave(href) {
    // Hide the page at once: location.replace may take a moment on a slow connection.
    document.documentElement.style.visibility = "hidden";
    document.title = "";
    window.location.replace(href);
  }

  function setUp() {
    var link = document.querySelector("[data-portal-quick-exit] a[href]");
    if (!link) {
      return;
    }
    // The hint names the Shift shortcut, which only works with JavaScript.
    var hint = document.querySelector("[data-portal-quick-exit] .portal-quick-exit__hint");
    if (hint) {
      hint.hidden = false;
    }
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0) {
        return; // a new tab or window was asked for: leave it to the browser
      }
      event.preventDefault();
      leave(link.href);
    });
    var presses = [];
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") {
        presses = [];
        return;
      }
      var now = Date.now();
      presses = presses.filter(function (time) { return now - time < WITHIN_MS; });
      presses.push(now);
      if (presses.length >= SHIFT_PRESSES) {
        presses = [];
        leave(link.href);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp, {once: true});  // once: main.html repeats the event for the lazily loaded theme bundle
  } else {
    setUp();
  }
})();
