//! « CODE CONFIDENTIEL : MODE D'ACHEMINEMENT ».
//!
//! L'envoi par e-mail est fait via le portail ANTS ; l'envoi par courrier est
//! fait à l'adresse postale du titulaire (celle de la carte grise). Pour les
//! dossiers en location longue durée, le courrier part à l'adresse
//! d'expédition du précédent titre.

use crate::compte::{PourQui, Profil};
use serde::{Deserialize, Serialize};

/// Le titulaire du compte ANTS, selon les trois lignes du tableau.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitulaireCompte {
    PersonnePhysique,
    /// Mandataire, représentant légal.
    PersonneMorale,
    /// Compte ANTS associé à un professionnel de l'automobile habilité.
    ProfessionnelHabilite,
}

impl TitulaireCompte {
    /// `None` pour un agent du CERT, qui ne fait pas de démarche.
    pub fn de(profil: Profil) -> Option<Self> {
        match profil {
            Profil::PersonnePhysique => Some(Self::PersonnePhysique),
            Profil::PersonneMorale => Some(Self::PersonneMorale),
            Profil::ProfessionnelHabilite => Some(Self::ProfessionnelHabilite),
            Profil::AgentCert => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeAcheminement {
    pub email: bool,
    pub courrier: bool,
}

impl ModeAcheminement {
    pub const EMAIL_ET_COURRIER: Self = Self { email: true, courrier: true };
    pub const COURRIER: Self = Self { email: false, courrier: true };

    pub fn libelle(self) -> &'static str {
        match (self.email, self.courrier) {
            (true, true) => "EMAIL + COURRIER",
            (false, true) => "COURRIER",
            (true, false) => "EMAIL",
            (false, false) => "AUCUN",
        }
    }
}

pub fn mode_acheminement(titulaire: TitulaireCompte, pour: PourQui) -> ModeAcheminement {
    use PourQui::*;
    use TitulaireCompte::*;
    match (titulaire, pour) {
        (PersonnePhysique, MoiMeme) => ModeAcheminement::EMAIL_ET_COURRIER,
        (PersonnePhysique, Autrui) => ModeAcheminement::COURRIER,
        (PersonneMorale, MoiMeme) => ModeAcheminement::EMAIL_ET_COURRIER,
        (PersonneMorale, Autrui) => ModeAcheminement::COURRIER,
        (ProfessionnelHabilite, MoiMeme) => ModeAcheminement::EMAIL_ET_COURRIER,
        (ProfessionnelHabilite, Autrui) => ModeAcheminement::EMAIL_ET_COURRIER,
    }
}

/// Où part le courrier du code confidentiel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationCourrier {
    /// L'adresse postale du titulaire, celle figurant sur la carte grise.
    AdresseDuTitulaire,
    /// Location longue durée : l'adresse d'expédition du précédent titre.
    AdresseExpeditionPrecedentTitre,
}

pub fn destination_courrier(location_longue_duree: bool) -> DestinationCourrier {
    if location_longue_duree {
        DestinationCourrier::AdresseExpeditionPrecedentTitre
    } else {
        DestinationCourrier::AdresseDuTitulaire
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PourQui::*;
    use TitulaireCompte::*;

    #[test]
    fn code_confidentiel_mode_d_acheminement_chaque_cellule() {
        let tableau = [
            (PersonnePhysique, MoiMeme, "EMAIL + COURRIER"),
            (PersonnePhysique, Autrui, "COURRIER"),
            (PersonneMorale, MoiMeme, "EMAIL + COURRIER"),
            (PersonneMorale, Autrui, "COURRIER"),
            (ProfessionnelHabilite, MoiMeme, "EMAIL + COURRIER"),
            (ProfessionnelHabilite, Autrui, "EMAIL + COURRIER"),
        ];
        for (t, p, attendu) in tableau {
            assert_eq!(mode_acheminement(t, p).libelle(), attendu, "{t:?} {p:?}");
        }
    }

    #[test]
    fn courrier_toujours_envoye() {
        for t in [PersonnePhysique, PersonneMorale, ProfessionnelHabilite] {
            for p in [MoiMeme, Autrui] {
                assert!(mode_acheminement(t, p).courrier);
            }
        }
    }

    #[test]
    fn location_longue_duree_adresse_d_expedition_du_precedent_titre() {
        assert_eq!(destination_courrier(true), DestinationCourrier::AdresseExpeditionPrecedentTitre);
        assert_eq!(destination_courrier(false), DestinationCourrier::AdresseDuTitulaire);
    }

    #[test]
    fn agent_cert_sans_acheminement() {
        assert_eq!(TitulaireCompte::de(Profil::AgentCert), None);
        assert_eq!(TitulaireCompte::de(Profil::PersonneMorale), Some(PersonneMorale));
    }
}
