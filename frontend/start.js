// Starts Rapport: loads the WebAssembly app, whose `main` mounts the UI.
// A separate file because the Content-Security-Policy forbids inline scripts.
import init from "./{{APP_JS}}";

init().catch((error) => {
  console.error("Rapport could not start:", error);
  const boot = document.getElementById("boot");
  if (boot) {
    boot.textContent =
      "Rapport could not start. Reload the page; if that does not help, this browser may lack WebAssembly support.";
  }
});
