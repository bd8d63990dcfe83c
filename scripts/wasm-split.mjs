// Découpage du wasm par route (crochet `post_build` de Trunk, voir Trunk.toml).
//
// Trunk ne découpe pas le wasm lui-même (trunk-rs/trunk#1022, ouvert) ; il
// lance ce script après sa construction, dans son dossier de préparation
// (TRUNK_STAGING_DIR), avant de le publier dans dist/. Le script :
// 1. découpe le wasm que cargo a produit (lié avec --emit-relocs) aux points
//    marqués par `#[lazy_route]` (leptos_router), avec `wasm-split-cli`
//    (crate wasm_split_cli_support, celle qu'emploie cargo-leptos) : un module
//    principal, un module par route paresseuse (et par code partagé entre
//    elles) et leur chargeur `__wasm_split.js` ;
// 2. passe le module principal dans wasm-bindgen, sous le nom à empreinte que
//    Trunk a choisi (immat-web-<empreinte>.js / _bg.wasm), à la place de la
//    sortie de Trunk, qui ne sert pas ;
// 3. optimise chaque module avec wasm-opt (construction release) ;
// 4. recalcule les empreintes d'intégrité (SRI) de index.html.
//
// Le chargeur et les modules des routes vont dans un dossier qui porte le
// nom à empreinte du module principal (/immat-web-<empreinte>/…) : un onglet
// ouvert sur une version ne charge jamais les modules d'une autre, et le
// serveur peut les dire immuables.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPRISE = `
async function chargerAvecReprise(url) {
  for (let essai = 1; ; essai++) {
    try {
      const reponse = await fetch(url);
      // Un module d'une version retirée du serveur revient en page HTML
      // (repli du SPA, statut 200) : seul un vrai wasm compte.
      const type = reponse.headers.get("content-type") ?? "";
      if (reponse.ok && type.startsWith("application/wasm")) return reponse;
      throw new Error(\`\${url} : HTTP \${reponse.status}, \${type}\`);
    } catch (erreur) {
      if (essai >= 3) {
        console.error("Module de page introuvable, la page se recharge :", erreur);
        location.reload();
        return new Promise(() => {});
      }
      await new Promise((fin) => setTimeout(fin, 400 * essai));
    }
  }
}
`;

const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
const staging = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
const release = (process.env.TRUNK_PROFILE ?? "release") === "release";
if (!staging) {
  console.error("wasm-split : TRUNK_STAGING_DIR manque (le script est un crochet de Trunk).");
  process.exit(1);
}

// Le wasm lié par cargo (profil choisi par index.html : wasm-release).
const cibles = process.env.CARGO_TARGET_DIR ?? join(source, "target");
const profil = release ? "wasm-release" : "debug";
const brut = join(cibles, "wasm32-unknown-unknown", profil, "immat-web.wasm");
if (!existsSync(brut)) {
  console.error(`wasm-split : ${brut} introuvable.`);
  process.exit(1);
}

// Le nom que Trunk a donné au module (immat-web-<empreinte>).
const js = readdirSync(staging).find((n) => /^immat-web-[0-9a-f]+\.js$/.test(n));
if (!js) {
  console.error("wasm-split : aucun immat-web-<empreinte>.js dans la sortie de Trunk.");
  process.exit(1);
}
const nom = js.slice(0, -3);

const dossier = join(staging, nom);
rmSync(dossier, { recursive: true, force: true });
mkdirSync(dossier);

const travail = mkdtempSync(join(tmpdir(), "immat-split-"));
try {
  execFileSync("wasm-split-cli", [brut, join(travail, "split"), "--out-name", nom], { stdio: "inherit" });
  execFileSync(
    "wasm-bindgen",
    [
      join(travail, "split", `${nom}.wasm`),
      "--out-dir", join(travail, "bg"),
      "--out-name", nom,
      "--target", "web",
      "--keep-lld-exports",
      "--no-typescript",
    ],
    { stdio: "inherit" },
  );
  const modules = [];
  for (const n of readdirSync(join(travail, "split"))) {
    if (n === `${nom}.wasm` || n === "__wasm_split.js") continue;
    copyFileSync(join(travail, "split", n), join(dossier, n));
    modules.push(join(nom, n));
  }
  // Le chargeur importe initSync du module principal, un dossier plus haut ;
  // le module principal importe le chargeur dans son dossier.
  let chargeur = readFileSync(join(travail, "split", "__wasm_split.js"), "utf8");
  const depuisChargeur = `from "./${nom}.js"`;
  if (!chargeur.includes(depuisChargeur)) throw new Error(`__wasm_split.js n'importe pas ${depuisChargeur}`);
  chargeur = chargeur.replace(depuisChargeur, `from "../${nom}.js"`);
  // Un module de route qui n'arrive pas ferait paniquer le wasm (le
  // chargement n'est pas faillible dans leptos_router 0.8) et figerait la
  // page : trois essais espacés, puis la page se recharge (elle repart d'une
  // version cohérente du serveur) plutôt que de rester morte. Un onglet
  // resté ouvert pendant une mise en production y gagne la nouvelle version.
  const appels = chargeur.split("fetch(new URL(").length - 1;
  if (appels === 0) throw new Error("__wasm_split.js : aucun fetch(new URL( à reprendre");
  chargeur = chargeur.replaceAll("fetch(new URL(", "chargerAvecReprise(new URL(") + REPRISE;
  writeFileSync(join(dossier, "__wasm_split.js"), chargeur);
  const principal = readFileSync(join(travail, "bg", `${nom}.js`), "utf8");
  // Seule l'instruction import change : la clé "./__wasm_split.js" de la
  // table des imports est le nom que le wasm attend.
  const importation = 'from "./__wasm_split.js"';
  if (!principal.includes(importation)) throw new Error(`${nom}.js n'importe pas ./__wasm_split.js`);
  writeFileSync(join(staging, `${nom}.js`), principal.replaceAll(importation, `from "./${nom}/__wasm_split.js"`));
  copyFileSync(join(travail, "bg", `${nom}_bg.wasm`), join(staging, `${nom}_bg.wasm`));
  modules.push(`${nom}_bg.wasm`);
  if (release) {
    for (const n of modules) {
      const chemin = join(staging, n);
      execFileSync(
        "wasm-opt",
        [
          "-Oz",
          "--enable-bulk-memory", "--enable-sign-ext", "--enable-nontrapping-float-to-int", "--enable-mutable-globals",
          chemin, "-o", chemin,
        ],
        { stdio: "inherit" },
      );
    }
  }
  // Les empreintes d'intégrité que Trunk a écrites valent pour ses fichiers.
  const indexPath = join(staging, "index.html");
  let html = readFileSync(indexPath, "utf8");
  html = html.replace(/href="\/([^"]+)"([^>]*?)integrity="sha384-[^"]+"/g, (tout, fichier, entre) => {
    const chemin = join(staging, fichier);
    if (!existsSync(chemin)) return tout;
    const empreinte = createHash("sha384").update(readFileSync(chemin)).digest("base64");
    return `href="/${fichier}"${entre}integrity="sha384-${empreinte}"`;
  });
  writeFileSync(indexPath, html);
  console.log(`    wasm découpé : ${nom}_bg.wasm et ${modules.length - 1} module(s) de route`);
} finally {
  rmSync(travail, { recursive: true, force: true });
}
