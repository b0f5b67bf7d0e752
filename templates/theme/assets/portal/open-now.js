/*
 * "Open now": fills each opening-hours status element (rendered by portal/site/hours_html.py) with
 * the office's status at this moment in Brussels, whatever the visitor's time zone, and keeps it
 * right: it re-checks at the next opening or closing time and every minute.
 *
 * The element carries its data: data-portal-hours (the plain week, Monday first, and every day
 * that differs, [start minute, end minute, note] per interval, valid from..to) and
 * data-portal-texts (the sentences in the page's language, from portal/common/messages/hours.yml).
 * The sentences are composed exactly like portal.municipal.hours.status_text; keep the two in step.
 * Without data for today or tomorrow the element stays hidden: the table below is then all
 * the visitor sees, never a stale "open". No dependencies, no inline script. Under Node it
 * exports status() instead of starting (the OSM comparison test runs it over the embedded data).
 */
(function () {
  "use strict";

  var ZONE = "Europe/Brussels";
  var formatter = null;
  var timer = null;

  /* Brussels wall time: {iso: "2026-11-10", minute: minutes since midnight, ms: ms into that minute}. */
  function wallClock(date) {
    formatter = formatter || new Intl.DateTimeFormat("en-GB", {
      timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
    });
    var parts = {};
    formatter.formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    return {
      iso: parts.year + "-" + parts.month + "-" + parts.day,
      minute: Number(parts.hour) * 60 + Number(parts.minute),
      ms: Number(parts.second) * 1000 + date.getMilliseconds()
    };
  }

  function utcDate(iso, plusDays) {
    return new Date(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)) + (plusDays || 0)));
  }

  function addDays(iso, days) {
    return utcDate(iso, days).toISOString().slice(0, 10);
  }

  /* The day's intervals and reason, or null outside the range the data covers. */
  function dayOf(data, iso) {
    if (iso < data.from || iso > data.to) {
      return null;
    }
    var special = data.days[iso];
    if (special) {
      return { i: special.i, r: special.r };
    }
    return { i: data.week[(utcDate(iso).getUTCDay() + 6) % 7], r: "" };
  }

  function hhmm(minutes) {
    var h = Math.floor(minutes / 60), m = minutes % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function note(interval) {
    return interval[2] ? " (" + interval[2] + ")" : "";
  }

  function ranges(texts, intervals) {
    var parts = intervals.map(function (iv) {
      return fill(texts.range, { start: hhmm(iv[0]), end: hhmm(iv[1]) }) + note(iv);
    });
    if (parts.length === 1) {
      return parts[0];
    }
    return parts.slice(0, -1).join(", ") + " " + texts.and + " " + parts[parts.length - 1];
  }

  function closedSentence(texts, key, day) {
    return day.r ? fill(texts[key + "_reason"], { reason: day.r }) : texts[key];
  }

  /* {text, next: minute of today's next opening or closing (1440: midnight)} or null. */
  function status(data, texts, now) {
    var clock = wallClock(now);
    var today = dayOf(data, clock.iso);
    var tomorrow = dayOf(data, addDays(clock.iso, 1));
    if (!today || !tomorrow) {
      return null;
    }
    var minute = clock.minute, current = null, upcoming = null, next = 1440, sentences = [];
    today.i.forEach(function (iv) {
      if (iv[0] <= minute && minute < iv[1]) { current = iv; }
      if (iv[0] > minute && !upcoming) { upcoming = iv; }
      if (iv[0] > minute) { next = Math.min(next, iv[0]); }
      if (iv[1] > minute) { next = Math.min(next, iv[1]); }
    });
    if (!today.i.length) {
      sentences.push(closedSentence(texts, "today_closed", today) + ".");
    } else {
      if (current) {
        sentences.push(fill(texts.now_open, { end: hhmm(current[1]) }) + note(current) + ".");
      } else if (upcoming) {
        sentences.push(fill(texts.now_closed_opens, { start: hhmm(upcoming[0]) }) + note(upcoming) + ".");
      } else {
        sentences.push(texts.now_closed + ".");
      }
      if (current || upcoming) {
        sentences.push(fill(texts.today_open, { ranges: ranges(texts, today.i) }) + ".");
      }
    }
    if (!(current || upcoming) || (!tomorrow.i.length && tomorrow.r)) {
      if (tomorrow.i.length) {
        sentences.push(fill(texts.tomorrow_open, { ranges: ranges(texts, tomorrow.i) }) + ".");
      } else {
        sentences.push(closedSentence(texts, "tomorrow_closed", tomorrow) + ".");
      }
    }
    return { text: sentences.join(" "), next: next, clock: clock };
  }

  /* Node (tests/hours_compare.js) runs the same status() over the data the site embeds. */
  if (typeof module === "object" && module.exports) {
    module.exports = { status: status };
    return;
  }

  function hidePassedDays(iso) {
    document.querySelectorAll(".portal-hours__exceptions").forEach(function (block) {
      var items = block.querySelectorAll("li[data-date]"), shown = 0;
      items.forEach(function (item) {
        item.hidden = item.getAttribute("data-date") < iso;
        shown += item.hidden ? 0 : 1;
      });
      block.hidden = items.length > 0 && shown === 0;
    });
  }

  function update() {
    var now = new Date(), wait = 60000;
    document.querySelectorAll("[data-portal-hours]").forEach(function (element) {
      var result = null;
      try {
        result = status(JSON.parse(element.getAttribute("data-portal-hours")),
                        JSON.parse(element.getAttribute("data-portal-texts")), now);
      } catch (error) {
        result = null;  // unreadable data: show nothing rather than something wrong
      }
      if (!result) {
        element.hidden = true;
        element.textContent = "";
        return;
      }
      element.hidden = false;
      // Only a changed text is written, so screen readers announce changes, not every check.
      if (element.textContent !== result.text) {
        element.textContent = result.text;
      }
      wait = Math.min(wait, (result.next - result.clock.minute) * 60000 - result.clock.ms);
    });
    hidePassedDays(wallClock(now).iso);
    clearTimeout(timer);
    timer = setTimeout(update, Math.max(wait, 0) + 50);
  }

  function start() {
    update();
    setInterval(update, 60000);  // also catches clock changes, sleep and daylight-saving switches
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, {once: true});  // once: main.html repeats the event for the lazily loaded theme bundle
  } else {
    start();
  }
})();
