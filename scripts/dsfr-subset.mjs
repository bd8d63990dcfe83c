// La feuille de style DSFR du SPA : le cœur (core) et les seuls composants
// que le SPA emploie, pris dans le paquet npm @gouvfr/dsfr (variante « main » :
// sans les règles pour navigateurs anciens ni l'impression), au lieu de
// dsfr.min.css entier. Mesuré (brotli 11) : 42 Ko au lieu de 62 Ko.
//
// L'ordre suit les dépendances déclarées dans le README de chaque composant
// (dist/component/<nom>/README.md, section « Dépendances »). Les chemins
// url(../fonts/…) et url(../icons/…) sont ramenés à la racine de dist/, où
// Trunk copie les dossiers fonts/ et icons/.
//
// Garde-fou : toute classe fr-… écrite dans src/, index.html ou style/ qui
// existe dans dsfr.main.min.css entier doit exister dans la sélection ; sinon
// le script échoue en nommant la classe (ajouter son composant à COMPOSANTS).
//
// Lancé par Trunk avant chaque construction (crochet pre_build, Trunk.toml).
// Usage : node scripts/dsfr-subset.mjs [racine du projet] [fichier de sortie]
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const racine = process.argv[2] ?? process.env.TRUNK_SOURCE_DIR ?? ".";
const sortie = process.argv[3] ?? join(racine, "target/dsfr/dsfr-immat.min.css");
const dist = join(racine, "node_modules/@gouvfr/dsfr/dist");

const COMPOSANTS = [
  // Dépendances communes d'abord.
  "link", "button", "logo", "form",
  // Formulaires.
  "input", "select", "checkbox", "radio", "upload",
  // Navigation, modale du menu mobile, pied de page.
  "modal", "navigation", "footer", "skiplink",
  // Contenu.
  "alert", "notice", "badge", "breadcrumb", "callout", "connect",
  "stepper", "table", "tag", "tile", "accordion",
  // L'en-tête en dernier, comme dans la feuille complète du DSFR.
  "header",
];

const parties = [readFileSync(join(dist, "core/core.main.min.css"), "utf8")];
for (const nom of COMPOSANTS) {
  parties.push(readFileSync(join(dist, `component/${nom}/${nom}.main.min.css`), "utf8"));
}
const feuille = parties
  .join("\n")
  // url(../fonts/…), url(../../icons/…), guillemets ou non.
  .replace(/url\((["']?)(?:\.\.\/)+(fonts|icons)\//g, "url($1$2/");

// Les classes fr-… du projet.
function fichiers(dossier, motif) {
  const liste = [];
  for (const nom of readdirSync(dossier)) {
    const chemin = join(dossier, nom);
    if (statSync(chemin).isDirectory()) liste.push(...fichiers(chemin, motif));
    else if (motif.test(nom)) liste.push(chemin);
  }
  return liste;
}
const sources = [
  ...fichiers(join(racine, "src"), /\.rs$/),
  ...fichiers(join(racine, "style"), /\.css$/),
  join(racine, "index.html"),
];
const classes = new Set();
for (const chemin of sources) {
  // Blocs, éléments (`__`) et modificateurs (`--`) : fr-header__body, fr-btn--sm…
  for (const m of readFileSync(chemin, "utf8").matchAll(/(?<![\w-])fr-[a-z0-9_-]*[a-z0-9]/g)) {
    classes.add(m[0]);
  }
}
// La référence : la feuille complète, variante « main » (sans les règles
// réservées à l'impression ou aux navigateurs anciens, que la sélection
// n'a pas non plus).
const complete = readFileSync(join(dist, "dsfr.main.min.css"), "utf8");
const definie = (css, classe) => new RegExp(`\\.${classe}(?![a-z0-9_-])`).test(css);
// Classes que le DSFR ne définit que dans un composant que le SPA n'emploie
// pas : `fr-input--error` n'existe que sous `.fr-search-bar` ; l'état
// d'erreur d'un champ vient de `fr-input-group--error` (composant input).
const HORS_CONTEXTE = new Set(["fr-input--error"]);
const manquantes = [...classes]
  .filter((c) => !HORS_CONTEXTE.has(c) && definie(complete, c) && !definie(feuille, c))
  .sort();
if (manquantes.length > 0) {
  console.error(`Classes DSFR employées mais absentes de la sélection : ${manquantes.join(", ")}`);
  console.error("Ajouter leur composant à COMPOSANTS dans scripts/dsfr-subset.mjs.");
  process.exit(1);
}

mkdirSync(dirname(sortie), { recursive: true });
writeFileSync(sortie, feuille);
const employees = [...classes].filter((c) => definie(feuille, c)).length;
console.log(
  `    DSFR : cœur + ${COMPOSANTS.length} composants, ${feuille.length} octets bruts ; ` +
    `${employees} classes fr-… du projet définies, aucune manquante`,
);
