//! Composants réutilisables (DSFR) : mise en page, champs, garde de
//! connexion, états de chargement.

pub mod adresse;
pub mod auth_guard;
pub mod cpi;
pub mod field;
pub mod form_errors;
pub mod franceconnect;
pub mod layout;
pub mod page;
pub mod personne;
pub mod piece_jointe;
pub mod soumission;
pub mod status;
pub mod wizard;
