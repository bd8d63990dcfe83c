#!/usr/bin/env bash
# Mesures de vitesse (hors commande de test) : un tableau imprimé et écrit
# dans target/bench/.
#  1. Premier chargement : octets de /connexion, temps jusqu'au formulaire
#     prêt à la saisie et jusqu'à Mon Espace après connexion (médiane de 20
#     chargements à froid, Chromium headless, boucle locale ; service sur
#     SQLite).
#  2. API, avec oha (installé depuis crates.io s'il manque) à 1, 50 et 200
#     connexions, pour chaque magasin (SQLite, puis PostgreSQL jetable) :
#     GET /api/v1/espace (session), PUT de l'adresse d'un changement
#     d'adresse (validée par le domaine et le référentiel des communes),
#     POST /api/v1/auth/login ; à côté d'un axum nu (témoin) mesuré dans la
#     même exécution.
#   BENCH_DUREE (défaut 5s par mesure), BENCH_CHARGEMENTS (défaut 20),
#   BENCH_MAGASINS (défaut « sqlite postgres »).
source "$(dirname "$0")/lib.sh"

DUREE="${BENCH_DUREE:-5s}"
CHARGEMENTS="${BENCH_CHARGEMENTS:-20}"
MAGASINS="${BENCH_MAGASINS:-sqlite postgres}"
OHA_VERSION="1.16.0"
PORT="$(port_libre)"
PORT_NU="$(port_libre)"
BASE="http://127.0.0.1:${PORT}"
JOURNAUX="$ROOT/target/bench"
mkdir -p "$JOURNAUX"

bootstrap
step "Outils (curl ; paquets npm de Playwright)"
have curl || apt_install curl
npm_ci "$ROOT/end2end"
build_spa
step "Construction du serveur et du témoin (release)"
cargo build --release -p immat-server --bin immat-server --example axum_nu 2>&1 | tail -n 1
step "oha (générateur de charge)"
if ! have oha || [ "$(oha --version 2>/dev/null | awk '{print $2}')" != "$OHA_VERSION" ]; then
  cargo install oha --version "$OHA_VERSION" --locked 2>&1 | tail -n 2
fi
oha --version

TRAVAIL="$(mktemp -d)"
SERVEUR_PID=""
NU_PID=""
arreter_serveur() {
  if [ -n "$SERVEUR_PID" ]; then kill "$SERVEUR_PID" 2>/dev/null || true; wait "$SERVEUR_PID" 2>/dev/null || true; fi
  SERVEUR_PID=""
}
nettoyer() {
  arreter_serveur
  if [ -n "$NU_PID" ]; then kill "$NU_PID" 2>/dev/null || true; fi
  pg_arreter
  rm -rf "$TRAVAIL"
}
trap nettoyer EXIT
trap 'echo; echo "Interrompu." >&2; exit 130' INT TERM

# Attend qu'une adresse réponde ; échoue tout de suite si le processus est mort.
attendre() { # url pid journal
  for _ in $(seq 1 300); do
    curl -sf "$1" >/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "Le processus s'est arrêté ; journal : $3" >&2; tail -n 20 "$3" >&2 || true; exit 1; }
    sleep 0.1
  done
  echo "Pas de réponse de $1 après 30 s ; journal : $3" >&2
  exit 1
}

demarrer_serveur() { # magasin
  local magasin="$1" data="$TRAVAIL/data-$1" journal="$JOURNAUX/serveur-$1.log" url=()
  mkdir -p "$data"
  if [ "$magasin" = postgres ]; then
    [ -n "${PG_DIR:-}" ] || pg_demarrer "$(port_libre)"
    local base_pg="bench_$(date +%s%N)"
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U immat "$base_pg"
    url=(--database-url "${IMMAT_TEST_POSTGRES%/*}/$base_pg")
  fi
  RUST_LOG=warn "$ROOT/target/release/immat-server" --listen "127.0.0.1:${PORT}" --dist-dir "$ROOT/dist" --data-dir "$data" \
    --demo true --url-publique "$BASE" "${url[@]}" >"$journal" 2>&1 &
  SERVEUR_PID=$!
  attendre "$BASE/api/v1/health" "$SERVEUR_PID" "$journal"
}

RESULTATS="$TRAVAIL/resultats.jsonl"
mesurer() { # magasin nom connexions url [options oha…]
  local magasin="$1" nom="$2" c="$3" url="$4"
  shift 4
  oha --no-tui --output-format json -z "$DUREE" -c "$c" "$@" "$url" 2>/dev/null \
    | node -e '
      let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>{
        const j=JSON.parse(s); const p=j.latencyPercentiles||{};
        console.log(JSON.stringify({magasin:process.argv[1],nom:process.argv[2],c:+process.argv[3],rps:j.summary.requestsPerSec,
          p50:(p.p50||0)*1000,p99:(p.p99||0)*1000,codes:j.statusCodeDistribution||{},erreurs:j.errorDistribution||{}}));
      });' "$magasin" "$nom" "$c" >>"$RESULTATS"
}

step "Démarrage du témoin (axum nu)"
"$ROOT/target/release/examples/axum_nu" "127.0.0.1:${PORT_NU}" >"$JOURNAUX/axum_nu.log" 2>&1 &
NU_PID=$!
attendre "http://127.0.0.1:${PORT_NU}/api/v1/health" "$NU_PID" "$JOURNAUX/axum_nu.log"

