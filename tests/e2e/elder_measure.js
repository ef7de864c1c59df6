() => {  // elder-mode measurements, evaluated by tests/e2e/test_content_elder.py
  const px = (v) => parseFloat(v);
  const isShown = (el) => {
    if (el.closest('.visually-hidden, [hidden], [aria-hidden="true"]')) return false;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
  };
  const rgba = (v) => { const m = v.match(/[\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = (c) => { const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c.a > 0.99) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const contrast = (el) => { const a = lum(rgba(getComputedStyle(el).color)) + 0.05, b = lum(background(el)) + 0.05;
    return Math.max(a, b) / Math.min(a, b); };
  const label = (el) => el.tagName.toLowerCase() + ':' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30);
  const texts = [...document.querySelectorAll('main p, main li, main td, main th, main dd, main dt, main label, main figcaption, footer p')]
    .filter(isShown).filter((el) => el.innerText.trim());
  const controls = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(isShown).filter((el) => !el.classList.contains('skip-link'))
    // A radio button or checkbox is operated through its label: the label is the target that must be 60 x 60.
    .map((el) => (el.matches('input[type=radio], input[type=checkbox]')
      ? (el.closest('label') || document.querySelector(`label[for="${el.id}"]`) || el) : el));
  const lists = [...document.querySelectorAll('.card-list, .poster-grid')].filter(isShown);
  return {
    htmlClass: document.documentElement.className,
    bodyFont: px(getComputedStyle(document.body).fontSize),
    smallText: texts.filter((el) => px(getComputedStyle(el).fontSize) < 24).map(label),
    tightText: texts.filter((el) => { const s = getComputedStyle(el); return px(s.lineHeight) < 1.3 * px(s.fontSize); }).map(label),
    lowContrast: [...texts, ...controls].filter((el) => contrast(el) < 4.5).map((el) => label(el) + ' ' + contrast(el).toFixed(2)),
    smallControls: controls.map((el) => [label(el), el.getBoundingClientRect()])
      .filter(([, r]) => r.width < 60 || r.height < 60).map(([l, r]) => `${l} ${Math.round(r.width)}x${Math.round(r.height)}`),
    multiColumn: lists.filter((el) => getComputedStyle(el).gridTemplateColumns.trim().split(/\s+/).length > 1).length,
    horizontalScroll: document.documentElement.scrollWidth > window.innerWidth + 1,
    popups: [...document.querySelectorAll('body *')].filter(isShown)
      .filter((el) => getComputedStyle(el).position === 'fixed' || el.matches('dialog[open], [role=dialog]')).length,
    controlCount: controls.length,
  };
}
