import { CDPSession, Page } from "@playwright/test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { expect, JULIEN, LoginPage, test } from "./fixtures/app";

// Le poids du premier chargement, en octets réellement transférés par
// Chromium (en-têtes compris, encodage négocié par le serveur), polices
// exclues. Objectifs du ticket #13, tenus : 250 Ko pour /connexion, 300 Ko
// cumulés jusqu'à Mon Espace. Le wasm est découpé par route
// (`#[lazy_route]`, scripts/wasm-split.mjs) : la connexion ne charge que le
// module principal ; Mon Espace y ajoute ses modules. Le test échoue au-delà
// et imprime, pour chaque fichier, ses tailles brute, gzip et brotli et ce
// qui a été reçu.
const OBJECTIF_CONNEXION = 250 * 1024;
const OBJECTIF_MON_ESPACE = 300 * 1024;

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

/** Les tailles gzip (-9) et brotli (11) du fichier de dist/, s'il en est un. */
function compressions(chemin: string): { gzip: number; brotli: number } | undefined {
  const fichier = join("..", "dist", chemin === "/" || !extname(chemin) ? "index.html" : chemin);
  if (!existsSync(fichier)) return undefined;
  const brut = readFileSync(fichier);
  return {
    gzip: gzipSync(brut, { level: 9 }).length,
    brotli: brotliCompressSync(brut, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

function tableau(titre: string, lignes: Ligne[]): string {
  const ko = (n: number | undefined) => (n === undefined ? "—" : (n / 1024).toFixed(1)).padStart(8);
  const out = [
    titre,
    `  ${"fichier".padEnd(48)} ${"brut Ko".padStart(8)} ${"gzip".padStart(8)} ${"brotli".padStart(8)}  ${"envoyé".padEnd(8)} ${"reçu Ko".padStart(8)}`,
  ];
  for (const l of lignes) {
    const url = new URL(l.url);
    const c = url.pathname.startsWith("/api/") ? undefined : compressions(url.pathname);
    const nom = url.pathname + url.search;
    out.push(
      `  ${nom.slice(-48).padEnd(48)} ${ko(l.brut)} ${ko(c?.gzip)} ${ko(c?.brotli)}  ${l.encodage.padEnd(8)} ${ko(l.transfere)}`,
    );
  }
  const total = lignes.reduce((s, l) => s + l.transfere, 0);
  out.push(`  ${"total".padEnd(48)} ${ko(lignes.reduce((s, l) => s + l.brut, 0))} ${"".padStart(18)}  ${"".padEnd(8)} ${ko(total)}`);
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
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible();
  await attendreLeCalme(enCours);
  const cumul = [...lignes.values()].filter(compte);
  // Les données de Mon Espace sont bien comptées (arrivées, pas en route).
  const espace = cumul.filter((l) => new URL(l.url).pathname.startsWith("/api/v1/"));
  expect(espace.length).toBeGreaterThan(0);
  for (const l of espace) expect(l.transfere, l.url).toBeGreaterThan(0);
  const totalMonEspace = cumul.reduce((s, l) => s + l.transfere, 0);

  const rapport = [
    tableau("Premier chargement de /connexion (à froid)", connexion),
    `  objectif ${OBJECTIF_CONNEXION / 1024} Ko : ${totalConnexion <= OBJECTIF_CONNEXION ? "atteint" : "NON atteint"}`,
    tableau("Cumul jusqu'à Mon Espace (connexion comprise)", cumul),
    `  objectif ${OBJECTIF_MON_ESPACE / 1024} Ko : ${totalMonEspace <= OBJECTIF_MON_ESPACE ? "atteint" : "NON atteint"}`,
  ].join("\n");
  console.log(rapport);
  mkdirSync("../target", { recursive: true });
  writeFileSync("../target/budget-premier-chargement.txt", rapport + "\n");

  // Le wasm et le CSS arrivent compressés.
  for (const l of connexion.filter((l) => /\.(wasm|css)$/.test(new URL(l.url).pathname))) {
    expect(l.encodage, l.url).not.toBe("—");
    expect(l.transfere, l.url).toBeLessThan(l.brut);
  }
  // Mon Espace charge bien des modules de route (le découpage a eu lieu).
  const modulesDeRoute = cumul.filter((l) => /^\/immat-web-[0-9a-f]+\/.+\.wasm$/.test(new URL(l.url).pathname));
  expect(modulesDeRoute.length).toBeGreaterThan(0);
  expect(connexion.filter((l) => modulesDeRoute.some((m) => m.url === l.url))).toEqual([]);
  expect(totalConnexion).toBeLessThanOrEqual(OBJECTIF_CONNEXION);
  expect(totalMonEspace).toBeLessThanOrEqual(OBJECTIF_MON_ESPACE);
});
