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
