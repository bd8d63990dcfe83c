//! Les tableaux de règles du support ANTS.

pub mod acheminement;
pub mod elements;
pub mod situation;

pub use acheminement::{destination_courrier, mode_acheminement, DestinationCourrier, ModeAcheminement, TitulaireCompte};
pub use elements::{elements_necessaires, ElementsNecessaires, RegleError};
pub use situation::{peut_demarrer, Gravite, Mention, SituationAdministrative, Verdict, SITUATION_SAINE};
