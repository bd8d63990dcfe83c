# Fonctions communes aux commandes run.sh et test.sh (sourcé, pas exécuté).
# Chaque étape est annoncée et chronométrée.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Le découpage du wasm (crochet de Trunk, scripts/wasm-split.mjs).
WASM_SPLIT_VERSION=0.2.4
TRUNK_VERSION="0.21.14"
export PATH="$HOME/.cargo/bin:$PATH"

_step_name=""
_step_start=0
_total_start=$(date +%s)

step() {
  _step_done
  _step_name="$1"
  _step_start=$(date +%s)
  printf '\n\033[1;34m==> %s\033[0m\n' "$_step_name"
}

_step_done() {
  if [ -n "$_step_name" ]; then
    printf '\033[0;32m    fait : %s (%ss)\033[0m\n' "$_step_name" "$(( $(date +%s) - _step_start ))"
    _step_name=""
  fi
}

finish() {
  _step_done
  printf '\n\033[1mDurée totale : %ss\033[0m\n' "$(( $(date +%s) - _total_start ))"
}

have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; elif have sudo; then sudo "$@"; else
    echo "Il faut être root (ou avoir sudo) pour installer : $*" >&2; return 1; fi
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { echo "    paquets Debian déjà présents : $*"; return 0; }
  echo "    installation des paquets Debian : ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then
    as_root timeout 300 apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}" >/dev/null
}

# La version du crate wasm-bindgen verrouillée dans Cargo.lock : la CLI doit
# être exactement la même.
locked_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# Choisit la chaîne de compilation wasm : la cible rustup si elle est là (ou
# s'installe en 20 s), sinon le repli Debian (rustc-web, std recompilée).
WASM_MODE=""
select_wasm_toolchain() {
  local cache="$ROOT/target/.wasm-toolchain"
  if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    WASM_MODE="rustup"
  elif [ -f "$cache" ] && [ "$(cat "$cache")" = debian ]; then
    # Déjà constaté : la cible rustup ne s'installe pas ici ; on ne
    # reperd pas 20 s à réessayer.
    WASM_MODE="debian"
  elif [ "${IMMAT_SKIP_RUSTUP_TARGET:-0}" != 1 ] && timeout 20 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    WASM_MODE="rustup"
  else
    WASM_MODE="debian"
  fi
  mkdir -p "$ROOT/target" && echo "$WASM_MODE" >"$cache"
  echo "    chaîne wasm : $WASM_MODE"
}

bootstrap() {
  step "Paquets système (Chromium, binaryen)"
  apt_install chromium binaryen ca-certificates poppler-utils

  step "Chaîne de compilation wasm32"
  select_wasm_toolchain
  if [ "$WASM_MODE" = debian ]; then
    apt_install rustc-web cargo-web rust-web-src lld-22
  fi

  step "wasm-bindgen-cli (version de Cargo.lock)"
  local want
  want="$(locked_wasm_bindgen_version)"
  if [ -z "$want" ]; then
    cargo generate-lockfile
    want="$(locked_wasm_bindgen_version)"
  fi
  if have wasm-bindgen && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$want" ]; then
    echo "    wasm-bindgen $want déjà installé"
  else
    echo "    installation de wasm-bindgen-cli $want (quelques minutes)"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi

  step "Trunk"
  if have trunk; then
    echo "    $(trunk --version) déjà installé"
  else
    echo "    installation de trunk $TRUNK_VERSION (une dizaine de minutes)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi

  step "wasm-split-cli (découpage du wasm par route)"
  if have wasm-split-cli; then
    echo "    wasm-split-cli déjà installé"
  else
    echo "    installation de wasm_split_cli_support $WASM_SPLIT_VERSION (deux minutes environ)"
    cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
  fi

  step "Paquets npm (DSFR)"
  npm_ci "$ROOT"
}

