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
