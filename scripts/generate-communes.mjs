// Construit server/data/communes.tsv depuis le paquet npm
// @etalab/decoupage-administratif (COG) : une ligne par couple
// (code postal, commune) : « code_postal<TAB>code_insee<TAB>nom ».
// Usage : node scripts/generate-communes.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const path = require.resolve("@etalab/decoupage-administratif/data/communes.json");
const communes = JSON.parse(readFileSync(path, "utf8"));

const lignes = new Set();
for (const c of communes) {
  // Communes actuelles seulement : Paris, Lyon et Marseille portent déjà les
  // codes postaux de leurs arrondissements, sous le nom que La Poste imprime.
  if (c.type !== "commune-actuelle") continue;
  for (const cp of c.codesPostaux ?? []) {
    lignes.add(`${cp}\t${c.code}\t${c.nom}`);
  }
}
const sorted = [...lignes].sort();
writeFileSync(new URL("../server/data/communes.tsv", import.meta.url), sorted.join("\n") + "\n");
console.log(`${sorted.length} couples (code postal, commune) écrits dans server/data/communes.tsv`);