# Le premier chargement d'abord : la charge sur la connexion, plus bas,
# épuise la limite de tentatives de ce client (127.0.0.1) pour un quart
# d'heure.
step "Premier chargement (${CHARGEMENTS} chargements à froid, SQLite)"
demarrer_serveur sqlite
CHARGEMENT="$(node "$ROOT/scripts/bench-chargement.mjs" "$BASE" "$CHARGEMENTS")"
arreter_serveur

for magasin in $MAGASINS; do
  step "Charge sur l'API, ${magasin} (${DUREE} par mesure)"
  demarrer_serveur "$magasin"
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
  for c in 1 50 200; do
    mesurer "$magasin" "axum nu (témoin)" "$c" "http://127.0.0.1:${PORT_NU}/api/v1/health"
    mesurer "$magasin" "GET /api/v1/health" "$c" "$BASE/api/v1/health"
    mesurer "$magasin" "GET /api/v1/espace" "$c" "$BASE/api/v1/espace" -H "Cookie: $COOKIE"
    mesurer "$magasin" "PUT …/adresse (changement d'adresse)" "$c" "$BASE/api/v1/demarches/${NUMERO}/adresse" -m PUT \
      -H "Cookie: $COOKIE" -H 'Content-Type: application/json' -d "$ADRESSE"
  done
  # La connexion (argon2) : une à la fois, sous la limite de 20 essais par
  # client et par quart d'heure ; au-delà, la mesure ne compterait que des 429.
  oha --no-tui --output-format json -n 18 -c 1 -m POST -H 'Content-Type: application/json' \
    -d '{"email":"julien.paul@demo.immat.fr","password":"Demo-Immat-2026"}' "$BASE/api/v1/auth/login" 2>/dev/null \
    | node -e '
      let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>{
        const j=JSON.parse(s); const p=j.latencyPercentiles||{};
        console.log(JSON.stringify({magasin:process.argv[1],nom:"POST /api/v1/auth/login (18 requêtes)",c:1,rps:j.summary.requestsPerSec,
          p50:(p.p50||0)*1000,p99:(p.p99||0)*1000,codes:j.statusCodeDistribution||{},erreurs:j.errorDistribution||{}}));
      });' "$magasin" >>"$RESULTATS"
  arreter_serveur
done

finish
SORTIE="$JOURNAUX/bench-$(date -u +%Y%m%dT%H%M%SZ).txt"
node -e '
const fs=require("fs");
const lignes=fs.readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse);
const ch=JSON.parse(process.argv[2]);
const out=[];
out.push(`Immat — mesures du ${new Date().toISOString()} (${require("os").cpus().length} cœurs ; boucle locale ; oha et le service sur la même machine)`);
out.push("");
out.push(`Premier chargement (${ch.chargements} chargements à froid, médiane [min–max])`);
out.push(`  octets reçus pour /connexion, polices exclues : ${(ch.octets_connexion.mediane/1024).toFixed(1)} Ko (objectif 250 Ko)`);
out.push(`  navigation → formulaire prêt : ${ch.formulaire_pret_ms.mediane} ms [${ch.formulaire_pret_ms.min}–${ch.formulaire_pret_ms.max}]`);
out.push(`  « Se connecter » → Mon Espace : ${ch.mon_espace_ms.mediane} ms [${ch.mon_espace_ms.min}–${ch.mon_espace_ms.max}]`);
for (const magasin of [...new Set(lignes.map(l=>l.magasin))]) {
  out.push("");
  out.push(`API (oha), magasin ${magasin}`.padEnd(48) + "conn.    req/s    p50 ms   p99 ms   % témoin   statuts");
  const siens=lignes.filter(l=>l.magasin===magasin);
  const temoin={}; for (const l of siens) if (l.nom.startsWith("axum nu")) temoin[l.c]=l.rps;
  for (const l of siens) {
    const ratio = temoin[l.c] && !l.nom.startsWith("POST") ? (100*l.rps/temoin[l.c]).toFixed(0)+" %" : "";
    const codes = Object.entries(l.codes).map(([k,v])=>k+"×"+v).join(" ");
    // Les requêtes en vol à la fin de la durée sont coupées par oha : pas une erreur du service.
    const erreurs = Object.entries(l.erreurs).filter(([k])=>!k.startsWith("aborted due to deadline")).map(([k,v])=>k+"×"+v).join(" ");
    out.push(`  ${l.nom.padEnd(44)} ${String(l.c).padStart(4)} ${l.rps.toFixed(0).padStart(8)} ${l.p50.toFixed(2).padStart(9)} ${l.p99.toFixed(2).padStart(8)} ${ratio.padStart(9)}   ${codes}${erreurs ? "  erreurs : "+erreurs : ""}`);
  }
}
out.push("");
out.push("Le PUT de l’adresse vise une seule démarche : en parallèle, les écritures conditionnelles en refusent une partie (409) ; latences de toutes les réponses.");
out.push("La connexion est limitée à 20 essais par client et par quart d’heure : mesurée une requête à la fois, 18 requêtes (argon2).");
const texte=out.join("\n");
console.log(texte);
fs.writeFileSync(process.argv[3], texte+"\n");
' "$RESULTATS" "$CHARGEMENT" "$SORTIE"
echo
echo "Écrit dans ${SORTIE} (journaux des serveurs : ${JOURNAUX})"
