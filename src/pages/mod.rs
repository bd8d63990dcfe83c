//! Une page par route.

pub mod cert_dossier;
pub mod cert_envois;
pub mod cert_file;
pub mod cert_habilitations;
pub mod comptes;
pub mod espace_vehicule;
pub mod home;
pub mod login;
pub mod mon_compte;
pub mod mon_espace;
pub mod not_found;
pub mod procedures;
