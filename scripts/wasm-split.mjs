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
// Le module principal, son chargeur et les modules des routes prennent un
// nom tiré de leur contenu final (immat-web-<empreinte>.js, _bg.wasm, et le
// dossier /immat-web-<empreinte>/…) : un onglet ouvert sur une version ne
// charge jamais les modules d'une autre, et le serveur peut les dire
// immuables.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPRISE = `
// Une page rechargée pour un module manquant ne se recharge plus pendant
// une minute : un message la remplace (pas de boucle).
const CLE_RECHARGEMENT = "immat-rechargement";
async function chargerAvecReprise(url) {
  for (let essai = 1; ; essai++) {
    try {
      const reponse = await fetch(url);
      // Un module d'une version retirée du serveur revient en page HTML
      // (repli du SPA, statut 200) : seul un vrai wasm compte.
      const type = reponse.headers.get("content-type") ?? "";
      if (!reponse.ok || !type.startsWith("application/wasm")) {
        throw new Error(\`\${url} : HTTP \${reponse.status}, \${type}\`);
      }
      // Le corps entier, vérifié : une coupure en plein téléchargement ou un
      // fichier abîmé se reprennent aussi.
      const octets = await reponse.arrayBuffer();
      if (!WebAssembly.validate(octets)) throw new Error(\`\${url} : module wasm invalide\`);
      return new Response(octets, { headers: { "content-type": "application/wasm" } });
    } catch (erreur) {
      if (essai >= 3) {
        echecDuChargement(erreur);
        return new Promise(() => {});
      }
      await new Promise((fin) => setTimeout(fin, 400 * essai));
    }
  }
}
function echecDuChargement(erreur) {
  console.error("Module de page introuvable :", erreur);
  const ici = location.pathname;
  let precedent = null;
  try { precedent = JSON.parse(sessionStorage.getItem(CLE_RECHARGEMENT) ?? "null"); } catch {}
  const recent = precedent !== null && precedent.chemin === ici && Date.now() - precedent.quand < 60000;
  if (navigator.onLine && !recent) {
    try { sessionStorage.setItem(CLE_RECHARGEMENT, JSON.stringify({ chemin: ici, quand: Date.now() })); } catch {}
    location.reload();
    return;
  }
  const alerte = document.createElement("div");
  alerte.className = "fr-alert fr-alert--error fr-mt-3w";
  alerte.setAttribute("role", "alert");
  alerte.dataset.testid = "chargement-impossible";
  const titre = document.createElement("h2");
  titre.className = "fr-alert__title";
  titre.textContent = "Cette page n'a pas pu être chargée";
  const texte = document.createElement("p");
  texte.textContent = "Vérifiez votre connexion à Internet, puis réessayez.";
  const bouton = document.createElement("button");
  bouton.type = "button";
  bouton.className = "fr-btn fr-mt-2w";
  bouton.textContent = "Réessayer";
  bouton.addEventListener("click", () => location.reload());
  alerte.append(titre, texte, bouton);
  // L'état de chargement de la navigation tombe : la page le dit autrement.
  document.querySelector("[data-testid='page-courante']")?.removeAttribute("inert");
  const chargement = document.querySelector("[data-testid='chargement-page']");
  if (chargement) chargement.hidden = true;
  (document.getElementById("contenu") ?? document.body).prepend(alerte);
}
`;

/** Remplace toutes les occurrences, et échoue s'il n'y en a aucune. */
function remplacer(texte, avant, apres) {
  if (!texte.includes(avant)) throw new Error(`« ${avant} » introuvable`);
  return texte.replaceAll(avant, apres);
}

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
  // L'empreinte de Trunk vient du wasm brut de cargo : elle ne couvre ni ce
  // script, ni wasm-split-cli, ni wasm-opt. Les fichiers publiés prennent
  // un nom tiré de leur contenu final (le serveur les garde un an).
  const empreinte = createHash("sha256");
  for (const n of [...modules, `${nom}.js`, join(nom, "__wasm_split.js")].sort()) {
    empreinte.update(n).update(readFileSync(join(staging, n)));
  }
  const final = `immat-web-${empreinte.digest("hex").slice(0, 16)}`;
  renameSync(dossier, join(staging, final));
  const chargeurFinal = join(staging, final, "__wasm_split.js");
  writeFileSync(chargeurFinal, remplacer(readFileSync(chargeurFinal, "utf8"), `../${nom}.js`, `../${final}.js`));
  writeFileSync(join(staging, `${final}.js`), remplacer(readFileSync(join(staging, `${nom}.js`), "utf8"), `./${nom}/`, `./${final}/`));
  unlinkSync(join(staging, `${nom}.js`));
  renameSync(join(staging, `${nom}_bg.wasm`), join(staging, `${final}_bg.wasm`));
  const indexPath = join(staging, "index.html");
  let html = remplacer(readFileSync(indexPath, "utf8"), nom, final);
  // Les empreintes d'intégrité que Trunk a écrites valent pour ses fichiers.
  let integrites = 0;
  html = html.replace(/href="\/([^"]+)"([^>]*?)integrity="sha384-[^"]+"/g, (tout, fichier, entre) => {
    const chemin = join(staging, fichier);
    if (!existsSync(chemin)) throw new Error(`index.html désigne ${fichier}, absent de la sortie`);
    integrites += 1;
    const sri = createHash("sha384").update(readFileSync(chemin)).digest("base64");
    return `href="/${fichier}"${entre}integrity="sha384-${sri}"`;
  });
  if (integrites < 2) throw new Error(`index.html : ${integrites} empreinte(s) d'intégrité, au moins 2 attendues`);
  writeFileSync(indexPath, html);
  console.log(`    wasm découpé : ${final}_bg.wasm et ${modules.length - 1} module(s) de route`);
} finally {
  rmSync(travail, { recursive: true, force: true });
}
