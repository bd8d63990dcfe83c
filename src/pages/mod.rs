//! Une page par route.

pub mod espace_vehicule;
pub mod home;
pub mod login;
pub mod mon_espace;
pub mod not_found;
pub mod procedure;
