// Premier chargement, mesuré dans le Chromium de Debian (headless, boucle
// locale) : N chargements à froid de /connexion (contexte neuf, cache
// désactivé) ; pour chacun, le temps de la navigation au formulaire de
// connexion prêt à la saisie, puis du clic « Se connecter » à Mon Espace
// rendu ; les octets reçus pour /connexion (polices exclues). Imprime les
// médianes (et min/max) en JSON sur la sortie.
import { chromium } from "../end2end/node_modules/playwright-core/index.mjs";

const base = process.argv[2] ?? "http://127.0.0.1:8097";
const n = Number(process.argv[3] ?? 20);
const navigateur = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const saisie = [];
const espace = [];
const octets = [];
for (let i = 0; i < n; i++) {
  const contexte = await navigateur.newContext();
  const page = await contexte.newPage();
  const cdp = await contexte.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  // Les polices ne comptent pas (comme dans end2end/tests/budget.spec.ts).
  let recu = 0;
  const polices = new Set();
  cdp.on("Network.responseReceived", (e) => {
    if (e.type === "Font" || new URL(e.response.url).pathname.startsWith("/fonts/")) polices.add(e.requestId);
  });
  cdp.on("Network.loadingFinished", (e) => { if (!polices.has(e.requestId)) recu += e.encodedDataLength; });
  const t0 = Date.now();
  await page.goto(`${base}/connexion`);
  const email = page.getByLabel("Adresse électronique");
  await email.waitFor({ state: "visible" });
  await page.waitForFunction(() => { const e = document.querySelector("#email"); return e && !e.disabled; });
  saisie.push(Date.now() - t0);
  octets.push(recu);
  await email.fill("julien.paul@demo.immat.fr");
  await page.getByLabel("Mot de passe").fill("Demo-Immat-2026");
  const t1 = Date.now();
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("heading", { name: "Mon Espace", level: 1 }).waitFor();
  espace.push(Date.now() - t1);
  await contexte.close();
}
await navigateur.close();
const stats = (v) => { const s = [...v].sort((a, b) => a - b); return { mediane: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] }; };
console.log(JSON.stringify({ chargements: n, formulaire_pret_ms: stats(saisie), mon_espace_ms: stats(espace), octets_connexion: stats(octets) }));
