/* dateline reader enhancements. Everything on the page works without this script;
   it adds relative times, a time-zone switch, copy-link buttons, redirects for entries
   that moved to older pages, and live updates for stories still in progress. */
(function () {
  "use strict";
  var body = document.body;
  var lang = document.documentElement.lang || undefined;

  /* The page's words for what this script writes, in the site's language: the page
     carries their translations (none for English), looked up by the English text. */
  var WORDS = {};
  try { WORDS = JSON.parse(document.getElementById("dateline-words").textContent); } catch (e) { /* English */ }
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  function say(phrase, values, other, count) {
    var found = WORDS[phrase];
    var text = typeof found === "string" ? found : phrase;
    if (other !== undefined) {
      var form = found && typeof found === "object" && plurals ? found[plurals.select(count)] || found.other : null;
      text = form || (count === 1 ? phrase : other);
    }
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? values[name] : all;
    });
  }
  var HOUR = 3600e3;
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };

  /* Opened from disk, a link to a folder shows a file listing: point it at index.html. */
  var fromDisk = location.protocol === "file:";
  function onDisk(href) {
    var parts = href.split("#");
    if (!fromDisk || /^[a-z][a-z0-9+.-]*:/i.test(href) || parts[0].slice(-1) !== "/") return href;
    return parts[0] + "index.html" + (parts.length > 1 ? "#" + parts[1] : "");
  }
  if (fromDisk) {
    document.querySelectorAll("a[href]").forEach(function (a) {
      a.setAttribute("href", onDisk(a.getAttribute("href")));
    });
  }

  /* An anchor to an entry that has moved to an older page: go to its permalink. */
  var storyRoot = body.getAttribute("data-story");
  if (storyRoot && location.hash.indexOf("#entry-") === 0 &&
      !document.getElementById(decodeURIComponent(location.hash.slice(1)))) {
    location.replace(onDisk(storyRoot + location.hash.slice(7) + "/"));
    return;
  }

  /* Relative times ("25 min ago") for entries under eight hours old. */
  function ago(ms) {
    var min = Math.round(ms / 60e3);
    if (min < 1) return say("just now");
    if (min < 60) return say("{min} min ago", { min: min });
    return say("{h} h {min} min ago", { h: Math.floor(min / 60), min: min % 60 });
  }
  function refreshRelative(root) {
    var now = Date.now();
    (root || document).querySelectorAll(".entry-time time").forEach(function (el) {
      var age = now - new Date(el.getAttribute("datetime")).getTime();
      var span = el.parentNode.parentNode.querySelector(".relative-time");
      if (age < 0 || age > 8 * HOUR) { if (span) span.remove(); return; }
      if (!span) {
        span = document.createElement("span");
        span.className = "relative-time";
        el.parentNode.after(span);
      }
      span.textContent = ago(age);
    });
  }

  /* Times in the story's zone (as built) or the reader's own zone. */
  var localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var clockFormat = new Intl.DateTimeFormat(lang, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });
  function localClock(date) {
    var parts = {};
    clockFormat.formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts.hour + ":" + parts.minute + " " + parts.timeZoneName;
  }
  function applyZone(root) {
    var local = store.get("dateline-zone") === "local";
    (root || document).querySelectorAll("time.clock").forEach(function (el) {
      if (!el.hasAttribute("data-story-clock")) el.setAttribute("data-story-clock", el.textContent);
      el.textContent = local ? localClock(new Date(el.getAttribute("datetime")))
                             : el.getAttribute("data-story-clock");
    });
    if (zoneButton) {
      zoneButton.textContent = local ? say("Show times in the story's time zone")
                                     : say("Show times in my time zone ({zone})", { zone: localZone });
      zoneButton.setAttribute("aria-pressed", String(local));
    }
  }
  var zoneButton = null;
  if (document.querySelector("time.clock")) {
    zoneButton = document.createElement("button");
    zoneButton.type = "button";
    zoneButton.className = "zone-switch";
    zoneButton.addEventListener("click", function () {
      store.set("dateline-zone", store.get("dateline-zone") === "local" ? "story" : "local");
      applyZone();
    });
    var main = document.getElementById("main");
    main.insertBefore(zoneButton, main.firstChild);
  }

  /* Copy-link buttons beside each entry's permalink. */
  function addCopyButtons(root) {
    if (!navigator.clipboard) return;
    (root || document).querySelectorAll("a.entry-time").forEach(function (link) {
      if (link.parentNode.querySelector(".copy-link")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-link";
      button.textContent = say("Copy link");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(link.href).then(function () {
          button.textContent = say("Link copied");
          setTimeout(function () { button.textContent = say("Copy link"); }, 2000);
        });
      });
      link.parentNode.appendChild(button);
    });
  }

  function enhance(root) { refreshRelative(root); applyZone(root); addCopyButtons(root); }
  enhance();
  setInterval(refreshRelative, 60e3);

  /* Site search. The boxes are plain forms to the search page, shown only with this
     script; the search page asks Pagefind's index, which fetches only the parts of the
     index a query needs. Opened from disk, the index cannot be fetched: no search. */
  if (!fromDisk) {
    document.querySelectorAll("[data-search-box]").forEach(function (form) { form.hidden = false; });
    var searchForm = document.querySelector("form[data-search-bundle]");
    if (searchForm) searchPage(searchForm);
  }
  /* Pagefind's excerpt is page text with <mark> around the words found: keep only that
     (text and mark), so nothing in it is taken for markup. */
  function excerpt(html) {
    var holder = document.createElement("template"), out = document.createDocumentFragment();
    holder.innerHTML = html;
    holder.content.childNodes.forEach(function (node) {
      var mark = node.nodeName === "MARK" ? document.createElement("mark") : null;
      var text = document.createTextNode(node.textContent);
      if (mark) mark.appendChild(text);
      out.appendChild(mark || text);
    });
    return out;
  }
  function resultItem(data) {
    var item = document.createElement("li"), heading = document.createElement("h2");
    var link = document.createElement("a"), meta = document.createElement("p");
    var text = document.createElement("p");
    item.className = "search-result";
    link.href = data.url;
    link.textContent = data.meta.title || data.url;
    heading.appendChild(link);
    meta.className = "search-meta";
    meta.textContent = [data.meta.when, data.meta.story].filter(Boolean).join(" · ");
    text.className = "search-excerpt";
    text.appendChild(excerpt(data.excerpt));
    item.append(heading, meta, text);
    return item;
  }
  function searchPage(form) {
    var PER_PAGE = 20;
    var field = form.elements.q, storyField = form.elements.story, order = form.elements.order;
    var tagField = form.elements.tag;
    var note = document.querySelector(".search-status");
    var list = document.querySelector(".search-results");
    var more = document.createElement("button");
    var asked = 0, found = [], waiting = null;
    var params = new URL(location.href).searchParams;
    form.hidden = false;
    field.value = params.get("q") || "";
    storyField.value = params.get("story") || "";
    if (storyField.selectedIndex < 0) storyField.value = "";
    order.value = params.get("order") === "best" ? "best" : "newest";
    /* The topic asked for in the address is offered at once, the rest once the index says. */
    function topics(names) {
      tagField.length = 1;
      names.sort().forEach(function (name) { tagField.add(new Option(name, name)); });
    }
    if (params.get("tag")) { topics([params.get("tag")]); tagField.value = params.get("tag"); }
    more.type = "button";
    more.className = "search-more";
    more.hidden = true;
    more.textContent = say("More results");
    list.after(more);
    /* Absolute paths from the page's own links, so search works under any sub-path. */
    var bundle = new URL(form.getAttribute("data-search-bundle"), location.href).pathname;
    var root = new URL(form.getAttribute("data-search-root"), location.href).pathname;
    var engine = import(bundle + "pagefind.js").then(function (pagefind) {
      return Promise.resolve(pagefind.options({ basePath: bundle, baseUrl: root })).then(function () {
        return pagefind.filters();
      }).then(function (filters) {
        /* The topics the index has, for the topic filter. */
        var chosen = tagField.value;
        topics(Object.keys(filters.tag || {}));
        tagField.value = chosen in (filters.tag || {}) ? chosen : "";
        return pagefind;
      });
    });
    function show(from) {
      var shown = found.slice(from, from + PER_PAGE), mine = asked;
      return Promise.all(shown.map(function (result) { return result.data(); })).then(function (all) {
        if (mine !== asked) return;
        all.forEach(function (data) { list.appendChild(resultItem(data)); });
        more.hidden = found.length <= from + PER_PAGE;
      });
    }
    function run() {
      var query = field.value.trim(), mine = ++asked;
      var wanted = new URLSearchParams();
      if (query) wanted.set("q", query);
      if (storyField.value) wanted.set("story", storyField.value);
      if (tagField.value) wanted.set("tag", tagField.value);
      if (order.value === "best") wanted.set("order", "best");
      history.replaceState(null, "", location.pathname + (query ? "?" + wanted : ""));
      list.textContent = note.textContent = "";
      more.hidden = true;
      if (!query) return;
      engine.then(function (pagefind) {
        var options = { filters: {} };
        if (storyField.value) options.filters.story = storyField.value;
        if (tagField.value) options.filters.tag = tagField.value;
        if (order.value === "newest") options.sort = { time: "desc" };
        return pagefind.search(query, options);
      }).then(function (search) {
        if (mine !== asked) return;
        found = search.results;
        return show(0).then(function () {
          if (mine !== asked) return;
          note.textContent = say("{count} result", { count: found.length }, "{count} results", found.length);
        });
      }).catch(function () {
        if (mine === asked) note.textContent = say("Search is not available right now.");
      });
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    field.addEventListener("input", function () { clearTimeout(waiting); waiting = setTimeout(run, 250); });
    storyField.addEventListener("change", run);
    tagField.addEventListener("change", run);
    order.addEventListener("change", run);
    more.addEventListener("click", function () { show(list.children.length); });
    if (field.value) run();
  }

  /* Live updates: poll the story's latest.json (its newest entries, a few KB however long
     the story), offer new entries instead of moving the page. */
  var latestUrl = body.getAttribute("data-live");
  var panel = document.querySelector(".live-updates");
  var log = document.querySelector("[role=log]");
  if (!latestUrl || !panel || !log || fromDisk) return;
  var status = panel.querySelector(".live-status");
  var changesNote = panel.querySelector(".live-changes");
  var showButton = panel.querySelector(".live-show");
  var pauseButton = panel.querySelector(".live-pause");
  var BASE = window.datelinePollMs || 30e3, MAX = 10 * 60e3;
  var delay = BASE, timer = null, paused = false, pending = [];
  panel.hidden = false;

  function has(anchor) { return document.getElementById(anchor) !== null; }
  /* Only entries newer than the newest one shown are new; older ones live on older pages. */
  function newestShown() {
    var times = log.querySelectorAll("article .entry-time time");
    var newest = -Infinity;
    times.forEach(function (el) {
      newest = Math.max(newest, new Date(el.getAttribute("datetime")).getTime());
    });
    return newest;
  }
  function schedule(ms) { clearTimeout(timer); timer = setTimeout(poll, ms); }
  function announce(count) {
    pending.length = count;
    showButton.hidden = count === 0;
    showButton.textContent = say("{count} new update", { count: count }, "{count} new updates", count);
    status.textContent = count ? say("{count} new update available", { count: count }, "{count} new updates available", count) : "";
  }
  function poll() {
    if (paused || document.hidden) return;
    fetch(latestUrl, { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (latest) {
      var newest = newestShown();
      var fresh = latest.entries.filter(function (item) {
        return !has(item.anchor) && new Date(item.time).getTime() > newest;
      }).map(function (item) { return item.anchor; });
      var changed = changedShown(latest.entries);
      delay = fresh.length > pending.length || changed ? BASE : Math.min(delay * 1.5, MAX);
      pending = fresh;
      announce(fresh.length);
      schedule(delay);
    }).catch(function () {
      delay = Math.min(delay * 2, MAX);
      schedule(delay);
    });
  }
  /* Entries the page shows that changed since it was built (another version in
     latest.json) or were withdrawn (gone from it, though it covers their time): the
     page is fetched again and those articles replaced or removed where they are. */
  function changedShown(entries) {
    var known = {}, oldest = Infinity;
    entries.forEach(function (item) {
      known[item.anchor] = item;
      oldest = Math.min(oldest, new Date(item.time).getTime());
    });
    var changed = [], gone = [];
    log.querySelectorAll("article[data-version]").forEach(function (article) {
      var item = known[article.id];
      if (item && item.version !== article.getAttribute("data-version")) changed.push(article.id);
      var time = article.querySelector(".entry-time time");
      if (!item && time && new Date(time.getAttribute("datetime")).getTime() >= oldest) gone.push(article.id);
    });
    if (!changed.length && !gone.length) return false;
    fetch(location.href.split("#")[0], { cache: "reload" }).then(function (r) {
      return r.text();
    }).then(function (html) {
      applyChanges(new DOMParser().parseFromString(html, "text/html"), changed, gone);
    }).catch(function () { /* offline for a moment: the next poll asks again */ });
    return true;
  }
  /* The first article whose top is in view, and where it is: nothing may move it. */
  function readingPlace(skip) {
    var articles = log.querySelectorAll("article");
    for (var i = 0; i < articles.length; i++) {
      var top = articles[i].getBoundingClientRect().top;
      if (top >= 0 && skip.indexOf(articles[i].id) < 0) return { node: articles[i], top: top };
    }
    return null;
  }
  function applyChanges(doc, changed, gone) {
    var root = document.documentElement, anchoring = root.style.overflowAnchor;
    var place = readingPlace(gone), counts = { corrected: 0, updated: 0, removed: 0 };
    root.style.overflowAnchor = "none"; /* the browser's own scroll anchoring, off: done here */
    changed.forEach(function (anchor) {
      var fresh = doc.getElementById(anchor), shownNow = document.getElementById(anchor);
      /* A page a cache kept shows what this one does: the next poll asks again. */
      if (!fresh || !shownNow || fresh.getAttribute("data-version") === shownNow.getAttribute("data-version")) return;
      /* A correction new or reworded is what a reader most needs told. */
      var text = function (article) {
        var notice = article && article.querySelector(".correction");
        return notice ? notice.textContent : "";
      };
      var corrected = text(fresh) && text(fresh) !== text(document.getElementById(anchor));
      counts[corrected ? "corrected" : "updated"] += 1;
      ["", "pinned-"].forEach(function (prefix) {
        var shown = document.getElementById(prefix + anchor);
        var source = prefix ? doc.getElementById(prefix + anchor) : fresh;
        if (!shown || !source) return;
        var node = document.importNode(source, true);
        shown.replaceWith(node);
        enhance(node);
      });
    });
    gone.forEach(function (anchor) {
      if (doc.getElementById(anchor)) return; /* still on the page as served */
      ["", "pinned-"].forEach(function (prefix) {
        var shown = document.getElementById(prefix + anchor);
        if (!shown) return;
        var day = shown.closest("[data-day]");
        shown.remove();
        if (day && !day.querySelector("article")) day.remove();
      });
      counts.removed += 1;
    });
    if (place) window.scrollBy(0, place.node.getBoundingClientRect().top - place.top);
    root.style.overflowAnchor = anchoring;
    var said = [];
    if (counts.corrected) said.push(say("{count} entry corrected", { count: counts.corrected }, "{count} entries corrected", counts.corrected));
    if (counts.updated) said.push(say("{count} entry updated", { count: counts.updated }, "{count} entries updated", counts.updated));
    if (counts.removed) said.push(say("{count} entry removed", { count: counts.removed }, "{count} entries removed", counts.removed));
    if (said.length) changesNote.textContent = said.join("; ");
  }
  function insertNew() {
    /* "reload": a validator with one-second precision could call a just-rebuilt page unchanged. */
    fetch(location.href.split("#")[0], { cache: "reload" }).then(function (r) {
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var first = null;
      var articles = Array.prototype.slice.call(doc.querySelectorAll("[role=log] article"));
      articles.reverse().forEach(function (article) {
        if (has(article.id)) return;
        var daySource = article.closest("[data-day]");
        var day = log.querySelector('[data-day="' + daySource.getAttribute("data-day") + '"]');
        if (!day) {
          day = document.importNode(daySource, false);
          day.appendChild(document.importNode(daySource.querySelector(".day-heading"), true));
          log.insertBefore(day, log.firstChild);
        }
        var node = document.importNode(article, true);
        node.classList.add("entry-new");
        node.setAttribute("tabindex", "-1");
        day.insertBefore(node, day.querySelector("article"));
        enhance(node);
        first = node;
      });
      announce(0);
      if (first) first.focus();
    });
  }
  showButton.addEventListener("click", insertNew);
  pauseButton.addEventListener("click", function () {
    paused = !paused;
    pauseButton.setAttribute("aria-pressed", String(paused));
    pauseButton.textContent = paused ? say("Resume live updates") : say("Pause live updates");
    if (!paused) { delay = BASE; poll(); } else { clearTimeout(timer); }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !paused) schedule(1000);
  });
  schedule(delay);
})();
