/* Taking part from the widget: replies and likes on a thread's card (the visitor's own likes
   asked for once signed in, the card being the same for all), an entry and votes for entries
   on an open challenge's card (the visitor's own votes asked for likewise), agree / disagree /
   pass on an opinion map's statements one after another, an answer on a survey's card (once
   per person). No cookie: the frame is a third-party iframe.
   Sign-in: the visitor's email → an emailed link they confirm in a new tab, while we poll with
   an attempt id kept in this page's memory; or the host's signed token (single sign-on,
   `#…&sso=` in our URL, never sent to a server log); either way with the share link's code
   the host page's address carried, if any (`data-ref`). The widget token we get back goes as
   `Authorization: Bearer` (no CSRF possible) and is kept in sessionStorage until it expires, so
   reloading the host page does not ask for the email again: that storage is per tab, gone when
   the tab closes, and browsers partition it by the host site, so another site embedding us
   never sees it. Where storage is refused (sandbox, privacy settings) it stays in memory.
   Text typed by people is only ever put in the page with textContent. */
(function () {
  var part = document.getElementById('pv-part');
  if (!part) return;
  var d = document, token = '', ds = part.dataset, KEY = 'pv-w:' + ds.embed;
  var form = d.getElementById('pv-reply') || d.getElementById('pv-entry') || d.getElementById('pv-answer') || d.getElementById('pv-opinion');
  function $(id) { return d.getElementById(id); }
  function keep(j) { try { if (j) sessionStorage.setItem(KEY, JSON.stringify(j)); else sessionStorage.removeItem(KEY); } catch (e) {} }
  function kept() { try { var j = JSON.parse(sessionStorage.getItem(KEY) || 'null'); return j && j.expires_at > Date.now() + 60000 ? j : null; } catch (e) { return null; } }
  function say(msg, bad) { var s = $('pv-status'); s.textContent = msg; s.className = bad ? 'pv-err' : 'pv-muted'; }
  function api(path, body, cb, method) {
    var h = { 'Content-Type': 'application/json', 'X-Parvis-Host': ds.embedder || '', 'X-Parvis-Page': ds.host || '' };
    if (token) h.Authorization = 'Bearer ' + token;
    fetch('/api/v1/embed/' + path, { method: method || (body ? 'POST' : 'GET'), headers: h, body: body ? JSON.stringify(body) : undefined, credentials: 'omit' })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) {
        // Over the visitor's budget (posts, or likes and votes): said in their language.
        if (r.status === 429) say(ds.tooFast, true);
        else if (r.status === 401 && token) signedOut(); else cb(r.status, j);
      }); })
      .catch(function () { say(ds.error, true); });
  }
  function fail(j) { say(ds.error + ' ' + (j.detail || j.title || ''), true); }
  function signedOut() {
    token = ''; keep(null);
    $('pv-signin').hidden = false; form.hidden = true;
    var vs = d.querySelectorAll('.pv-vote');
    for (var i = 0; i < vs.length; i++) vs[i].hidden = true;
  }
  // « Connecté·e en tant qu'Anna »: French elides que before a vowel or a mute h, not before
  // a y sounding like a consonant (« que Yasmine »); the same rule as i18n::elides.
  function elides(n) {
    var w = n.trim().toLowerCase(), v = 'aeiouàâäéèêëîïôöùûüœæ', c = w.charAt(1);
    return w[0] === 'h' || (w[0] === 'y' ? c !== '' && v.indexOf(c) < 0 && c !== c.toUpperCase() : v.indexOf(w[0] || '-') >= 0);
  }
  function signedIn(j) {
    token = j.token; keep(j);
    $('pv-signin').hidden = true; $('pv-wait').hidden = true;
    form.hidden = false; $('pv-me').textContent = j.display_name;
    var as = $('pv-as');
    as.textContent = as.getAttribute(elides(j.display_name) ? 'data-elided' : 'data-plain');
    if (ds.challenge) votes(); else if (ds.opinion) statement(); else if (!ds.survey) thread(j);
  }
  // The card is drawn the same for everyone: which entries the visitor voted for (and which
  // are theirs, not to be voted for), we ask, then show the buttons.
  function votes() {
    api('challenges/' + ds.challenge + '/votes', null, function (s, j) {
      if (s !== 200) return;
      var vs = d.querySelectorAll('.pv-vote');
      for (var i = 0; i < vs.length; i++) {
        var id = parseInt(vs[i].getAttribute('data-e'), 10);
        vs[i].setAttribute('aria-pressed', String(j.voted.indexOf(id) >= 0));
        vs[i].hidden = j.own.indexOf(id) >= 0;
      }
    });
  }
  // The next statement the map needs the visitor's vote on (none left: said so).
  function statement() {
    api('opinion/' + ds.opinion + '/next-statement', null, function (s, j) {
      var p = $('pv-statement'), has = s === 200;
      if (s !== 200 && s !== 204) return fail(j);
      p.textContent = has ? j.body : ds.allVoted;
      p.setAttribute('data-s', has ? j.id : '');
      $('pv-sv').hidden = !has;
    });
  }
  function thread(j) {
    $('pv-pseudo-row').hidden = !j.pseudonyms_allowed;
    var likes = d.querySelectorAll('.pv-like');
    for (var i = 0; i < likes.length; i++) likes[i].hidden = false;
    // The card is drawn the same for everyone: which likes are the visitor's, we ask.
    api('threads/' + ds.thread + '/reactions', null, function (s, list) {
      if (s !== 200) return;
      list.forEach(function (r) {
        var b = r.kind === 'like' && d.querySelector('.pv-like[data-m="' + r.message_id + '"]');
        if (b) b.setAttribute('aria-pressed', 'true');
      });
    });
    api('threads/' + ds.thread + '/held', null, function (s, list) {
      if (s === 200) list.forEach(function (h) { mine(h.author_name, h.body_markdown, ds.pending); });
    });
  }
  function mine(name, text, note) {
    var li = d.createElement('li'), p = d.createElement('p'), b = d.createElement('p');
    p.className = 'pv-muted'; p.textContent = name + ' · ' + note;
    b.className = 'pv-body pv-pre'; b.textContent = text;
    li.appendChild(p); li.appendChild(b); $('pv-mine').appendChild(li);
  }
  $('pv-signin').addEventListener('submit', function (e) {
    e.preventDefault();
    // The share link's code in the host page's address goes with the request, as with a
    // single sign-on: the confirmed sign-in is then credited to the sharer.
    api('auth/start', { embed: ds.embed, email: $('pv-email').value, lang: d.documentElement.lang, host: ds.host, ref: ds.ref || undefined }, function (s, j) {
      if (s !== 202) return fail(j);
      $('pv-wait').hidden = false; say('');
      var t = setInterval(function () {
        api('auth/poll', { attempt: j.attempt }, function (s2, j2) {
          if (s2 === 202) return;
          clearInterval(t);
          if (s2 === 200) signedIn(j2); else fail(j2);
        });
      }, j.poll_ms || 2000);
    });
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (ds.opinion) return;
    if (ds.challenge) return entry();
    if (ds.survey) return answer();
    var body = $('pv-body').value, pseudo = $('pv-pseudo').value;
    api('threads/' + ds.thread + '/messages', { body: body, pseudonym: pseudo || null }, function (s, j) {
      if (s !== 201 && s !== 202) return fail(j);
      say(s === 201 ? ds.published : ds.held); $('pv-body').value = '';
      mine(pseudo || $('pv-me').textContent, body, s === 201 ? ds.published : ds.pending);
    });
  });
  function entry() {
    var title = $('pv-title').value, body = $('pv-body').value;
    api('challenges/' + ds.challenge + '/entries', {
      title: title, body: body, links: $('pv-links').value.split('\n'), accept_rules: $('pv-accept').checked
    }, function (s, j) {
      if (s !== 201) return fail(j);
      say(ds.sent); $('pv-title').value = ''; $('pv-body').value = ''; $('pv-links').value = ''; $('pv-accept').checked = false;
      mine($('pv-me').textContent, title, ds.sent);
    });
  }
  function answer() {
    var picked = form.querySelector('input[name="score"]:checked'), g = $('pv-group');
    api('surveys/' + ds.survey + '/answers', {
      score: picked ? parseInt(picked.value, 10) : -1, comment: $('pv-comment').value, group: g ? g.value : ''
    }, function (s, j) {
      // Closed, or answered already (here or elsewhere): said in the card's language.
      var why = j.code === 'survey_closed' ? ds.closed : j.code === 'already_answered' ? ds.answered : '';
      if (why) { form.hidden = true; return say(why, true); }
      if (s !== 201) return fail(j);
      say(ds.sent); form.hidden = true;
    });
  }
  d.addEventListener('click', function (e) {
    var v = e.target.closest && e.target.closest('.pv-vote, .pv-sv');
    if (v && token) return v.classList.contains('pv-sv') ? agree(v.value) : vote(v);
    var b = e.target.closest && e.target.closest('.pv-like');
    if (!b || !token) return;
    var on = b.getAttribute('aria-pressed') !== 'true';
    api('messages/' + b.getAttribute('data-m') + '/reactions', { kind: 'like', on: on }, function (s, j) {
      if (s !== 204) return fail(j);
      if ((b.getAttribute('aria-pressed') === 'true') === on) return;
      b.setAttribute('aria-pressed', String(on));
      var c = b.parentNode.querySelector('.pv-likes'), n = c && c.querySelector('.pv-n');
      if (!n) return;
      var v = Math.max(0, (parseInt(n.textContent, 10) || 0) + (on ? 1 : -1));
      n.textContent = String(v); c.hidden = !v;
    });
  });
  function agree(value) {
    var id = $('pv-statement').getAttribute('data-s');
    if (!id) return;
    api('opinion/' + ds.opinion + '/statements/' + id + '/votes', { value: value }, function (s, j) {
      if (s !== 204) return fail(j);
      say(ds.voted); statement();
    });
  }
  function vote(v) {
    var on = v.getAttribute('aria-pressed') !== 'true';
    api('challenge-entries/' + v.getAttribute('data-e') + '/vote', on ? {} : null, function (s, j) {
      // Already counted (from another tab, or the challenge's page): shown as given, not twice.
      var counted = s === 204;
      if (!counted && !(on && s === 409)) return say(j.field === 'vote' ? ds.closed : ds.error + ' ' + (j.detail || j.title || ''), true);
      say(on ? ds.voted : ds.withdrawn);
      v.setAttribute('aria-pressed', String(on));
      var n = v.parentNode.querySelector('.pv-votes .pv-n');
      if (n && counted) n.textContent = String(Math.max(0, (parseInt(n.textContent, 10) || 0) + (on ? 1 : -1)));
    }, on ? 'POST' : 'DELETE');
  }
  var sso = /[#&]sso=([^&]+)/.exec(location.hash), again = kept();
  if (again && !sso) signedIn(again);
  // A share link's code in the host page's address (the frame found it there) goes with the
  // token, so that what the visitor does here is credited to the sharer.
  else if (sso) api('auth/sso', { embed: ds.embed, token: decodeURIComponent(sso[1]), ref: ds.ref || undefined }, function (s, j) {
    if (s === 200) signedIn(j); else fail(j);
  });
})();
