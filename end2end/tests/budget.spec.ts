import { CDPSession, Page } from "@playwright/test";
import { writeFileSync, mkdirSync } from "node:fs";
import { expect, JULIEN, LoginPage, test } from "./fixtures/app";

// Le poids du premier chargement, en octets réellement transférés par
// Chromium (en-têtes compris, encodage négocié par le serveur), polices
// exclues. Objectif du ticket #13 : 250 Ko pour /connexion, 300 Ko cumulés
// jusqu'à Mon Espace. Non atteint aujourd'hui (le wasm seul pèse ~366 Ko en
// brotli, le CSS du DSFR réduit ~41 Ko) : le test garde un plafond qui ne
// peut que baisser (cliquet ; 560 Ko avant `erase_components`, 460 Ko avant
// la feuille DSFR réduite et serde-wasm-bindgen), et imprime le tableau de
// chaque fichier.
const OBJECTIF_CONNEXION = 250 * 1024;
const OBJECTIF_MON_ESPACE = 300 * 1024;
const PLAFOND_CONNEXION = 435 * 1024;
const PLAFOND_MON_ESPACE = 440 * 1024;

type Ligne = { url: string; type: string; encodage: string; brut: number; transfere: number };

async function ecouter(page: Page): Promise<{ cdp: CDPSession; lignes: Map<string, Ligne>; enCours: Set<string> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const lignes = new Map<string, Ligne>();
  // Les requêtes parties et pas encore finies : après une navigation du
  // SPA (pushState), « networkidle » ne les attend pas.
  const enCours = new Set<string>();
  cdp.on("Network.requestWillBeSent", (e) => enCours.add(e.requestId));
  cdp.on("Network.loadingFailed", (e) => enCours.delete(e.requestId));
  cdp.on("Network.responseReceived", (e) => {
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    lignes.set(e.requestId, { url: e.response.url, type: e.type, encodage: h["content-encoding"] ?? "—", brut: 0, transfere: 0 });
  });
  cdp.on("Network.dataReceived", (e) => {
    const l = lignes.get(e.requestId);
    if (l) l.brut += e.dataLength;
  });
  cdp.on("Network.loadingFinished", (e) => {
    const l = lignes.get(e.requestId);
    if (l) l.transfere = e.encodedDataLength;
    enCours.delete(e.requestId);
  });
  return { cdp, lignes, enCours };
}

/** Attend que plus aucune requête ne soit en cours depuis 500 ms. */
async function attendreLeCalme(enCours: Set<string>) {
  let calmeDepuis = Date.now();
  await expect
    .poll(
      () => {
        if (enCours.size > 0) calmeDepuis = Date.now();
        return Date.now() - calmeDepuis;
      },
      { timeout: 15_000, intervals: [100] },
    )
    .toBeGreaterThanOrEqual(500);
}

function compte(l: Ligne): boolean {
  // Les images en `data:` du CSS ne passent pas par le réseau.
  if (!l.url.startsWith("http")) return false;
  const chemin = new URL(l.url).pathname;
  // html, js, wasm, css ; pas les polices.
  return !chemin.startsWith("/fonts/") && l.type !== "Font";
}

function tableau(titre: string, lignes: Ligne[]): string {
  const ko = (n: number) => (n / 1024).toFixed(1).padStart(8);
  const out = [titre, `  ${"fichier".padEnd(48)} ${"encodage".padEnd(8)} ${"brut Ko".padStart(8)} ${"reçu Ko".padStart(8)}`];
  for (const l of lignes) {
    const nom = new URL(l.url).pathname + new URL(l.url).search;
    out.push(`  ${nom.slice(0, 48).padEnd(48)} ${l.encodage.padEnd(8)} ${ko(l.brut)} ${ko(l.transfere)}`);
  }
  const total = lignes.reduce((s, l) => s + l.transfere, 0);
  out.push(`  ${"total".padEnd(57)} ${ko(lignes.reduce((s, l) => s + l.brut, 0))} ${ko(total)}`);
  return out.join("\n");
}

test("budget du premier chargement : /connexion puis Mon Espace", async ({ page }, info) => {
  test.skip(info.project.name !== "bureau", "mesuré une fois, sur le profil bureau");
  const { lignes, enCours } = await ecouter(page);
  const login = new LoginPage(page);
  await login.goto();
  // Le formulaire accepte la saisie : le wasm a rendu la page.
  await expect(login.email).toBeEditable();
  await attendreLeCalme(enCours);
  const connexion = [...lignes.values()].filter(compte);
  const totalConnexion = connexion.reduce((s, l) => s + l.transfere, 0);

  await login.login(JULIEN.email);
  await expect(page.getByRole("heading", { name: "Mon Espace", level: 1 })).toBeVisible();
  await attendreLeCalme(enCours);
  const cumul = [...lignes.values()].filter(compte);
  // Les données de Mon Espace sont bien comptées (arrivées, pas en route).
  const espace = cumul.filter((l) => new URL(l.url).pathname.startsWith("/api/v1/"));
  expect(espace.length).toBeGreaterThan(0);
  for (const l of espace) expect(l.transfere, l.url).toBeGreaterThan(0);
  const totalMonEspace = cumul.reduce((s, l) => s + l.transfere, 0);

  const rapport = [
    tableau("Premier chargement de /connexion (à froid)", connexion),
    `  objectif ${OBJECTIF_CONNEXION / 1024} Ko : ${totalConnexion <= OBJECTIF_CONNEXION ? "atteint" : "NON atteint"} ; plafond actuel ${PLAFOND_CONNEXION / 1024} Ko`,
    tableau("Cumul jusqu'à Mon Espace (connexion comprise)", cumul),
    `  objectif ${OBJECTIF_MON_ESPACE / 1024} Ko : ${totalMonEspace <= OBJECTIF_MON_ESPACE ? "atteint" : "NON atteint"} ; plafond actuel ${PLAFOND_MON_ESPACE / 1024} Ko`,
  ].join("\n");
  console.log(rapport);
  mkdirSync("../target", { recursive: true });
  writeFileSync("../target/budget-premier-chargement.txt", rapport + "\n");

  // Le wasm et le CSS arrivent compressés.
  for (const l of connexion.filter((l) => /\.(wasm|css)$/.test(new URL(l.url).pathname))) {
    expect(l.encodage, l.url).not.toBe("—");
    expect(l.transfere, l.url).toBeLessThan(l.brut);
  }
  expect(totalConnexion).toBeLessThanOrEqual(PLAFOND_CONNEXION);
  expect(totalMonEspace).toBeLessThanOrEqual(PLAFOND_MON_ESPACE);
});
