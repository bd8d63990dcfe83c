// Sort le script d'amorçage que Trunk écrit dans dist/index.html vers un
// fichier (boot-<empreinte>.js) : la page n'a alors plus aucun script en
// ligne, et la CSP du serveur peut s'en tenir à script-src 'self'.
// Idempotent : sans script en ligne, ne change rien.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dist = process.argv[2] ?? "dist";
const indexPath = join(dist, "index.html");
let html = readFileSync(indexPath, "utf8");
let count = 0;
html = html.replace(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g, (whole, attrs = "", body) => {
  if (/\ssrc\s*=/.test(attrs) || body.trim() === "") return whole;
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  const name = `boot-${hash}.js`;
  writeFileSync(join(dist, name), body.trim() + "\n");
  count += 1;
  const module = /type\s*=\s*["']?module/.test(attrs) ? ' type="module"' : "";
  return `<script${module} src="/${name}"></script>`;
});
if (/\sstyle\s*=/.test(html) || /<style[\s>]/.test(html)) {
  console.error("dist/index.html contient un style en ligne : la CSP le bloquerait.");
  process.exit(1);
}
writeFileSync(indexPath, html);
console.log(`    scripts en ligne sortis de index.html : ${count}`);
