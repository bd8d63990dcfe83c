#!/usr/bin/env bash
# Installe ce qui manque et lance tous les tests : Rust (domaine, serveur sur
# SQLite), le serveur une seconde fois sur un PostgreSQL jetable, puis
# Playwright dans le Chromium de Debian contre le vrai serveur sur une base
# neuve, et deux instances sur une même base PostgreSQL. Sort en erreur au
# premier échec ; résumé à la fin.
source "$(dirname "$0")/lib.sh"

bootstrap

step "Paquets npm (Playwright, axe-core ; fournisseur d'identité local oidc-provider)"
npm_ci "$ROOT/end2end"
npm_ci "$ROOT/tools/franceconnect-local"

step "Format (rustfmt) et lints (clippy -D warnings)"
# rustfmt et clippy sont dans le profil par défaut de rustup ; leur absence est
# une erreur (ils ne s'installent pas hors ligne).
cargo fmt --version >/dev/null 2>&1 || { echo "rustfmt manque : « rustup component add rustfmt »." >&2; exit 1; }
cargo clippy --version >/dev/null 2>&1 || { echo "clippy manque : « rustup component add clippy »." >&2; exit 1; }
cargo fmt --all -- --check || { echo "Le code n'est pas formaté : lancez « cargo fmt --all »." >&2; exit 1; }
cargo clippy --workspace --all-targets --quiet -- -D warnings

RUST_LOG_FILE="$ROOT/target/rust-tests.log"
mkdir -p "$ROOT/target"
step "Tests Rust (domaine et serveur)"
set +e
cargo test -p immat-domain -p immat-server 2>&1 | tee "$RUST_LOG_FILE" | grep -E '^(test result|running|error|failures:|---- )|panicked'
rust_status=${PIPESTATUS[0]}
set -e
rust_passed=$(grep -Eo '[0-9]+ passed' "$RUST_LOG_FILE" | awk '{s+=$1} END {print s+0}' || true)
rust_failed=$(grep -Eo '[0-9]+ failed' "$RUST_LOG_FILE" | awk '{s+=$1} END {print s+0}' || true)
if [ "$rust_status" != 0 ]; then
  echo "Des tests Rust échouent (journal complet : $RUST_LOG_FILE)." >&2
  finish
  echo "rust: ${rust_passed} passed, $(( rust_failed > 0 ? rust_failed : 1 )) failed"
  exit 1
fi

step "PostgreSQL jetable (paquet Debian), puis les tests du serveur sur PostgreSQL"
trap pg_arreter EXIT
pg_demarrer "$(port_libre)"
PG_LOG_FILE="$ROOT/target/rust-tests-postgres.log"
set +e
cargo test -p immat-server 2>&1 | tee "$PG_LOG_FILE" | grep -E '^(test result|running|error|failures:|---- )|panicked'
pg_status=${PIPESTATUS[0]}
set -e
pg_passed=$(grep -Eo '[0-9]+ passed' "$PG_LOG_FILE" | awk '{s+=$1} END {print s+0}' || true)
pg_failed=$(grep -Eo '[0-9]+ failed' "$PG_LOG_FILE" | awk '{s+=$1} END {print s+0}' || true)
rust_passed=$(( rust_passed + pg_passed ))
rust_failed=$(( rust_failed + pg_failed ))
if [ "$pg_status" != 0 ]; then
  echo "Des tests du serveur échouent sur PostgreSQL (journal complet : $PG_LOG_FILE)." >&2
  finish
  echo "total: ${rust_passed} passed, $(( rust_failed > 0 ? rust_failed : 1 )) failed"
  exit 1
fi
# Les parcours Playwright n'en ont plus besoin que pour les deux instances.
export IMMAT_E2E_POSTGRES="postgres://immat@127.0.0.1:$PG_PORT/immat_e2e"
unset IMMAT_TEST_POSTGRES
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U immat immat_e2e

build_spa

step "Construction du serveur pour les parcours (debug)"
cargo build -p immat-server 2>&1 | tail -n 1

step "Parcours Playwright (Chromium : bureau et tablette)"
# Le jeton qui ouvre la réinitialisation de la démonstration, pour ce seul
# serveur de test.
IMMAT_TEST_RESET_TOKEN="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export IMMAT_TEST_RESET_TOKEN
E2E_LOG_FILE="$ROOT/target/e2e.log"
set +e
(cd "$ROOT/end2end" && CI="${CI:-}" npx playwright test 2>&1) | tee "$E2E_LOG_FILE"
e2e_status=${PIPESTATUS[0]}
set -e
e2e_passed=$(grep -Eo '^\s*[0-9]+ passed' "$E2E_LOG_FILE" | tail -n1 | awk '{print $1+0}' || true)
e2e_failed=$(grep -Eo '^\s*[0-9]+ failed' "$E2E_LOG_FILE" | tail -n1 | awk '{print $1+0}' || true)
e2e_passed=${e2e_passed:-0}
e2e_failed=${e2e_failed:-0}
if [ "$e2e_status" != 0 ] && [ "$e2e_failed" = 0 ]; then e2e_failed=1; fi

step "Deux instances du serveur sur une même base PostgreSQL (Playwright)"
DEUX_LOG_FILE="$ROOT/target/e2e-deux-instances.log"
rm -rf "$ROOT/target/e2e-data-deux-instances"
set +e
(cd "$ROOT/end2end" && CI="${CI:-}" npx playwright test --config playwright.deux-instances.config.ts 2>&1) | tee "$DEUX_LOG_FILE"
deux_status=${PIPESTATUS[0]}
set -e
deux_passed=$(grep -Eo '^\s*[0-9]+ passed' "$DEUX_LOG_FILE" | tail -n1 | awk '{print $1+0}' || true)
deux_failed=$(grep -Eo '^\s*[0-9]+ failed' "$DEUX_LOG_FILE" | tail -n1 | awk '{print $1+0}' || true)
deux_passed=${deux_passed:-0}
deux_failed=${deux_failed:-0}
if [ "$deux_status" != 0 ] && [ "$deux_failed" = 0 ]; then deux_failed=1; fi
e2e_passed=$(( e2e_passed + deux_passed ))
e2e_failed=$(( e2e_failed + deux_failed ))

finish
echo
echo "Tests Rust : ${rust_passed} réussis, ${rust_failed} en échec (dont le serveur sur PostgreSQL : ${pg_passed} réussis)"
echo "Parcours Playwright : ${e2e_passed} réussis, ${e2e_failed} en échec"
echo "total: $(( rust_passed + e2e_passed )) passed, $(( rust_failed + e2e_failed )) failed"
[ "$e2e_status" = 0 ] && [ "$deux_status" = 0 ]