# npm ci si node_modules est absent ou plus ancien que package-lock.json.
npm_ci() {
  local dir="$1"
  if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    echo "    $dir/node_modules à jour"
  else
    (cd "$dir" && DSFR_ACCEPT_LICENSE=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Drapeaux de rustc pour le wasm :
# - types référence désactivés : avec wasm-bindgen 0.2.130 la page meurt
#   sinon au démarrage (Table.set sur __wbindgen_externrefs) ;
# - `erase_components` : Leptos efface le type de chaque composant (vues
#   `AnyView`) au lieu d'en monomorphiser l'arbre entier ; mesuré ici, le wasm
#   passe de 1 750 Ko à 1 433 Ko bruts (658 → 521 Ko en gzip -9).
WASM_RUSTFLAGS="-C target-feature=-reference-types --cfg erase_components -C link-args=--emit-relocs"

# Construit le SPA en release dans dist/.
build_spa() {
  mkdir -p "$ROOT/target"
  step "Construction du SPA (Leptos → wasm, Trunk, release)"
  if [ "$WASM_MODE" = debian ]; then
    # rustc-web (Debian) compile la std pour wasm32.
    env PATH="/usr/bin:$PATH" \
      RUSTC=/usr/bin/rustc \
      RUSTC_BOOTSTRAP=1 \
      CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$WASM_RUSTFLAGS" \
      CARGO_TARGET_DIR="$ROOT/target/wasm" \
      "$HOME/.cargo/bin/trunk" build --release >"$ROOT/target/trunk-build.log" 2>&1 \
      || { tail -n 60 "$ROOT/target/trunk-build.log"; return 1; }
  else
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$WASM_RUSTFLAGS" \
      CARGO_TARGET_DIR="$ROOT/target/wasm-rustup" trunk build --release >"$ROOT/target/trunk-build.log" 2>&1 \
      || { tail -n 60 "$ROOT/target/trunk-build.log"; return 1; }
  fi
  test -f dist/index.html || { echo "dist/index.html manquant : la construction du SPA a échoué" >&2; return 1; }
  # Aucun script en ligne : la CSP du serveur n'autorise que 'self'.
  node "$ROOT/scripts/externalize-boot.mjs" "$ROOT/dist"
  # Brotli et gzip compressés d'avance : le serveur les envoie tels quels.
  node "$ROOT/scripts/precompress.mjs" "$ROOT/dist"
}

# Un port TCP libre sur 127.0.0.1 (node : déjà requis par le projet).
port_libre() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Un serveur PostgreSQL jetable (paquet Debian) : une grappe neuve dans un
# dossier temporaire, sur 127.0.0.1:$1, arrêtée et effacée par pg_arreter.
# Exporte PG_DIR, PG_BIN, PG_PORT et IMMAT_TEST_POSTGRES (l'URL de la base d'administration).
# initdb refuse root : la grappe appartient alors à l'utilisateur postgres.
pg_demarrer() {
  local port="$1"
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ ! -x "$bin/initdb" ]; then
    apt_install postgresql
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  fi
  [ -x "$bin/initdb" ] || { echo "initdb introuvable après l'installation de postgresql" >&2; return 1; }
  PG_BIN="$bin"
  PG_PORT="$port"
  PG_DIR="$(mktemp -d /tmp/immat-pg.XXXXXX)"
  export PG_DIR PG_BIN PG_PORT
  chmod 755 "$PG_DIR"
  local run=()
  if [ "$(id -u)" = "0" ]; then
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  # Lancés depuis le dossier de la grappe : l'utilisateur postgres n'a pas
  # forcément le droit d'entrer dans celui du dépôt (/root/…).
  (cd "$PG_DIR" && "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U immat --auth=trust --encoding=UTF8 --no-locale >/dev/null)
  # Une base de test : rien à garder après un arrêt brutal.
  (cd "$PG_DIR" && "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/journal.log" -w -t 60 \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null)
  export IMMAT_TEST_POSTGRES="postgres://immat@127.0.0.1:$port/postgres"
  echo "    PostgreSQL $("$bin/postgres" --version | awk '{print $3}') sur 127.0.0.1:$port ($PG_DIR)"
}

pg_arreter() {
  [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
  [ -d "$PG_DIR/data" ] || { rm -rf "$PG_DIR"; PG_DIR=""; return 0; }
  local run=()
  [ "$(id -u)" = "0" ] && run=(runuser -u postgres --)
  (cd "$PG_DIR" && "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1) || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
