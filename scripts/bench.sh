#!/usr/bin/env bash
# Mesures de vitesse (hors commande de test) : un tableau imprimé et écrit
# dans target/bench/.
#  1. Premier chargement : octets de /connexion, temps jusqu'au formulaire
#     prêt à la saisie et jusqu'à Mon Espace après connexion (médiane de 20
#     chargements à froid, Chromium headless, boucle locale).
#  2. API, avec oha (installé depuis crates.io s'il manque) à 1, 50 et 200
#     connexions : GET /api/v1/espace (session), POST /api/v1/auth/login,
#     PUT de l'adresse d'un changement d'adresse (validée par le domaine et
#     le référentiel des communes) ; à côté d'un axum nu (témoin) mesuré
#     dans la même exécution.
# Magasin : SQLite (le seul aujourd'hui ; PostgreSQL n'est pas construit).
#   BENCH_DUREE (défaut 5s par mesure), BENCH_CHARGEMENTS (défaut 20).
source "$(dirname "$0")/lib.sh"

DUREE="${BENCH_DUREE:-5s}"
CHARGEMENTS="${BENCH_CHARGEMENTS:-20}"
PORT=8097
PORT_NU=8098
BASE="http://127.0.0.1:${PORT}"
OHA_VERSION="1.16.0"

bootstrap
step "Paquets npm (Playwright)"
npm_ci "$ROOT/end2end"
build_spa
step "Construction du serveur et du témoin (release)"
cargo build --release -p immat-server --bin immat-server --example axum_nu 2>&1 | tail -n 1
step "oha (générateur de charge)"
if ! have oha || [ "$(oha --version 2>/dev/null | awk '{print $2}')" != "$OHA_VERSION" ]; then
  cargo install oha --version "$OHA_VERSION" --locked 2>&1 | tail -n 2
fi
oha --version

DATA="$(mktemp -d)"
SERVEUR_PID=""
NU_PID=""
arreter() {
  [ -n "$SERVEUR_PID" ] && kill "$SERVEUR_PID" 2>/dev/null || true
  [ -n "$NU_PID" ] && kill "$NU_PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap arreter EXIT INT TERM

step "Démarrage du service (SQLite, démonstration) et du témoin"
RUST_LOG=warn "$ROOT/target/release/immat-server" --listen "127.0.0.1:${PORT}" --dist-dir "$ROOT/dist" --data-dir "$DATA" \
  --demo true --url-publique "$BASE" >"$DATA/serveur.log" 2>&1 &
SERVEUR_PID=$!
"$ROOT/target/release/examples/axum_nu" "127.0.0.1:${PORT_NU}" >/dev/null 2>&1 &
NU_PID=$!
for _ in $(seq 1 100); do
  curl -sf "$BASE/api/v1/health" >/dev/null && curl -sf "http://127.0.0.1:${PORT_NU}/api/v1/health" >/dev/null && break
  sleep 0.1
done

# Une session de Julien, et un changement d'adresse en cours.
COOKIE="$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"email":"julien.paul@demo.immat.fr","password":"Demo-Immat-2026"}' "$BASE/api/v1/auth/login" \
  | awk -F'[: ;]+' 'tolower($1)=="set-cookie" && $2 ~ /^immat_session=/ {print $2; exit}')"
[ -n "$COOKIE" ] || { echo "connexion impossible" >&2; exit 1; }
NUMERO="$(curl -s -H "Cookie: $COOKIE" -H 'Content-Type: application/json' \
  -d '{"teleprocedure":"changement_adresse","pour_qui":"moi_meme","immatriculation":"AB-123-CD","code_confidentiel":"AB2C-D3EF"}' \
  "$BASE/api/v1/demarches" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).numero))')"
[ -n "$NUMERO" ] && [ "$NUMERO" != "undefined" ] || { echo "démarche non créée" >&2; exit 1; }
ADRESSE='{"adresse":{"voie":"3 rue Nationale","code_postal":"59000","commune":"Lille"}}'

mkdir -p "$ROOT/target/bench"
SORTIE="$ROOT/target/bench/bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
RESULTATS="$DATA/resultats.jsonl"

mesurer() { # nom connexions url [options oha…]
  local nom="$1" c="$2" url="$3"
  shift 3
  oha --no-tui --output-format json -z "$DUREE" -c "$c" "$@" "$url" 2>/dev/null \
    | node -e '
      let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>{
        const j=JSON.parse(s); const p=j.latencyPercentiles||{};
        const codes=j.statusCodeDistribution||{};
        console.log(JSON.stringify({nom:process.argv[1],c:+process.argv[2],rps:j.summary.requestsPerSec,
          p50:(p.p50||0)*1000,p99:(p.p99||0)*1000,codes}));
      });' "$nom" "$c" >>"$RESULTATS"
}

