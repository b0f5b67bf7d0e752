/*
 * Holds the portal's opening-hours model against opening_hours.js (the reference implementation
 * of the OSM syntax) and against open-now.js (what the site runs), in 15-minute steps.
 * Run by tests/test_hours_osm_js.py: `TZ=Europe/Brussels node tests/hours_compare.js CASES.json`.
 * CASES.json: {start: "2026-01-01", days: N, cases: [{osm, model: [[[start, end, note, note_nl], ...] per day],
 * embedded: [data-portal-hours of the first year, of the second year]}]}.
 * Prints {cases: [{osm, steps, disagreements: [{when, osm, model, openNow}], warnings}]} as JSON.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const OpeningHours = require("opening_hours");

/* open-now.js asks Intl for Brussels wall time at every step; 3 million formatToParts calls take a
 * minute. Brussels changes its UTC offset only on a whole UTC hour, so the real formatter is asked
 * once per UTC hour for the offset, and the parts of every minute in that hour follow exactly. */
const RealFormat = Intl.DateTimeFormat;
const brussels = new RealFormat("en-GB", { timeZone: "Europe/Brussels", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });   // built once: a formatter costs ~1 ms
const offsets = new Map();
function brusselsOffset(date) {
  const hour = Math.floor(date.getTime() / 3600000);
  if (!offsets.has(hour)) {
    const parts = {};
    brussels.formatToParts(new Date(hour * 3600000)).forEach((p) => { parts[p.type] = p.value; });
    const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
    offsets.set(hour, wall - hour * 3600000);
  }
  return offsets.get(hour);
}
Intl.DateTimeFormat = function (locale, options) {
  if (!options || options.timeZone !== "Europe/Brussels") {
    return new RealFormat(locale, options);
  }
  return {
    formatToParts(date) {
      const wall = new Date(date.getTime() + brusselsOffset(date));
      const two = (n) => String(n).padStart(2, "0");
      return [["year", String(wall.getUTCFullYear())], ["month", two(wall.getUTCMonth() + 1)], ["day", two(wall.getUTCDate())],
        ["hour", two(wall.getUTCHours())], ["minute", two(wall.getUTCMinutes())], ["second", two(wall.getUTCSeconds())]]
        .map(([type, value]) => ({ type, value }));
    }
  };
};
const openNow = require(path.join(__dirname, "..", "templates", "theme", "assets", "portal", "open-now.js"));

const NOMINATIM = { lat: 50.85, lon: 4.35, address: { country_code: "be", state: "Vlaanderen" } };
// Marker texts: the state and note are read back from the sentence open-now.js composes.
const TEXTS = {
  range: "{start}-{end}", and: "+", now_open: "OPEN", now_closed_opens: "CLOSED", now_closed: "CLOSED",
  today_open: "T", today_closed: "CLOSED", today_closed_reason: "CLOSED", tomorrow_open: "M",
  tomorrow_closed: "M", tomorrow_closed_reason: "M"
};

function state(open, note) {
  return open ? "open" + (note ? " \"" + note + "\"" : "") : "closed";
}

function openNowState(data, when) {
  const result = openNow.status(data, TEXTS, when);
  if (!result) {
    return "no data";
  }
  const first = result.text.split(". ")[0];
  const note = /^OPEN \((.*)\)\.?$/.exec(first);
  return first.startsWith("OPEN") ? state(true, note ? note[1] : "") : "closed";
}

/* OSM gives a public holiday's name as the comment of a PH rule's hours: not a note of the office. */
const holidayNames = new Set(new OpeningHours("PH 00:00-24:00", NOMINATIM)
  .getOpenIntervals(new Date(2020, 0, 1), new Date(2040, 0, 1)).map((span) => span[3]));

function compare(item, start, days) {
  const [y, m, d] = start.split("-").map(Number);
  let oh;
  try {
    oh = new OpeningHours(item.osm, NOMINATIM, { mode: 0 });
  } catch (error) {
    return { osm: item.osm, steps: 0, error: String(error).split("\n")[0] };
  }
  const spans = oh.getOpenIntervals(new Date(y, m - 1, d), new Date(y, m - 1, d + days));
  const found = [];
  let steps = 0, pointer = 0;
  for (let day = 0; day < days; day++) {
    const data = item.embedded[Math.min(Math.floor(day / 365), item.embedded.length - 1)];
    for (let minute = 0; minute < 1440; minute += 15) {
      const when = new Date(y, m - 1, d + day, Math.floor(minute / 60), minute % 60);
      if (when.getHours() * 60 + when.getMinutes() !== minute) {
        continue;  // a wall time that does not exist (the spring daylight-saving switch)
      }
      steps++;
      while (pointer < spans.length && spans[pointer][1] <= when) {
        pointer++;
      }
      const span = pointer < spans.length && spans[pointer][0] <= when ? spans[pointer] : null;
      const comment = span && span[3] && !holidayNames.has(span[3]) ? span[3] : "";
      const osm = span ? (span[2] ? "unknown" : state(true, comment)) : "closed";
      const interval = item.model[day].find((iv) => iv[0] <= minute && minute < iv[1]);
      const model = interval ? state(true, interval[2]) : "closed";
      const shown = openNowState(data, when);
      const expected = interval ? state(true, interval[3]) : "closed";
      if (osm !== model || shown !== expected) {
        found.push({ when: `${when.getFullYear()}-${String(when.getMonth() + 1).padStart(2, "0")}-${String(when.getDate()).padStart(2, "0")} ${String(when.getHours()).padStart(2, "0")}:${String(when.getMinutes()).padStart(2, "0")}`, osm, model, openNow: shown, openNowExpected: expected });
      }
    }
  }
  return { osm: item.osm, steps, disagreements: found };
}

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf-8"));
const cases = input.cases.map((item) => compare(item, input.start, input.days));
process.stdout.write(JSON.stringify({ cases }));
