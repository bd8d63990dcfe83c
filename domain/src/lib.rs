//! Le domaine des téléprocédures du certificat d'immatriculation (SIV).
//!
//! Ce crate est partagé par le SPA (compilé en wasm32) et par le serveur :
//! une règle y est écrite une seule fois. Il ne fait aucune entrée/sortie ;
//! la date du jour et les tirages aléatoires lui sont passés en paramètre.
//!
//! - [`valeurs`] : les types valeur saisis par l'usager (immatriculation,
//!   VIN, numéro de formule, e-mail, nom, SIREN/SIRET, codes, carte…),
//!   chacun avec son analyse tolérante, sa forme canonique et son erreur en
//!   français.
//! - [`regles`] : les tableaux de règles du support ANTS (éléments
//!   nécessaires, mode d'acheminement du code confidentiel, situations
//!   bloquantes).
//! - [`tpc`] : le catalogue de la téléprocédure complémentaire.
//! - [`taxes`] : les taxes Y1 à Y6, en centimes.
//! - [`demarche`] : le cycle de vie d'une démarche, commun à toutes les
//!   téléprocédures.
//! - [`limites`] : les limites de tentatives (connexion, code confidentiel,
//!   demandes de code) et leurs messages.
//! - [`api`] : les objets échangés entre le SPA et le serveur, dont l'erreur
//!   JSON unique.

pub mod adresse_postale;
pub mod api;
pub mod changement_titulaire;
pub mod compte;
pub mod demarche;
pub mod duplicata;
pub mod franceconnect;
pub mod habilitation;
pub mod limites;
pub mod paiement;
pub mod pieces;
pub mod procedures;
pub mod rattachement;
pub mod regles;
pub mod taxes;
pub mod tpc;
pub mod valeurs;

pub use compte::{PourQui, Profil, TypeCompte};
pub use demarche::{Etape, EtatDemarche, Teleprocedure};
pub use valeurs::*;
