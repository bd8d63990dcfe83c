// Chromium de Debian : Playwright ne télécharge aucun navigateur ici. Sans les
// options réseau d'arrière-plan, Chromium tente des connexions que cette
// machine refuse.
export const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
