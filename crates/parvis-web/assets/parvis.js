// Parvis: small progressive enhancements. Every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// Opinion map: refresh the map every 5 seconds so it follows votes as they arrive.
const map = document.getElementById("opinion-map");
if (map && map.dataset.src) {
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(map.dataset.src, { credentials: "same-origin" });
      if (response.ok) map.innerHTML = await response.text();
    } catch (_) { /* offline: keep the last map */ }
  }, 5000);
}

// Session page: the registration and attendance counts follow every 15 seconds (people
// register, check in, join online); the server writes them in the reader's language.
const counted = document.querySelector("[data-counts]");
if (counted) {
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(counted.dataset.counts, { credentials: "same-origin" });
      if (!response.ok) return;
      const { texts } = await response.json();
      for (const [key, text] of Object.entries(texts)) {
        const field = document.getElementById(`count-${key}`);
        if (field) field.textContent = text;
      }
    } catch (_) { /* offline: keep the last counts */ }
  }, 15000);
}

// Embed box: copy the two-line snippet; the preview is the snippet itself, run on this page
// (the loader is fetched when the box is first opened).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  window.getSelection().selectAllChildren(field);
  try {
    await navigator.clipboard.writeText(field.textContent);
    button.textContent = button.dataset.copied || button.textContent;
  } catch (_) { /* the text stays selected: Ctrl+C works */ }
});
const embedBox = document.getElementById("embed");
if (embedBox) {
  embedBox.addEventListener("toggle", () => {
    const preview = embedBox.querySelector("[data-parvis-preview]");
    if (!embedBox.open || !preview || preview.dataset.parvisEmbed) return;
    preview.dataset.parvisEmbed = preview.dataset.parvisPreview;
    if (window.Parvis) { window.Parvis.mount(preview); return; }
    const loader = document.createElement("script");
    loader.src = "/assets/embed.js";
    loader.async = true;
    document.head.appendChild(loader);
  });
}

// Charts as PNG: the server draws every chart as SVG; a PNG is that SVG drawn on a canvas at
// twice its size on a white background, in the reader's browser (its fonts, no server-side
// renderer to install). The links stay hidden without JavaScript.
window.parvisChartPng = async (url) => {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`chart ${url}: ${response.status}`);
  let svg = await response.text();
  const box = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  const [width, height] = box ? [Number(box[1]), Number(box[2])] : [640, 360];
  if (!/<svg[^>]*\swidth=/.test(svg)) svg = svg.replace("<svg", `<svg width="${width}" height="${height}"`);
  const image = new Image();
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = width * 2;
  canvas.height = height * 2;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("no PNG"))), "image/png"));
};
for (const wrap of document.querySelectorAll("[data-png-wrap]")) wrap.hidden = false;
document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[data-png]");
  if (!link) return;
  event.preventDefault();
  try {
    const blob = await window.parvisChartPng(link.dataset.png);
    const save = document.createElement("a");
    save.href = URL.createObjectURL(blob);
    save.download = link.dataset.name || "chart.png";
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(save.href), 10000);
  } catch (_) {
    window.location.href = link.dataset.png; // the SVG, at least
  }
});
