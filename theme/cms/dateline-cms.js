/* dateline's widgets for Decap CMS: a figure box as a form, a time in the story's zone,
 * names offered from the figures registry, and a preview in the site's own style.
 *
 * The figure-box grammar here mirrors dateline/read/figures.py, so the preview names the
 * mistakes the build would reject; tests/test_cms.py runs both on one table of lines.
 * What it writes is the content contract's grammar; a box or a claim line the editor
 * did not change is written back as it was read, byte for byte.
 *
 * In Node (the tests) this file only exports its functions; in the admin page it also
 * registers them with Decap (window.CMS).
 */
(function (root) {
  "use strict";

  var QUALIFIERS = {
    "more than": [true, false], "over": [true, false], "at least": [true, false],
    "about": [true, true], "around": [true, true], "approximately": [true, true],
    "nearly": [false, true], "almost": [false, true], "up to": [false, true],
    "at most": [false, true], "fewer than": [false, true], "less than": [false, true],
    "under": [false, true]
  };
  var STATUSES = ["unverified", "verified", "disputed"];
  var SCALES = { thousand: 1e3, k: 1e3, million: 1e6, m: 1e6, billion: 1e9 };
  var LARGEST = 1e15;

  function num(p) {
    return "(?<" + p + "digits>\\p{Nd}{1,3}(?:,\\p{Nd}{3})+(?:\\.\\p{Nd}+)?|\\p{Nd}+(?:\\.\\p{Nd}+)?)" +
      "(?:(?<" + p + "suffix>[kKmM])(?![\\p{L}])|\\s+(?<" + p + "scale>thousand|million|billion)\\b)?";
  }
  var QUALIFIER = Object.keys(QUALIFIERS).sort(function (a, b) { return b.length - a.length; }).join("|");
  var SEPARATOR = "(?:\\s*[-\\u2013]\\s*|\\s+to\\s+)?";
  var VALUE = new RegExp(
    "^(?:between\\s+" + num("a") + "\\s+and\\s+" + num("b") +
    "|(?<qualifier>" + QUALIFIER + ")\\s+" + num("q") + SEPARATOR +
    "|" + num("c") + SEPARATOR + "(?:" + num("d") + ")?)(?=\\s|%|$)", "iu");
  var STATUS_TAIL = /\[\s*([^\[\]]*?)\s*\]\s*$/;
  var AS_OF_TAIL = /\(\s*as\s+of\s+([^()]*?)\s*\)\s*$/i;
  var LINK_SOURCE = /^\[([^\]]+)\]\(([^()\s]+)\)\s*:\s*(.*)$/;
  var PLAIN_SOURCE = /^([^:\[\]]+?)\s*:\s*(.*)$/;
  var ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  var FENCE = /^(`{3,}|~{3,})[ \t]*figures(?:[ \t]+([^\n]*))?\n((?:[^\n]*\n)*?)[ \t]*\1[ \t]*(?=\n|$)/;

  // The form asks for as-of dates in one form, though the build reads more (python-dateutil).
  var AS_OF_FORM = "write the as-of date like 2022-03-02, or a time like 2022-03-02 14:05";

  function words(text) { return String(text == null ? "" : text).replace(/\s+/g, " ").trim(); }

  function number(groups, p) {
    var digits = groups[p + "digits"];
    if (digits === undefined) return null;
    var scale = (groups[p + "suffix"] || groups[p + "scale"] || "").toLowerCase();
    if (digits.length > 40) throw new Error("the number " + digits.slice(0, 20) + "… is too long; check it");
    var value = Number(digits.replace(/,/g, "").replace(/\p{Nd}/gu, function (d) {
      return String(digitValue(d));
    })) * (SCALES[scale] || 1);
    if (value > LARGEST) throw new Error("the number " + digits + (scale ? " " + scale : "") + " is too large; check it");
    return value;
  }

  function digitValue(d) {
    // A decimal digit of any script: its value is its place in its block of ten.
    var code = d.codePointAt(0);
    for (var zero = code; zero > code - 10; zero--) {
      if (!/\p{Nd}/u.test(String.fromCodePoint(zero - 1))) return code - zero;
    }
    return code - zero;
  }

  /* `VALUE [UNIT…]` as {qualifier, low, high, range, unit}; throws with what to write. */
  function parseValue(text) {
    var m = VALUE.exec(text);
    if (!m) {
      throw new Error("cannot read a number at the start of '" + text + "'; write it like " +
        "'498', 'more than 7,000', '1.5 million' or '1,000-2,000'");
    }
    var g = m.groups, rest = text.slice(m[0].length).trim();
    var lowP = g.adigits !== undefined ? "a" : g.qdigits !== undefined ? "q" : "c";
    var highP = lowP === "a" ? "b" : "d";
    var first = number(g, lowP), second = lowP === "q" ? null : number(g, highP);
    if (second === null) {
      var matched = m[0].trimEnd();
      if (/[-\u2013]$/.test(matched) || /to$/i.test(matched)) throw new Error("range in '" + text + "' has no upper end");
      var qualifier = g.qualifier ? g.qualifier.toLowerCase() : null;
      var bounds = qualifier ? QUALIFIERS[qualifier] : [true, true];
      return { qualifier: qualifier, low: bounds[0] ? first : null, high: bounds[1] ? first : null, range: false, unit: rest };
    }
    var unscaledLow = !(g[lowP + "suffix"] || g[lowP + "scale"]);
    var highScale = (g[highP + "suffix"] || g[highP + "scale"] || "").toLowerCase();
    if (unscaledLow && highScale) first = first * SCALES[highScale];
    if (first > second) throw new Error("range in '" + text + "' runs from high to low; write the smaller number first");
    return { qualifier: null, low: first, high: second, range: true, unit: rest };
  }

  /* A time as written (`2022-03-02 14:05`, with or without an offset) checked as the
   * build checks it: a real date and time, and, without an offset, one the zone's
   * clocks show exactly once. Returns null or what is wrong. Other ways of writing a
   * time are left to `dateline check`, which reads more of them. */
  function timeProblem(text, zone, allowDate) {
    var m = ISO_TIME.exec(words(text));
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    var day = new Date(Date.UTC(y, mo - 1, d));
    if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return "'" + text + "' is not a real date";
    if (m[4] === undefined) return allowDate ? null : "'" + text + "' has no time of day; write it like '2022-03-02 14:05'";
    if (+m[4] > 23 || +m[5] > 59 || (m[6] && +m[6] > 59)) return "'" + text + "' is not a real time of day";
    if (m[7] || !zone) return null;
    var wall = Date.UTC(y, mo - 1, d, +m[4], +m[5], +(m[6] || 0));
    var offsets = [offsetAt(zone, wall - 864e5), offsetAt(zone, wall + 864e5)];
    var shown = offsets.filter(function (o, i) { return offsets.indexOf(o) === i && offsetAt(zone, wall - o) === o; });
    if (shown.length === 0) return "clocks in " + zone + " skip " + words(text) + " (a clock change); give the time with its offset";
    if (shown.length > 1) return "clocks in " + zone + " show " + words(text) + " twice (a clock change); give the time with its offset, like +01:00";
    return null;
  }

  function offsetAt(zone, utc) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric"
    }).formatToParts(new Date(utc)).forEach(function (p) { parts[p.type] = +p.value; });
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(utc / 1000) * 1000;
  }

  /* The wall-clock time now in `zone`, as the contract writes it. */
  function nowIn(zone, date) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit"
    }).formatToParts(date || new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  /* One box line, split into the form's fields: {source, url, claim, as_of, status, line}.
   * A line that is not `SOURCE: CLAIM` keeps its whole text as the claim, so nothing is lost. */
  function readLine(line) {
    var text = line.trim(), link = LINK_SOURCE.exec(text), plain = link ? null : PLAIN_SOURCE.exec(text);
    if (!link && !plain) return { source: "", url: "", claim: text, as_of: "", status: "unverified", line: line };
    var claim = (link ? link[3] : plain[2]).trim(), status = "", asOf = "", m;
    for (;;) {
      if (!status && (m = STATUS_TAIL.exec(claim))) {
        status = m[1]; claim = claim.slice(0, m.index).trimEnd();
      } else if (!asOf && (m = AS_OF_TAIL.exec(claim))) {
        asOf = m[1]; claim = claim.slice(0, m.index).trimEnd();
      } else break;
    }
    return {
      source: words(link ? link[1] : plain[1]), url: link ? link[2] : "", claim: claim,
      as_of: asOf, status: status ? status.toLowerCase() : "unverified", line: line
    };
  }

  /* What the build would say of a claim (its fields), or null. */
  function claimProblem(c, zone) {
    if (!words(c.source)) return "cannot read '" + words(c.claim) + "' as 'SOURCE: CLAIM'; give the claim a source";
    if (/^https?$/i.test(words(c.source))) return "a web address cannot be the source itself; name the source and give the link";
    if (c.url && !/^(https?:\/\/|[^:]*$)/i.test(c.url)) return "source link '" + c.url + "' is not an http, https or relative URL";
    if (!words(c.claim)) return "source '" + words(c.source) + "' has no claim";
    if (STATUSES.indexOf(c.status || "unverified") < 0) return "unknown status [" + c.status + "]; use [verified], [unverified] or [disputed]";
    if (c.as_of && !ISO_TIME.test(words(c.as_of))) return AS_OF_FORM;
    var problem = c.as_of ? timeProblem(c.as_of, zone, true) : null;
    if (problem) return "as-of date: " + problem;
    try {
      var value = parseValue(words(c.claim));
      if (/[()\[\]]/.test(value.unit)) {
        return "cannot read '" + value.unit + "' after the number; write the date as " +
          "'(as of 2022-03-02)' and the status as '[verified]', in that order, at the end";
      }
    } catch (error) { return error.message; }
    return null;
  }

  /* A fenced figures block as the form's data. */
  function readBlock(text) {
    var m = FENCE.exec(text);
    if (!m) return null;
    var data = { metric: words(m[2]), claims: [], note: "", original: m[0] };
    m[3].split("\n").forEach(function (line) {
      var t = line.trim();
      if (!t) return;
      if (/^note:/i.test(t) && !data.note) {
        data.note = t.slice(5).trim();
        Object.defineProperty(data, "noteAt", { value: data.claims.length }); // not form data
        Object.defineProperty(data, "noteLine", { value: line });
      } else data.claims.push(readLine(line));
    });
    return data;
  }

  function plain(data) { return data && typeof data.toJS === "function" ? data.toJS() : data || {}; }

  function sameClaim(a, b) {
    return ["source", "url", "claim", "as_of"].every(function (k) { return words(a[k]) === words(b[k]); }) &&
      (a.status || "unverified") === (b.status || "unverified");
  }

  function sameBox(a, b) {
    return words(a.metric) === words(b.metric) && words(a.note) === words(b.note) &&
      a.claims.length === b.claims.length &&
      a.claims.every(function (c, i) { return sameClaim(c, b.claims[i]); });
  }

  function writeClaim(c) {
    if (c.line && sameClaim(readLine(c.line), c)) return c.line;
    var source = words(c.source), url = words(c.url), text = words(c.claim);
    if (!source) return text;
    if (words(c.as_of)) text += " (as of " + words(c.as_of) + ")";
    if (c.status && c.status !== "unverified") text += " [" + c.status + "]";
    return (url ? "[" + source + "](" + url + ")" : source) + ": " + text;
  }

  /* The form's data in the contract's grammar; as it was read when nothing changed. */
  function writeBlock(data) {
    data = plain(data);
    var claims = (data.claims || []).map(plain);
    var box = { metric: data.metric, note: data.note, claims: claims };
    var before = data.original ? readBlock(data.original) : null;
    if (before && sameBox(before, box)) return data.original;
    var lines = claims.map(writeClaim);
    if (words(data.note)) {
      // An unchanged note keeps its line and its place among the claims.
      var kept = before && words(before.note) === words(data.note);
      lines.splice(kept ? Math.min(before.noteAt, lines.length) : lines.length, 0,
        kept ? before.noteLine : "note: " + words(data.note));
    }
    return ["```figures " + words(data.metric)].concat(lines, ["```"]).join("\n");
  }

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function escape(text) { return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; }); }

  var STATUS_WORDS = { verified: "Verified", disputed: "Disputed, not independently verified", unverified: "Not independently verified" };

  /* The box as the site shows it (theme/templates/figures.html), with what the build
   * would reject named above it. */
  function previewBlock(data, zone, registered) {
    data = plain(data);
    var claims = (data.claims || []).map(plain), problems = [];
    var known = registered || { sources: [], metrics: [] };
    function unregistered(kind, name) {
      var list = known[kind + "s"];
      if (list.length && words(name) && list.indexOf(words(name).toLowerCase()) < 0) {
        problems.push(kind + " '" + words(name) + "' is not in figures.toml; add it there, or use a name it has");
      }
    }
    if (!words(data.metric)) problems.push("name the metric, e.g. 'Russian troops killed'");
    unregistered("metric", data.metric);
    if (!claims.length) problems.push("figure box '" + words(data.metric) + "' has no claims");
    var rows = claims.map(function (c, i) {
      var problem = claimProblem(c, zone);
      if (problem) problems.push("claim " + (i + 1) + ": " + problem);
      else unregistered("source", c.source);
      var status = STATUSES.indexOf(c.status) >= 0 ? c.status : "unverified";
      var who = words(c.url) ? '<a href="' + escape(words(c.url)) + '">' + escape(words(c.source)) + "</a>" : escape(words(c.source));
      return '<tr class="claim claim-' + status + '"><th scope="row">' + who + '</th><td class="claim-value">' +
        escape(words(c.claim)) + '</td><td class="claim-as-of" data-label="As of">' +
        escape(words(c.as_of) || "the entry’s time") + '</td><td class="claim-status">' + STATUS_WORDS[status] + "</td></tr>";
    });
    var warning = problems.length ? '<div class="dateline-cms-problems" role="alert"><strong>Fix before publishing:</strong><ul>' +
      problems.map(function (p) { return "<li>" + escape(p) + "</li>"; }).join("") + "</ul></div>" : "";
    return warning + '<figure class="figure-box"><table><caption><span class="figure-box-kicker">Figures by source</span> ' +
      escape(words(data.metric)) + '</caption><thead><tr><th scope="col">Source</th><th scope="col">Claim</th>' +
      '<th scope="col">As of</th><th scope="col">Status</th></tr></thead><tbody>' + rows.join("") +
      '</tbody></table><figcaption class="figure-box-note">' + (words(data.note) ? "<span>" + escape(words(data.note)) + "</span>" : "") +
      "</figcaption></figure>";
  }

  var api = {
    parseValue: parseValue, readLine: readLine, readBlock: readBlock, writeBlock: writeBlock,
    claimProblem: claimProblem, timeProblem: timeProblem, AS_OF_FORM: AS_OF_FORM, previewBlock: previewBlock, nowIn: nowIn, FENCE: FENCE
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (root && root.CMS) register(root, api);

  function register(window, api) {
    var CMS = window.CMS, h = window.h, createClass = window.createClass;
    var data = JSON.parse(document.getElementById("dateline-cms").textContent);
    CMS.registerPreviewStyle(data.style);
    CMS.registerPreviewStyle(
      ".dateline-cms-problems{border:2px solid #b00020;padding:.5em 1em;margin:1em 0;color:#b00020}",
      { raw: true });

    // Decap lists every file of a story's folder as an entry, its `_index.md` too.
    function storyPage(props) {
      var path = props.entry && props.entry.get("path");
      return !!path && /(^|\/)_index\.md$/.test(path);
    }

    function zoneOf(props) {
      var story = props.entry && data.stories[props.entry.get("collection")];
      return (props.field && props.field.get("timezone")) || (story && story.zone) || null;
    }

    var TimeControl = createClass({
      getInitialState: function () { return { initial: this.props.value }; },
      isValid: function () {
        var value = this.props.value;
        if (storyPage(this.props)) {
          return { error: { message: "This file is the story itself, not an entry: edit it under Stories" } };
        }
        if (!value || value === this.state.initial || value instanceof Date) return true;
        var problem = timeProblem(String(value), zoneOf(this.props), false);
        if (!problem && !ISO_TIME.test(words(value))) problem = "write the time like 2022-03-02 14:05";
        return problem ? { error: { message: problem } } : true;
      },
      render: function () {
        var props = this.props, zone = zoneOf(props) || "UTC";
        if (storyPage(props)) {
          return h("p", { className: props.classNameWrapper, role: "alert", style: { color: "#b00020", padding: "1em" } },
            "This file is the story itself (_index.md), not an entry: edit it under Stories. " +
            "Deleting it here would delete the story's page.");
        }
        var value = props.value instanceof Date ? props.value.toISOString() : props.value || "";
        return h("div", { className: props.classNameWrapper },
          h("input", {
            id: props.forID, type: "text", value: value, placeholder: "YYYY-MM-DD HH:MM",
            style: { border: 0, width: "14em", font: "inherit" },
            onChange: function (e) { props.onChange(e.target.value); },
            onFocus: props.setActiveStyle, onBlur: props.setInactiveStyle
          }),
          h("button", {
            type: "button", style: { marginLeft: "1em" },
            onClick: function () { props.onChange(nowIn(zone)); }
          }, "Now in " + zone));
      }
    });
    CMS.registerWidget("dateline-time", TimeControl, function (props) {
      return h("span", {}, String(props.value || ""));
    });

    // A text field offering names: the registry's sources or metrics, then those in use.
    var NameControl = createClass({
      render: function () {
        var props = this.props, list = props.forID + "-names";
        var names = data[props.field.get("offer")] || [];
        return h("div", { className: props.classNameWrapper },
          h("input", {
            id: props.forID, type: "text", list: list, value: props.value || "",
            style: { border: 0, width: "100%", font: "inherit" },
            onChange: function (e) { props.onChange(e.target.value); },
            onFocus: props.setActiveStyle, onBlur: props.setInactiveStyle
          }),
          h("datalist", { id: list }, names.map(function (n) { return h("option", { key: n, value: n }); })));
      }
    });
    CMS.registerWidget("dateline-name", NameControl, function (props) {
      return h("span", {}, String(props.value || ""));
    });

    CMS.registerEditorComponent({
      id: "figures",
      label: "Figure box",
      fields: [
        { name: "metric", label: "Metric", widget: "dateline-name", offer: "metrics",
          hint: "What is counted, e.g. Russian troops killed" },
        { name: "claims", label: "Claims", label_singular: "claim", widget: "list", collapsed: false,
          summary: "{{fields.source}}: {{fields.claim}}",
          fields: [
            { name: "source", label: "Source", widget: "dateline-name", offer: "sources" },
            { name: "url", label: "Source link", widget: "string", required: false },
            { name: "claim", label: "Claim", widget: "string",
              hint: "The number as the source gave it: 498, more than 7,000, about 3,700 people, 1-2 million" },
            { name: "as_of", label: "As of", widget: "string", required: false,
              hint: "A date like 2022-03-02 (or a time); empty: the entry's time" },
            { name: "status", label: "Status", widget: "select", options: STATUSES, default: "unverified" },
            { name: "line", label: "Line as written", widget: "hidden", required: false }
          ] },
        { name: "note", label: "Note", widget: "string", required: false },
        { name: "original", label: "Block as written", widget: "hidden", required: false }
      ],
      pattern: FENCE,
      fromBlock: function (match) { return readBlock(match[0]); },
      toBlock: writeBlock,
      toPreview: function (box) { return previewBlock(box, null, data.registered); }
    });

    // An entry previewed as the site shows it: headline, time, then the body.
    var EntryPreview = createClass({
      render: function () {
        var entry = this.props.entry;
        return h("article", { className: "entry" },
          h("p", { className: "entry-time" }, String(entry.getIn(["data", "time"]) || "")),
          h("h2", { className: "entry-title" }, entry.getIn(["data", "title"]) || ""),
          h("div", { className: "entry-body" }, this.props.widgetFor("body")));
      }
    });
    Object.keys(data.stories).forEach(function (slug) { CMS.registerPreviewTemplate(slug, EntryPreview); });

    // Empty optional fields are left out of the file rather than written as `author: ''`
    // (a key the build would read as given, and empty): files as an editor writes them.
    CMS.registerEventListener({
      name: "preSave",
      handler: function (event) {
        var fields = event.entry.get("data");
        return fields.filter(function (value) {
          if (value === "" || value === null || value === undefined || value === false) return false;
          return !(value && typeof value.size === "number" && value.size === 0);
        });
      }
    });
  }
})(typeof window !== "undefined" ? window : null);
