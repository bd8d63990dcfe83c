//! Les tests d'intégration du serveur, réunis en un seul binaire de test :
//! une seule édition de liens au lieu d'une par fichier (moins de disque et de
//! temps en CI). Chaque module garde son sujet ; `common` les sert tous.

mod common;

mod api_comptes;
mod api_demarches;
mod api_duplicata;
mod api_franceconnect;
mod api_habilitation;
mod api_instruction;
mod api_skeleton;
mod api_titulaire;
mod api_tpc;
mod concurrence;
mod courriers;
mod database_file;
mod deux_instances;
mod processus;
mod rattachement;
mod securite;
mod smtp;
