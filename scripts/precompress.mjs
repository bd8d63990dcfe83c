// Compresse d'avance les fichiers texte et le wasm de dist/ : à côté de
// chaque fichier, sa version brotli (qualité 11) et gzip (niveau 9), que le
// serveur envoie selon l'en-tête Accept-Encoding (ServeDir::precompressed_*).
// Les polices (woff2, déjà compressées) et les petits fichiers sont laissés.
// Imprime le tableau des tailles (brut, gzip, brotli).
import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dist = process.argv[2] ?? "dist";
const EXTENSIONS = /\.(wasm|js|css|html|svg|json)$/;
const lignes = [];

function parcourir(dossier) {
  for (const nom of readdirSync(dossier)) {
    const chemin = join(dossier, nom);
    const st = statSync(chemin);
    if (st.isDirectory()) {
      parcourir(chemin);
      continue;
    }
    if (/\.(br|gz)$/.test(nom)) {
      // Une compression d'une construction précédente : refaite si besoin.
      continue;
    }
    if (!EXTENSIONS.test(nom) || st.size < 1024) continue;
    const brut = readFileSync(chemin);
    const br = brotliCompressSync(brut, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: brut.length },
    });
    const gz = gzipSync(brut, { level: 9 });
    writeFileSync(chemin + ".br", br);
    writeFileSync(chemin + ".gz", gz);
    lignes.push([chemin.slice(dist.length + 1), brut.length, gz.length, br.length]);
  }
}

// Les compressions orphelines (fichier disparu) partent.
function nettoyer(dossier) {
  for (const nom of readdirSync(dossier)) {
    const chemin = join(dossier, nom);
    if (statSync(chemin).isDirectory()) nettoyer(chemin);
    else if (/\.(br|gz)$/.test(nom)) {
      try {
        statSync(chemin.replace(/\.(br|gz)$/, ""));
      } catch {
        unlinkSync(chemin);
      }
    }
  }
}

nettoyer(dist);
parcourir(dist);
const ko = (n) => (n / 1024).toFixed(1).padStart(8);
lignes.sort((a, b) => b[1] - a[1]);
console.log(`    ${"fichier".padEnd(44)} ${"brut (Ko)".padStart(9)} ${"gzip".padStart(8)} ${"brotli".padStart(8)}`);
for (const [f, b, g, r] of lignes.slice(0, 8)) console.log(`    ${f.padEnd(44)} ${ko(b)} ${ko(g)} ${ko(r)}`);
console.log(`    (${lignes.length} fichiers compressés)`);
