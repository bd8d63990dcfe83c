#!/usr/bin/env bash
# Installe ce qui manque, construit le SPA (release) et le serveur, puis sert
# Immat avec sa base SQLite embarquée et les comptes de démonstration.
#   IMMAT_LISTEN (défaut 127.0.0.1:8080), IMMAT_DATA_DIR (défaut data/),
#   IMMAT_DEMO (défaut true ici ; le binaire seul démarre hors démonstration) :
#   voir `immat-server --help`.
source "$(dirname "$0")/lib.sh"

bootstrap
step "Fournisseur d'identité local (oidc-provider, imite FranceConnect)"
npm_ci "$ROOT/tools/franceconnect-local"
build_spa

step "Construction du serveur (release)"
cargo build --release -p immat-server

finish
LISTEN="${IMMAT_LISTEN:-127.0.0.1:8080}"
cat <<MSG

Immat est servi sur http://${LISTEN}
Comptes de démonstration (mot de passe commun : Demo-Immat-2026) :
  julien.paul@demo.immat.fr                 personne physique, compte ANTS classique
  marie.dupont@demo.immat.fr                personne physique, compte certifié (FranceConnect)
  gestion@transports-martin.demo.immat.fr   personne morale (SIREN 732 829 320)
  garage.central@demo.immat.fr              professionnel de l'automobile habilité
  agent.cert@demo.immat.fr                  agent du CERT
« S'identifier avec FranceConnect » passe par un fournisseur d'identité local
(identités fictives : tools/franceconnect-local/README.md).
Arrêt : Ctrl+C.

MSG
# FranceConnect : le fournisseur local, sauf si IMMAT_FC_EMETTEUR pointe
# ailleurs (l'environnement d'intégration de FranceConnect : voir le README).
PUBLIQUE="${IMMAT_URL_PUBLIQUE:-http://${LISTEN}}"
FC_ARGS=()
if [ -z "${IMMAT_FC_EMETTEUR:-}" ]; then
  # Le fournisseur local écoute sur 127.0.0.1 : la connexion FranceConnect
  # marche depuis un navigateur de cette machine.
  FC_PORT="${IMMAT_FC_LOCAL_PORT:-4010}"
  FC_SECRET="immat-demo-secret-0123456789abcdef"
  FC_LOCAL_PORT="$FC_PORT" FC_LOCAL_CLIENT_ID=immat-demo FC_LOCAL_CLIENT_SECRET="$FC_SECRET" \
    FC_LOCAL_REDIRECT_URIS="${PUBLIQUE}/api/v1/auth/franceconnect/retour" \
    FC_LOCAL_POST_LOGOUT_URIS="${PUBLIQUE}/connexion" \
    node "$ROOT/tools/franceconnect-local/server.mjs" &
  FC_PID=$!
  trap 'kill "$FC_PID" 2>/dev/null || true' EXIT INT TERM
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:${FC_PORT}/.well-known/openid-configuration" >/dev/null 2>&1 && break
    kill -0 "$FC_PID" 2>/dev/null || { echo "Le fournisseur d'identité local n'a pas démarré (port ${FC_PORT} pris ? IMMAT_FC_LOCAL_PORT le change)." >&2; exit 1; }
    sleep 0.2
  done
  FC_ARGS=(--fc-emetteur "http://127.0.0.1:${FC_PORT}" --fc-client-id immat-demo --fc-client-secret "$FC_SECRET")
  echo "FranceConnect (fournisseur local de test) : http://127.0.0.1:${FC_PORT}"
fi
"$ROOT/target/release/immat-server" --listen "$LISTEN" --dist-dir "$ROOT/dist" --data-dir "${IMMAT_DATA_DIR:-$ROOT/data}" \
  --url-publique "$PUBLIQUE" --demo "${IMMAT_DEMO:-true}" "${FC_ARGS[@]}" "$@"
