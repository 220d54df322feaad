/* Inside the embed's iframe. Speaks WordPress's embed protocol, which Parvis's loader speaks
   too: the host put `#?secret=…` in our URL; we post {message:'height'} whenever our height
   changes and {message:'link'} instead of navigating the top window ourselves (a sandboxed
   frame may not). No cookie, no storage: the frame may have an opaque origin. */
(function () {
  var m = /secret=([A-Za-z0-9]{1,64})/.exec(location.hash);
  var secret = m ? m[1] : '';
  var host = window.parent;
  var framed = host && host !== window;
  function send(message, value) {
    if (framed) host.postMessage({ message: message, value: value, secret: secret }, '*');
  }
  var last = 0, waits = 0, waiting = false;
  function height() {
    // A host may lay the frame out at zero width at first (WordPress inserts it hidden): the
    // card would then measure as one word per line, thousands of pixels high. Look again
    // shortly (the observer below also runs when the width comes); after 3 s say what there
    // is, so that a host that waits for a height before showing the frame still shows it.
    if (!window.innerWidth && waits < 15) {
      if (!waiting) { waiting = true; waits++; setTimeout(function () { waiting = false; height(); }, 200); }
      return;
    }
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== last) { last = h; send('height', h); }
  }
  window.addEventListener('load', height);
  if (window.ResizeObserver) new ResizeObserver(height).observe(document.documentElement);
  else window.addEventListener('resize', height);
  window.addEventListener('message', function (e) {
    var d = e.data;
    if (d && d.message === 'ready' && d.secret === secret) { last = 0; height(); }
  });
  // Links in messages open a new window: the frame is not the place to browse the web.
  var links = document.querySelectorAll('.pv-body a[href]');
  for (var i = 0; i < links.length; i++) { links[i].target = '_blank'; links[i].rel = 'noopener nofollow ugc'; }
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[href]') : null;
    if (!a) return;
    if (a.classList.contains('pv-in')) {
      // In-frame navigation (pages, topic → thread) keeps the secret.
      if (secret) a.href = a.href.split('#')[0] + '#?secret=' + secret;
      return;
    }
    if (framed && secret && a.classList.contains('pv-out')) {
      e.preventDefault();
      send('link', a.href);
    }
  });
  // Cookieless counts: a view now, "read to the end" when the end of the card shows.
  var pv = document.getElementById('pv');
  function beacon(event) {
    var key = pv && pv.getAttribute('data-key');
    if (!key || !navigator.sendBeacon) return;
    navigator.sendBeacon('/embed/e?k=' + encodeURIComponent(key) + '&e=' + event +
      '&h=' + encodeURIComponent(pv.getAttribute('data-host') || ''));
  }
  beacon('view');
  var end = document.getElementById('pv-end');
  if (end && window.IntersectionObserver) {
    var seen = new IntersectionObserver(function (es) {
      if (es[0].isIntersecting) { seen.disconnect(); beacon('read'); }
    });
    seen.observe(end);
  }
  height();
})();
