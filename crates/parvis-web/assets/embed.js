/* Parvis embed loader. The two-line snippet:
     <div data-parvis-embed="thread/12"></div>
     <script async src="https://parvis.example/assets/embed.js"></script>
   Each such element gets an iframe on /embed/thread/12 once it nears the viewport; the frame
   reports its height with WordPress's postMessage protocol (a random secret per frame), and
   asks us to open links in the top window. An iframe rather than Shadow DOM: styles and
   scripts are isolated both ways, and the host's CSP only has to allow our frame address.
   Single-page apps: Parvis.mount(el, {sso: jwt}), Parvis.unmount(el), Parvis.scan(root).
   Single sign-on: data-sso="<JWT signed by the host site>" on the element. */
(function (w, d) {
  if (w.Parvis && w.Parvis.mount) return;
  var me = d.currentScript;
  var base = me ? me.src.replace(/\/assets\/embed\.js.*$/, '') : '';
  var origin = base.replace(/^(https?:\/\/[^/]+).*$/, '$1');
  var frames = [];
  var io = w.IntersectionObserver && new IntersectionObserver(function (es) {
    es.forEach(function (e) { if (e.isIntersecting) load(e.target); });
  }, { rootMargin: '600px' });

  function secret() {
    var s = '';
    while (s.length < 10) s += Math.random().toString(36).slice(2);
    return s.slice(0, 10);
  }
  function attr(el, n) { return el.getAttribute('data-' + n) || ''; }
  function load(el) {
    var p = el._parvis;
    if (!p || p.f) return;
    if (io) io.unobserve(el);
    var f = d.createElement('iframe');
    // The address is cut at 500 characters; a share code (?ref=) at its end goes apart.
    var r = /[?&]ref=([^&]*)/.exec(location.search);
    var q = 'lang=' + encodeURIComponent(attr(el, 'lang') || d.documentElement.lang || navigator.language || '') +
      '&theme=' + encodeURIComponent(attr(el, 'theme')) +
      '&origin=' + encodeURIComponent(location.origin) +
      '&host=' + encodeURIComponent(location.href.split('#')[0].slice(0, 500)) + (r ? '&ref=' + r[1] : '');
    // A single sign-on token rides in the fragment: never sent to a server or in a Referer.
    f.src = base + '/embed/' + p.key + '?' + q + '#?secret=' + p.s + (p.sso ? '&sso=' + encodeURIComponent(p.sso) : '');
    f.title = attr(el, 'title') || 'Parvis';
    // Through the CSSOM: a style attribute is refused where the CSP forbids inline styles
    // (Parvis's own preview, and strict hosts).
    f.style.cssText = 'display:block;width:100%;height:240px;border:0;margin:0;padding:0;max-width:100%';
    f.setAttribute('allow', 'clipboard-write');
    p.f = f;
    el.appendChild(f);
  }
  function mount(el, o) {
    if (!el || el._parvis) return;
    var key = attr(el, 'parvis-embed');
    if (!/^[a-z]+(\/[A-Za-z0-9_-]+){1,2}$/.test(key)) return;
    el._parvis = { key: key, s: secret(), sso: (o && o.sso) || attr(el, 'sso') };
    frames.push(el);
    if (io) io.observe(el); else load(el);
  }
  function unmount(el) {
    var p = el && el._parvis;
    if (!p) return;
    if (io) io.unobserve(el);
    if (p.f && p.f.parentNode) p.f.parentNode.removeChild(p.f);
    frames.splice(frames.indexOf(el), 1);
    delete el._parvis;
  }
  function scan(root) {
    var els = (root || d).querySelectorAll('[data-parvis-embed]');
    for (var i = 0; i < els.length; i++) mount(els[i]);
  }
  w.addEventListener('message', function (e) {
    var m = e.data;
    if (!m || typeof m.secret !== 'string' || e.origin !== origin) return;
    for (var i = 0; i < frames.length; i++) {
      var p = frames[i]._parvis;
      if (!p.f || p.s !== m.secret || p.f.contentWindow !== e.source) continue;
      if (m.message === 'height') {
        var h = parseInt(m.value, 10);
        if (h > 0 && h < 20000) p.f.style.height = h + 'px';
      } else if (m.message === 'link' && String(m.value).indexOf(origin + '/') === 0) {
        location.href = m.value;
      }
    }
  });
  w.Parvis = { mount: mount, unmount: unmount, scan: scan };
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', function () { scan(); });
  else scan();
})(window, document);
