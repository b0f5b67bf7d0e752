/* The portal's additions to Decap CMS: the opening-hours widget, the services checklist, the
   macros as editor components, and the `portal check` panel that runs after every save.
   Served from this host with Decap itself (portal/admin/__init__.py); no request leaves it. */
(function () {
  "use strict";
  var CMS = window.CMS, h = window.h, createClass = window.createClass;
  var DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
  var MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec";
  var WORDS = {
    nl: {days: ["Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag", "Zaterdag", "Zondag"], PH: "Feestdagen",
         closed: "gesloten", saved: "Wordt bewaard als", hint: "bv. 09:00-12:00, 13:30-16:00 — leeg: gesloten",
         bad: "Schrijf de uren als 09:00-12:00, meerdere blokken met een komma", raw: "Openingsuren (OpenStreetMap-syntaxis)",
         check: "Controle", running: "Bezig met controleren…", none: "Geen fouten: dit kan gepubliceerd worden.",
         errors: " fout(en), ", warnings: " waarschuwing(en). Fouten moeten weg voor publicatie.",
         error: "fout", warning: "waarschuwing", line: "regel", field: "veld", close: "Verbergen",
         contact: "Contactkaart", office: "Kantoor (leeg: het eerste)", hours: "Openingsuren en 'nu open'",
         button: "Knop naar het formulier", form: "Formulier", offices: "Alle kantoren", services: "Lijst van de diensten"},
    fr: {days: ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"], PH: "Jours fériés",
         closed: "fermé", saved: "Enregistré comme", hint: "p. ex. 09:00-12:00, 13:30-16:00 — vide : fermé",
         bad: "Écrivez les heures comme 09:00-12:00, plusieurs plages séparées par une virgule", raw: "Heures (syntaxe OpenStreetMap)",
         check: "Contrôle", running: "Contrôle en cours…", none: "Aucune erreur : prêt à publier.",
         errors: " erreur(s), ", warnings: " avertissement(s). Les erreurs doivent être corrigées avant publication.",
         error: "erreur", warning: "avertissement", line: "ligne", field: "champ", close: "Masquer",
         contact: "Fiche de contact", office: "Bureau (vide : le premier)", hours: "Heures et « ouvert maintenant »",
         button: "Bouton vers le formulaire", form: "Formulaire", offices: "Tous les bureaux", services: "Liste des services"}
  };
  var W = WORDS.nl;

  /* --- opening hours: the OSM string <-> one text per day ---------------------------------- */
  var ADDITIONAL = new RegExp('(?:(?<=\\d\\d:\\d\\d)|(?<=off)|(?<=closed)|(?<="))\\s*,\\s*(?=(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|\\d{4}\\s|(?:' + MONTHS + ')\\s))');
  var INTERVALS = /^\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}(?:\s*"[^"]*")?(?:\s*,\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}(?:\s*"[^"]*")?)*$/;

  function splitRules(text) {
    var out = [], cur = "", quoted = false;
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (ch === '"') quoted = !quoted;
      if (ch === ";" && !quoted) { out.push(cur); cur = ""; } else { cur += ch; }
    }
    out.push(cur);
    return out.map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function norm(value) { return (value || "").trim().replace(/\s*,\s*(?=\d)/g, ",").replace(/\s*-\s*/g, "-"); }

  /* {days: {Mo: "09:00-12:00", ..., PH: "" | null}, extras: [dated rules kept as written]};
     throws on what the widget cannot show per day (the plain field is shown then). */
  function parse(text) {
    var days = {PH: null}, extras = [];
    DAYS.forEach(function (d) { days[d] = ""; });
    splitRules(text || "").forEach(function (rule) {
      rule.split(ADDITIONAL).forEach(function (part, index) {
        var m = part.match(/\d{1,2}:\d{2}|\b(?:off|closed)\b/);
        if (!m) throw new Error("unreadable: " + part);
        var selector = part.slice(0, m.index).trim(), body = part.slice(m.index).trim();
        if (/^(?:off|closed)$/.test(body)) body = "";
        else if (!INTERVALS.test(body)) throw new Error("unreadable hours: " + body);
        var targets = selector ? [] : DAYS.slice(), dated = false;
        selector.split(",").forEach(function (item) {
          item = item.trim();
          if (!item) return;
          var r = item.match(/^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$/);
          if (item === "PH") targets.push("PH");
          else if (r) {
            var a = DAYS.indexOf(r[1]), b = r[2] ? DAYS.indexOf(r[2]) : a;
            for (var k = a; ; k = (k + 1) % 7) { targets.push(DAYS[k]); if (k === b) break; }
          } else dated = true;
        });
        if (dated) { extras.push(part.trim()); return; }
        targets.forEach(function (d) {
          days[d] = index > 0 && body && days[d] ? days[d] + "," + norm(body) : norm(body);
        });
      });
    });
    return {days: days, extras: extras};
  }

  function selector(indexes) {
    var runs = [];
    indexes.forEach(function (i) {
      var last = runs[runs.length - 1];
      if (last && last[1] === i - 1) last[1] = i; else runs.push([i, i]);
    });
    return runs.map(function (r) {
      return r[0] === r[1] ? DAYS[r[0]] : DAYS[r[0]] + (r[1] === r[0] + 1 ? "," : "-") + DAYS[r[1]];
    }).join(",");
  }

  function format(days, extras) {
    var groups = [];
    DAYS.forEach(function (d, i) {
      var v = norm(days[d]);
      if (!v) return;
      var g = groups.filter(function (x) { return x.value === v; })[0];
      if (!g) { g = {value: v, days: []}; groups.push(g); }
      g.days.push(i);
    });
    var rules = groups.map(function (g) { return selector(g.days) + " " + g.value; });
    if (days.PH !== null && days.PH !== undefined) rules.push("PH " + (norm(days.PH) || "off"));
    return rules.concat(extras || []).join("; ") || "off";
  }

  window.portalHours = {parse: parse, format: format};

  var HoursControl = createClass({
    getInitialState: function () {
      try { var p = parse(this.props.value || ""); return {days: p.days, extras: p.extras, raw: null}; }
      catch (e) { return {raw: this.props.value || ""}; }
    },
    isValid: function () {
      if (this.state.raw !== null) return true;
      var days = this.state.days;
      var bad = DAYS.concat(["PH"]).filter(function (d) { var v = norm(days[d]); return v && !INTERVALS.test(v); });
      return bad.length ? {error: {message: W.bad + " (" + bad.join(", ") + ")"}} : true;
    },
    set: function (day, text) {
      var days = Object.assign({}, this.state.days);
      days[day] = text;
      this.setState({days: days});
      this.props.onChange(format(days, this.state.extras));
    },
    render: function () {
      var self = this, id = this.props.forID;
      if (this.state.raw !== null) {
        return h("input", {id: id, className: this.props.classNameWrapper, "aria-label": W.raw, value: this.state.raw,
          onChange: function (e) { self.setState({raw: e.target.value}); self.props.onChange(e.target.value); }});
      }
      var rows = [];
      DAYS.concat(["PH"]).forEach(function (d, i) {
        var inputId = id + "-" + d, name = d === "PH" ? W.PH : W.days[i];
        rows.push(h("label", {key: "l" + d, htmlFor: inputId}, name));
        rows.push(h("input", {key: "i" + d, id: inputId, type: "text", value: self.state.days[d] || "",
          placeholder: W.closed, "aria-describedby": id + "-hint", "data-day": d,
          onChange: function (e) { self.set(d, e.target.value); }}));
      });
      rows.push(h("output", {key: "o", id: id + "-hint"}, W.hint + ". " + W.saved + ": ",
        h("code", null, format(this.state.days, this.state.extras))));
      return h("div", {id: id, className: this.props.classNameWrapper + " portal-hours", role: "group"}, rows);
    }
  });

  /* --- services: a checklist of the catalogue ----------------------------------------------- */
  function toArray(value) { return value && value.toJS ? value.toJS() : (value || []); }

  var ChecklistControl = createClass({
    render: function () {
      var self = this, value = toArray(this.props.value), options = toArray(this.props.field.get("options"));
      return h("div", {id: this.props.forID, className: this.props.classNameWrapper + " portal-checklist", role: "group"},
        options.map(function (o) {
          return h("label", {key: o.value}, h("input", {type: "checkbox", value: o.value, checked: value.indexOf(o.value) >= 0,
            onChange: function (e) {
              var next = value.filter(function (v) { return v !== o.value; });
              if (e.target.checked) next.push(o.value);
              self.props.onChange(next);
            }}), o.label + " (" + o.value + ")");
        }));
    }
  });

  /* --- macros as editor components ---------------------------------------------------------- */
  function macro(id, label, fieldName, fieldLabel, options, required) {
    var fields = fieldName ? [{name: fieldName, label: fieldLabel, widget: "select", required: required, options: options}] : [];
    var re = new RegExp("^\\{\\{\\s*" + id + "\\(\\s*(?:[\"']([^\"']*)[\"'])?\\s*\\)\\s*\\}\\}$");
    CMS.registerEditorComponent({
      id: id, label: label, fields: fields, pattern: re,
      fromBlock: function (m) { var d = {}; if (fieldName) d[fieldName] = m[1] || ""; return d; },
      toBlock: function (d) { var v = fieldName && d[fieldName]; return "{{ " + id + "(" + (v ? '"' + v + '"' : "") + ") }}"; },
      toPreview: function (d) {
        var v = fieldName && d[fieldName];
        return '<div class="portal-macro">' + label + (v ? ": " + String(v).replace(/[<>&"]/g, "") : "") + "</div>";
      }
    });
  }

  /* --- the check panel ------------------------------------------------------------------------ */
  function text(tag, content, cls) { var e = document.createElement(tag); e.textContent = content; if (cls) e.className = cls; return e; }

  function showFindings(result) {
    var panel = document.getElementById("portal-check"), list = document.getElementById("portal-check-list");
    var summary = document.getElementById("portal-check-summary");
    panel.hidden = false;
    panel.dataset.runs = String(Number(panel.dataset.runs || 0) + 1);   // one more finished check
    panel.classList.toggle("has-errors", result.errors > 0);
    list.textContent = "";
    summary.textContent = result.errors || result.warnings
      ? result.errors + W.errors + result.warnings + W.warnings : W.none;
    result.findings.forEach(function (f) {
      var li = text("li", "", f.severity);
      li.appendChild(text("strong", f.severity === "error" ? W.error : W.warning));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(text("code", f.path + " " + W.line + " " + f.line));
      if (f.field) li.appendChild(document.createTextNode(" (" + W.field + ": " + f.field.join(" › ") + ")"));
      li.appendChild(document.createTextNode(": " + f.message + (f.hint ? " — " + f.hint : "")));
      list.appendChild(li);
    });
  }

  function runCheck() {
    var summary = document.getElementById("portal-check-summary");
    document.getElementById("portal-check").hidden = false;
    summary.textContent = W.running;
    return fetch("api/check", {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"})
      .then(function (r) { return r.json(); }).then(showFindings)
      .catch(function (e) { summary.textContent = String(e); });
  }
  window.portalCheck = runCheck;

  /* {{ social_house }} must reach the file as written: the rich-text editor escapes `_`. */
  function keepMacros(body) {
    return typeof body === "string"
      ? body.replace(/\{\{[^{}]*\}\}/g, function (m) { return m.replace(/\\([_*\[\]()#+.!-])/g, "$1"); }) : body;
  }

  Promise.all([fetch("config.json").then(function (r) { return r.json(); }),
               fetch("portal.json").then(function (r) { return r.json(); })]).then(function (loaded) {
    var config = loaded[0], portal = loaded[1];
    W = WORDS[portal.language] || WORDS.nl;
    document.documentElement.lang = portal.language;
    document.getElementById("portal-check-title").textContent = W.check + " (portal check " + portal.slug + ")";
    CMS.registerWidget("opening-hours", HoursControl);
    CMS.registerWidget("service-checklist", ChecklistControl);
    var offices = portal.offices.map(function (o) { return {label: o.label + " (" + o.id + ")", value: o.id}; });
    var forms = portal.forms.map(function (f) { return {label: f.id, value: f.id}; });
    macro("contact_card", W.contact, "office", W.office, offices, false);
    macro("opening_hours", W.hours, "office", W.office, offices, false);
    macro("form_button", W.button, "form", W.form, forms, true);
    macro("office_list", W.offices);
    macro("service_list", W.services);
    CMS.registerEventListener({name: "preSave", handler: function (args) {
      var data = args.entry.get("data");
      return data.has("body") ? data.set("body", keepMacros(data.get("body"))) : data;
    }});
    CMS.registerEventListener({name: "postSave", handler: function () { runCheck(); }});
    CMS.init({config: config});
  });
})();
