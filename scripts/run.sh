#!/usr/bin/env bash
# Installe ce qui manque, construit le SPA (release) et le serveur, puis sert
# Immat avec sa base SQLite embarquée et les comptes de démonstration.
#   IMMAT_LISTEN (défaut 127.0.0.1:8080), IMMAT_DATA_DIR (défaut data/),
#   IMMAT_DEMO (défaut true ici ; le binaire seul démarre hors démonstration) :
#   voir `immat-server --help`.
source "$(dirname "$0")/lib.sh"

bootstrap
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
Arrêt : Ctrl+C.

MSG
exec "$ROOT/target/release/immat-server" --listen "$LISTEN" --dist-dir "$ROOT/dist" --data-dir "${IMMAT_DATA_DIR:-$ROOT/data}" \
  --demo "${IMMAT_DEMO:-true}" "$@"