step "Charge sur l'API (${DUREE} par mesure)"
for c in 1 50 200; do
  mesurer "axum nu (témoin)" "$c" "http://127.0.0.1:${PORT_NU}/api/v1/health"
  mesurer "GET /api/v1/health" "$c" "$BASE/api/v1/health"
  mesurer "GET /api/v1/espace" "$c" "$BASE/api/v1/espace" -H "Cookie: $COOKIE"
  mesurer "PUT …/adresse (changement d'adresse)" "$c" "$BASE/api/v1/demarches/${NUMERO}/adresse" -m PUT \
    -H "Cookie: $COOKIE" -H 'Content-Type: application/json' -d "$ADRESSE"
  mesurer "POST /api/v1/auth/login" "$c" "$BASE/api/v1/auth/login" -m POST -H 'Content-Type: application/json' \
    -d '{"email":"julien.paul@demo.immat.fr","password":"Demo-Immat-2026"}'
done

step "Premier chargement (${CHARGEMENTS} chargements à froid)"
CHARGEMENT="$(node "$ROOT/scripts/bench-chargement.mjs" "$BASE" "$CHARGEMENTS")"

finish
node -e '
const fs=require("fs");
const lignes=fs.readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse);
const ch=JSON.parse(process.argv[2]);
const out=[];
out.push(`Immat — mesures du ${new Date().toISOString()} (SQLite ; ${require("os").cpus().length} cœurs ; boucle locale)`);
out.push("");
out.push(`Premier chargement (${ch.chargements} chargements à froid, médiane [min–max])`);
out.push(`  octets reçus pour /connexion, polices exclues : ${(ch.octets_connexion.mediane/1024).toFixed(1)} Ko (objectif 250 Ko)`);
out.push(`  navigation → formulaire prêt : ${ch.formulaire_pret_ms.mediane} ms [${ch.formulaire_pret_ms.min}–${ch.formulaire_pret_ms.max}]`);
out.push(`  « Se connecter » → Mon Espace : ${ch.mon_espace_ms.mediane} ms [${ch.mon_espace_ms.min}–${ch.mon_espace_ms.max}]`);
out.push("");
out.push("API (oha) " + "".padEnd(30) + "conn.    req/s    p50 ms   p99 ms   % témoin   statuts");
const temoin={}; for (const l of lignes) if (l.nom.startsWith("axum nu")) temoin[l.c]=l.rps;
for (const l of lignes) {
  const ratio = temoin[l.c] ? (100*l.rps/temoin[l.c]).toFixed(0)+" %" : "";
  const codes = Object.entries(l.codes).map(([k,v])=>k+"×"+v).join(" ");
  out.push(`  ${l.nom.padEnd(38)} ${String(l.c).padStart(4)} ${l.rps.toFixed(0).padStart(8)} ${l.p50.toFixed(2).padStart(9)} ${l.p99.toFixed(2).padStart(8)} ${ratio.padStart(9)}   ${codes}`);
}
out.push("");
out.push("Le PUT de l’adresse vise une seule démarche : en parallèle, les écritures conditionnelles en refusent une partie (409).");
out.push("La connexion est limitée à 20 essais par client et par quart d’heure : au-delà, 429 (voulu).");
out.push("PostgreSQL : pas encore construit (un seul magasin, SQLite).");
const texte=out.join("\n");
console.log(texte);
fs.writeFileSync(process.argv[3], texte+"\n");
' "$RESULTATS" "$CHARGEMENT" "$SORTIE"
echo
echo "Écrit dans ${SORTIE}"
