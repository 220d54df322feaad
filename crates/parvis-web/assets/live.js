// Parvis live room: one script for the participant room, the moderator console and the big
// screen. It keeps the room's state from the socket (a snapshot, then deltas), draws it with
// DOM nodes (user text only ever goes in as text), and reconnects by itself.
"use strict";
(function () {
  var root = document.getElementById("live");
  if (!root) return;
  var T = JSON.parse(document.getElementById("live-strings").textContent || "{}");
  var fr = document.documentElement.lang === "fr";
  // Numbers and labels in the reader's typography: "0,25" and "Part : 40 %" in French,
  // "0.25" and "Share: 40%" in English.
  var COLON = fr ? "\u00a0: " : ": ";
  function dec(x, n) { return x.toFixed(n).replace(".", fr ? "," : "."); }
  var view = root.dataset.view, roomId = root.dataset.room, joined = root.dataset.joined === "yes";
  var st = null, clockOffset = 0, sortBy = "votes", ws = null, nextId = 1, pending = {}, retry = 500;
  // Before its session starts, a session's room says when ("Starts in 3 days"), from texts
  // the page wrote with Fluent (d[n-1], h[n-1], m[n-1]); the countdown only runs after.
  var startsAt = parseInt(root.dataset.startsAt || "0", 10);
  var startsIn = JSON.parse(root.dataset.startsIn || "{}");
  function startsText(ms) {
    var d = Math.floor(ms / 86400000), h = Math.floor(ms / 3600000), m = Math.ceil(ms / 60000);
    var texts = d >= 1 ? startsIn.d : h >= 1 ? startsIn.h : startsIn.m, n = d >= 1 ? d : h >= 1 ? h : m;
    return (texts && texts[Math.min(n, texts.length) - 1]) || "";
  }
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "cls") e.className = attrs[k];
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function plural(n, one, other) { return n + " " + ((fr ? n <= 1 : n === 1) ? one : other); }
  function fill(id, nodes) { var box = $(id); if (!box) return; box.replaceChildren.apply(box, nodes); }
  function mmss(ms) {
    var s = Math.max(0, Math.floor(ms / 1000)), m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }
  function status(text) { var s = $("live-status"); if (s) s.textContent = text; }

  function send(cmd) {
    if (!ws || ws.readyState !== 1) return;
    cmd.id = nextId++;
    pending[cmd.id] = cmd;
    ws.send(JSON.stringify(cmd));
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live/" + roomId + "/ws" + (view === "screen" ? "?view=screen" : "");
    ws = new WebSocket(url);
    ws.onopen = function () { retry = 500; status(T.connected); };
    ws.onmessage = function (ev) {
      var m = JSON.parse(ev.data);
      if (m.type === "snapshot") { snapshot(m); }
      else if (m.type === "delta") { delta(m); }
      else if (m.type === "ack") { acked(m); }
      else if (m.type === "error") { delete pending[m.id]; status(m.message); }
    };
    ws.onclose = function (ev) {
      status((ev.reason ? T.closed_by_server + " " + ev.reason + " — " : "") + T.reconnecting);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }

  function snapshot(m) {
    clockOffset = m.now - Date.now();
    st = { seq: m.seq, settings: m.settings, agenda: m.agenda, questions: {}, polls: {}, hands: m.hands, floor: m.floor, fairness: m.fairness, notes: m.notes || [], me: m.me };
    st.me.voted = new Set(m.me.voted);
    m.questions.forEach(function (q) { st.questions[q.id] = q; });
    m.polls.forEach(function (p) { st.polls[p.id] = p; });
    draw();
  }
  function delta(m) {
    if (!st) return;
    st.seq = m.seq;
    if (m.settings) st.settings = m.settings;
    if (m.agenda) st.agenda = m.agenda;
    (m.questions || []).forEach(function (q) {
      // A merge carries my vote on the duplicate over to the question kept: show it as mine
      // there, so that the button takes it back (the room refuses a second upvote).
      if (q.merged_into && st.me.voted.has(q.id)) { st.me.voted.delete(q.id); st.me.voted.add(q.merged_into); }
      if (q.gone) delete st.questions[q.id]; else st.questions[q.id] = q;
    });
    (m.polls || []).forEach(function (p) { st.polls[p.id] = p; });
    if (m.hands) st.hands = m.hands;
    st.floor = m.floor;
    if (m.fairness) st.fairness = m.fairness;
    // Notes come to moderators only, each once, in the order they were taken.
    (m.notes || []).forEach(function (n) { if (!st.notes.some(function (o) { return o.id === n.id; })) st.notes.push(n); });
    st.me.hand_raised = st.hands.some(function (h) { return h.key === st.me.key; });
    draw();
  }
  function acked(m) {
    var c = pending[m.id]; delete pending[m.id];
    if (!c || !st) return;
    if (c.action === "upvote") st.me.voted.add(c.question);
    if (c.action === "unvote") st.me.voted.delete(c.question);
    if (c.action === "answer") { st.me.answers[c.poll] = c.answer; status(T.saved); }
    draw();
  }

  function draw() {
    drawNow();
    drawQuestions();
    drawPolls();
    if (view === "console") { drawHands(); drawFairness(); drawInvited(); drawNotes(); }
    if (view === "screen") drawScreen();
  }

  function drawNow() {
    var a = st.agenda;
    if ($("live-agenda")) $("live-agenda").textContent = a ? a.item : "—";
    if ($("live-floor")) $("live-floor").textContent = st.floor ? st.floor.name : T.nobody_speaks;
    var hand = $("live-hand");
    if (hand) {
      hand.textContent = st.me.hand_raised ? T.lower_hand : T.raise_hand;
      var pos = st.hands.findIndex(function (h) { return h.key === st.me.key; });
      $("live-hand-pos").textContent = pos >= 0 ? T.queue_position + " " + (pos + 1) : "";
    }
    tick();
  }
  function tick() {
    if (!st) return;
    var now = Date.now() + clockOffset;
    if ($("live-timer")) $("live-timer").textContent = st.floor ? mmss(now - st.floor.started_at) : "";
    var left = $("live-agenda-left");
    if (left) left.textContent = startsAt && now < startsAt ? startsText(startsAt - now)
      : st.agenda && st.agenda.ends_at ? T.time_left + " " + mmss(st.agenda.ends_at - now) : "";
  }
  setInterval(tick, 500);

  function sortedQuestions() {
    var qs = Object.keys(st.questions).map(function (k) { return st.questions[k]; });
    if (view !== "console") qs = qs.filter(function (q) { return q.approved && !q.hidden && !q.merged_into; });
    qs.sort(function (a, b) {
      if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
      if (sortBy === "votes" && a.votes !== b.votes) return b.votes - a.votes;
      return sortBy === "time" ? b.asked_at - a.asked_at : a.asked_at - b.asked_at;
    });
    return qs;
  }
  function badge(text) { return el("span", { cls: "badge", text: text }); }
  function drawQuestions() {
    if (!$("live-questions")) return;
    var qs = sortedQuestions();
    if (!qs.length) return fill("live-questions", [el("li", { cls: "empty", text: T.no_questions })]);
    fill("live-questions", qs.map(function (q) {
      var who = q.authors.slice();
      for (var i = 0; i < q.anonymous_authors; i++) who.push(T.anonymous);
      var voted = st.me.voted.has(q.id);
      var li = el("li", { cls: "live-q" + (q.pinned ? " pinned" : "") + (q.answered ? " answered" : ""), "data-id": q.id }, [
        el("span", { cls: "live-votes", text: plural(q.votes, T.votes_one, T.votes_other) }),
        el("p", { cls: "live-q-text", text: q.text }),
        el("p", { cls: "small muted", text: "#" + q.id + " · " + who.join(", ") }),
        q.pinned ? badge(T.pinned) : null, q.answered ? badge(T.answered) : null,
        !q.approved ? badge(T.pending) : null, q.hidden ? badge(T.hidden) : null,
        q.merged_into ? badge(T.merged + " " + q.merged_into) : null,
        q.reply ? el("blockquote", { cls: "live-reply", text: q.reply }) : null,
      ]);
      if (joined && view !== "screen" && q.approved && !q.hidden && !q.merged_into) {
        li.appendChild(el("button", { type: "button", cls: "btn sm" + (voted ? "" : " ghost"), text: voted ? T.unvote : T.vote, "aria-pressed": voted ? "true" : "false",
          onclick: function () { send({ action: voted ? "unvote" : "upvote", question: q.id }); } }));
      }
      if (view === "console" && !q.merged_into) {
        var act = function (label, cmd) { return el("button", { type: "button", cls: "btn ghost sm", text: label, onclick: function () { send(cmd); } }); };
        li.appendChild(el("div", { cls: "live-actions" }, [
          !q.approved ? act(T.approve, { action: "approve", question: q.id }) : null,
          act(q.pinned ? T.unpin : T.pin, { action: "pin", question: q.id, pinned: !q.pinned }),
          !q.answered ? act(T.mark_answered, { action: "answered", question: q.id }) : null,
          el("button", { type: "button", cls: "btn ghost sm", text: T.reply, onclick: function () {
            var r = prompt(T.reply_prompt, q.reply || ""); if (r) send({ action: "reply", question: q.id, text: r }); } }),
          !q.hidden ? act(T.hide, { action: "hide", question: q.id }) : null,
          el("button", { type: "button", cls: "btn ghost sm", text: T.merge, onclick: function () {
            var into = parseInt(prompt(T.merge_prompt) || "", 10); if (into > 0) send({ action: "merge", question: q.id, into: into }); } }),
        ]));
      }
      return li;
    }));
  }

  function bars(labels, counts) {
    var max = Math.max.apply(null, counts.concat([1]));
    return el("ul", { cls: "live-bars" }, labels.map(function (l, i) {
      var bar = el("span", { cls: "live-bar" }); bar.style.width = Math.round(100 * counts[i] / max) + "%";
      return el("li", {}, [el("span", { cls: "live-bar-label", text: l + " — " + counts[i] }), bar]);
    }));
  }
  function cloud(words, moderator, poll) {
    var max = Math.max.apply(null, words.map(function (w) { return w.count; }).concat([1]));
    return el("p", { cls: "live-cloud" }, words.map(function (w) {
      var s = el("span", { cls: "live-word" + (w.hidden ? " hidden" : ""), text: w.word });
      s.style.fontSize = (1 + 1.6 * w.count / max).toFixed(2) + "em";
      if (moderator && !w.hidden) s.appendChild(el("button", { type: "button", cls: "btn ghost sm", text: T.hide, onclick: function () { send({ action: "hide_word", poll: poll.id, word: w.word }); } }));
      return s;
    }));
  }
  function results(p) {
    var r = p.results, k = p.kind;
    if (!r) return el("p", { cls: "muted", text: T.results_hidden });
    var out = [el("p", { cls: "small muted", text: plural(r.respondents, T.respondents_one, T.respondents_other) })];
    if (k.type === "single" || k.type === "multiple") out.push(bars(k.options, r.counts));
    if (k.type === "ranking") out.push(bars(k.options, r.borda));
    if (k.type === "scale") {
      var labels = r.distribution.map(function (_, i) { return String(k.min + i); });
      out.push(el("p", { text: T.average + COLON + (r.average == null ? "—" : dec(r.average, 2)) }));
      out.push(bars(labels, r.distribution));
    }
    if (k.type === "word_cloud") out.push(cloud(r.words, view === "console", p));
    return el("div", {}, out);
  }
  function answerForm(p) {
    var k = p.kind, mine = st.me.answers[p.id], f = el("form", { cls: "stack live-answer" }), inputs = [];
    if (k.type === "single" || k.type === "multiple") {
      k.options.forEach(function (o, i) {
        var checked = mine && (mine.option === i || (mine.options || []).indexOf(i) >= 0);
        var inp = el("input", { type: k.type === "single" ? "radio" : "checkbox", name: "o" + p.id, value: i });
        inp.checked = !!checked; inputs.push(inp);
        f.appendChild(el("label", { cls: "check" }, [inp, " " + o]));
      });
    } else if (k.type === "scale") {
      var row = el("p", { cls: "live-scale" });
      for (var v = k.min; v <= k.max; v++) (function (v) {
        row.appendChild(el("button", { type: "button", cls: "btn sm" + (mine && mine.value === v ? "" : " ghost"), text: String(v),
          onclick: function () { send({ action: "answer", poll: p.id, answer: { type: "scale", value: v } }); } }));
      })(v);
      return row;
    } else if (k.type === "word_cloud") {
      var t = el("input", { name: "words", maxlength: "200", required: "required" }); inputs.push(t);
      f.appendChild(t);
    } else if (k.type === "ranking") {
      var order = mine ? mine.order.slice() : k.options.map(function (_, i) { return i; });
      var list = el("ol", {});
      var redraw = function () {
        list.replaceChildren.apply(list, order.map(function (o, pos) {
          return el("li", {}, [k.options[o] + " ", pos > 0 ? el("button", { type: "button", cls: "btn ghost sm", text: T.up, onclick: function () {
            var x = order[pos - 1]; order[pos - 1] = order[pos]; order[pos] = x; redraw(); } }) : null]);
        }));
      };
      redraw(); f.appendChild(list); f._order = order;
    }
    f.appendChild(el("div", {}, [el("button", { type: "submit", cls: "btn sm", text: T.send })]));
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var a;
      if (k.type === "single") { var c = inputs.filter(function (i) { return i.checked; })[0]; if (!c) return; a = { type: "choice", option: +c.value }; }
      if (k.type === "multiple") a = { type: "choices", options: inputs.filter(function (i) { return i.checked; }).map(function (i) { return +i.value; }) };
      if (k.type === "word_cloud") a = { type: "words", text: inputs[0].value };
      if (k.type === "ranking") a = { type: "ranking", order: f._order.slice() };
      send({ action: "answer", poll: p.id, answer: a });
    });
    return f;
  }
  function drawPolls() {
    if (!$("live-polls")) return;
    var ps = Object.keys(st.polls).map(function (k) { return st.polls[k]; }).sort(function (a, b) { return b.id - a.id; });
    if (view === "screen") ps = ps.slice(0, 1);
    fill("live-polls", ps.map(function (p) {
      return el("article", { cls: "live-poll" + (p.open ? "" : " closed"), "data-id": p.id }, [
        el("h3", { text: p.title + (p.open ? "" : " · " + T.closed) }),
        joined && p.open && view === "room" ? answerForm(p) : null,
        results(p),
        view === "console" && p.open ? el("button", { type: "button", cls: "btn ghost sm", text: T.close_poll, onclick: function () { send({ action: "close_poll", poll: p.id }); } }) : null,
      ]);
    }));
  }

  function drawHands() {
    if (!st.hands.length) return fill("live-hands", [el("li", { cls: "empty", text: T.no_hands })]);
    fill("live-hands", st.hands.map(function (h) {
      return el("li", {}, [h.name + " ",
        el("button", { type: "button", cls: "btn sm", text: T.give_floor, onclick: function () { send({ action: "give_floor", kind: "queue", to: h.key }); } }), " ",
        el("button", { type: "button", cls: "btn ghost sm", text: T.lower, onclick: function () { send({ action: "lower_hand", who: h.key }); } })]);
    }));
  }
  function drawInvited() {
    var f = st.fairness; if (!f) return;
    // Invited speakers are the people counted who are not from the queue; the fairness panel lists them all.
    fill("live-invited", f.speakers.filter(function (s) { return s.key.indexOf("inv:") === 0; }).map(function (s) {
      return el("li", {}, [s.name + " ", el("button", { type: "button", cls: "btn sm", text: T.give_floor, onclick: function () { send({ action: "give_floor", kind: "invited", to: s.key }); } })]);
    }));
  }
  function pct(x) { return (100 * x).toFixed(0) + (fr ? "\u00a0%" : "%"); }
  function drawFairness() {
    var f = st.fairness; if (!f) return;
    var now = Date.now() + clockOffset;
    var rows = f.speakers.map(function (s) {
      return el("tr", { cls: s.over_budget ? "over" : "" }, [el("td", { text: s.name }), el("td", { text: mmss(s.total_ms) }), el("td", { text: String(s.turns) }), el("td", { text: pct(s.share) })]);
    });
    var warn = f.speakers.filter(function (s) { return s.over_budget; }).map(function (s) {
      return el("p", { cls: "notice warn", role: "alert", text: s.name + " " + T.over_budget + " (" + dec(s.ratio_to_fair, 1) + "×)" });
    });
    fill("live-fairness", warn.concat([
      el("table", { cls: "live-fair" }, [el("thead", {}, [el("tr", {}, [T.speaker, T.total, T.turns, T.share].map(function (h) { return el("th", { text: h }); }))]), el("tbody", {}, rows)]),
      el("p", { cls: "small", text: T.fair_share + COLON + mmss(f.fair_share_ms) + " · " + T.gini + COLON + dec(f.gini, 2) + " (" + T.gini_corrected + COLON + dec(f.gini_corrected, 2) + ") · " + T.moderator_share + COLON + pct(f.moderator_share) }),
    ]));
    void now;
  }

  function drawNotes() {
    fill("live-notes", st.notes.length ? st.notes.map(function (n) {
      var at = new Date(n.at).toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
      return el("li", {}, [el("span", { cls: "muted small", text: at + (n.agenda_item ? " · " + n.agenda_item : "") + " · " + n.author }), el("br"), n.text]);
    }) : [el("li", { cls: "muted", text: T.no_notes })]);
  }

  function drawScreen() {
    var qs = sortedQuestions(), q = qs[0];
    fill("live-on-screen", q ? [el("p", { cls: "small muted", text: T.on_screen }), el("p", { cls: "live-screen-q", text: q.text }), el("p", { cls: "muted", text: plural(q.votes, T.votes_one, T.votes_other) })] : []);
  }

  // Wire the forms and buttons of each view.
  document.querySelectorAll("[data-sort]").forEach(function (b) {
    b.addEventListener("click", function () { sortBy = b.dataset.sort; if (st) draw(); });
  });
  function onSubmit(id, fn) { var f = $(id); if (f) f.addEventListener("submit", function (ev) { ev.preventDefault(); fn(f); }); }
  onSubmit("live-ask", function (f) {
    var text = f.elements.text.value.trim(); if (!text) return;
    send({ action: "ask", text: text, anonymous: !!(f.elements.anonymous && f.elements.anonymous.checked) });
    f.reset();
  });
  if ($("live-hand")) $("live-hand").addEventListener("click", function () {
    send(st && st.me.hand_raised ? { action: "lower_hand" } : { action: "raise_hand" });
  });
  if ($("live-end-turn")) $("live-end-turn").addEventListener("click", function () { send({ action: "end_turn" }); });
  if ($("live-speak")) $("live-speak").addEventListener("click", function () { send({ action: "give_floor", kind: "moderator" }); });
  onSubmit("live-guest", function (f) { send({ action: "give_floor", kind: "guest", name: f.elements.name.value }); f.reset(); });
  onSubmit("live-invite", function (f) {
    var name = f.elements.name.value.trim(); if (!name) return;
    send({ action: "invite", key: "inv:" + name.toLowerCase(), name: name }); f.reset();
  });
  onSubmit("live-agenda-form", function (f) {
    var min = parseInt(f.elements.minutes.value, 10);
    send({ action: "agenda", item: f.elements.item.value, ends_at: min > 0 ? Date.now() + clockOffset + min * 60000 : null });
  });
  // A session's console: its agenda items and the polls of the session it repeats.
  document.querySelectorAll("[data-agenda]").forEach(function (b) {
    b.addEventListener("click", function () {
      var min = parseInt(b.dataset.minutes, 10);
      send({ action: "agenda", item: b.dataset.agenda, ends_at: min > 0 ? Date.now() + clockOffset + min * 60000 : null });
    });
  });
  document.querySelectorAll("[data-poll]").forEach(function (b) {
    b.addEventListener("click", function () {
      var p = JSON.parse(b.dataset.poll);
      send({ action: "open_poll", title: p.title, kind: p.kind, hide_results: p.hide_results });
      b.disabled = true;
    });
  });
  onSubmit("live-note-form", function (f) {
    var text = f.elements.text.value.trim(); if (!text) return;
    send({ action: "note", text: text }); f.reset();
  });
  onSubmit("live-poll-form", function (f) {
    var k = f.elements.kind.value, opts = f.elements.options.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean), kind;
    if (k === "scale5") kind = { type: "scale", min: 1, max: 5 };
    else if (k === "scale10") kind = { type: "scale", min: 0, max: 10 };
    else if (k === "word_cloud") kind = { type: "word_cloud" };
    else kind = { type: k, options: opts };
    send({ action: "open_poll", title: f.elements.title.value, kind: kind, hide_results: f.elements.hide_results.checked });
    f.reset();
  });
  connect();
})();
