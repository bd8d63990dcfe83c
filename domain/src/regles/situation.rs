//! Situations administratives bloquantes (fiche domaine §6).
//!
//! Une seule fonction dit, pour la situation d'un véhicule et une
//! téléprocédure, si la démarche peut commencer, et sinon pourquoi.
//! - Véhicule volé : bloque toute démarche.
//! - Immatriculation suspendue ou annulée : bloque toute démarche en ligne
//!   (la TPC, instruite par le CERT, reste possible).
//! - OTCI, OVE/OVEI, déclaration valant saisie : bloquent la cession et le
//!   changement de titulaire.
//! - Gage : n'empêche pas la cession (la garantie suit le véhicule) ;
//!   avertissement seulement.
//! - Véhicule déjà déclaré cédé : le vendeur ne peut plus faire de démarche
//!   sur ce certificat, sauf la TPC.

use crate::demarche::Teleprocedure;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SituationAdministrative {
    pub gage: bool,
    /// Opposition au transfert du certificat d'immatriculation.
    pub otci: bool,
    /// Opposition véhicule endommagé.
    pub ove: bool,
    /// Véhicule économiquement irréparable.
    pub ovei: bool,
    /// Déclaration valant saisie.
    pub dvs: bool,
    pub suspendue: bool,
    pub annulee: bool,
    pub vol: bool,
    /// Une déclaration de cession a été enregistrée pour ce certificat.
    pub cede: bool,
}

/// Une mention de la situation administrative, avec ses libellés : le
/// libellé du certificat de situation administrative et celui, court, de
/// l'espace véhicule. Écrits ici seulement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mention {
    Vol,
    Otci,
    Ove,
    Ovei,
    Dvs,
    Suspendue,
    Annulee,
    Cede,
    Gage,
}

/// Comment une mention se montre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gravite {
    Bloquante,
    Avertissement,
    Information,
}

impl Mention {
    pub const TOUTES: [Self; 9] =
        [Self::Vol, Self::Otci, Self::Ove, Self::Ovei, Self::Dvs, Self::Suspendue, Self::Annulee, Self::Cede, Self::Gage];

    /// Le libellé du certificat de situation administrative (d'après HistoVec).
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Vol => "Véhicule volé",
            Self::Otci => "Opposition au transfert du certificat d'immatriculation (OTCI)",
            Self::Ove => "Opposition véhicule endommagé (OVE)",
            Self::Ovei => "Véhicule économiquement irréparable (OVEI)",
            Self::Dvs => "Déclaration valant saisie",
            Self::Suspendue => "Immatriculation suspendue",
            Self::Annulee => "Immatriculation annulée",
            Self::Cede => "Déclaration de cession enregistrée",
            Self::Gage => "Gage",
        }
    }

    /// Le libellé court de l'espace véhicule.
    pub fn badge(self) -> &'static str {
        match self {
            Self::Vol => "Déclaré volé",
            Self::Otci => "Opposition au transfert (OTCI)",
            Self::Ove | Self::Ovei => "Véhicule endommagé",
            Self::Dvs => "Déclaration valant saisie",
            Self::Suspendue => "Immatriculation suspendue",
            Self::Annulee => "Immatriculation annulée",
            Self::Cede => "Cédé",
            Self::Gage => "Gagé",
        }
    }

    pub fn gravite(self) -> Gravite {
        match self {
            Self::Cede => Gravite::Information,
            Self::Gage => Gravite::Avertissement,
            _ => Gravite::Bloquante,
        }
    }
}

impl SituationAdministrative {
    pub fn a(&self, m: Mention) -> bool {
        match m {
            Mention::Vol => self.vol,
            Mention::Otci => self.otci,
            Mention::Ove => self.ove,
            Mention::Ovei => self.ovei,
            Mention::Dvs => self.dvs,
            Mention::Suspendue => self.suspendue,
            Mention::Annulee => self.annulee,
            Mention::Cede => self.cede,
            Mention::Gage => self.gage,
        }
    }

    /// Les mentions portées par le véhicule, dans l'ordre de gravité du
    /// support ; vide pour une situation sans opposition.
    pub fn mentions(&self) -> Vec<Mention> {
        Mention::TOUTES.into_iter().filter(|m| self.a(*m)).collect()
    }
}

/// Le libellé d'une situation sans mention.
pub const SITUATION_SAINE: &str = "Situation administrative sans opposition";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", content = "message", rename_all = "snake_case")]
pub enum Verdict {
    Autorise,
    AutoriseAvecAvertissement(String),
    Bloque(String),
}

impl Verdict {
    pub fn est_bloque(&self) -> bool {
        matches!(self, Self::Bloque(_))
    }
}

pub fn peut_demarrer(s: &SituationAdministrative, tp: Teleprocedure) -> Verdict {
    let transfert = tp.transfere_le_titre();
    if s.vol {
        return Verdict::Bloque(
            "Ce véhicule est déclaré volé : aucune démarche n'est possible. Adressez-vous aux forces de l'ordre.".into(),
        );
    }
    if !tp.hors_demarche_en_ligne() {
        if s.annulee {
            return Verdict::Bloque("L'immatriculation de ce véhicule est annulée : la démarche en ligne n'est pas possible.".into());
        }
        if s.suspendue {
            return Verdict::Bloque("L'immatriculation de ce véhicule est suspendue : la démarche en ligne n'est pas possible.".into());
        }
        if s.cede && !tp.par_l_acquereur() {
            return Verdict::Bloque(
                "Une déclaration de cession a déjà été enregistrée pour ce véhicule : il n'est plus à votre nom.".into(),
            );
        }
    }
    if transfert {
        if s.otci {
            return Verdict::Bloque(
                "Une opposition au transfert du certificat d'immatriculation (OTCI) bloque tout changement de titulaire de ce véhicule."
                    .into(),
            );
        }
        if s.ovei {
            return Verdict::Bloque(
                "Ce véhicule est déclaré économiquement irréparable (OVEI) : il ne peut être cédé qu'à un assureur ou à un centre VHU."
                    .into(),
            );
        }
        if s.ove {
            return Verdict::Bloque(
                "Une opposition véhicule endommagé (OVE) bloque le transfert jusqu'au second rapport d'expertise.".into(),
            );
        }
        if s.dvs {
            return Verdict::Bloque("Une déclaration valant saisie bloque le transfert de ce véhicule.".into());
        }
        if s.gage {
            return Verdict::AutoriseAvecAvertissement(
                "Ce véhicule fait l'objet d'un gage : la garantie du créancier suit le véhicule. L'acquéreur doit être informé.".into(),
            );
        }
    }
    Verdict::Autorise
}

#[cfg(test)]
mod tests {
    use super::*;
    use Teleprocedure::*;

    #[test]
    fn mentions_d_une_situation() {
        assert!(SituationAdministrative::default().mentions().is_empty());
        let s = SituationAdministrative { gage: true, otci: true, ..Default::default() };
        assert_eq!(s.mentions(), [Mention::Otci, Mention::Gage]);
        assert_eq!(Mention::Gage.badge(), "Gagé");
        assert_eq!(Mention::Gage.gravite(), Gravite::Avertissement);
        assert_eq!(Mention::Otci.libelle(), "Opposition au transfert du certificat d'immatriculation (OTCI)");
    }

    const TOUTES: [Teleprocedure; 5] = [Duplicata, ChangementAdresse, Cession, ChangementTitulaire, Complementaire];

    #[test]
    fn situation_saine_autorise_tout() {
        for tp in TOUTES {
            assert_eq!(peut_demarrer(&SituationAdministrative::default(), tp), Verdict::Autorise);
        }
    }

    #[test]
    fn vehicule_vole_bloque_toute_demarche() {
        let s = SituationAdministrative { vol: true, ..Default::default() };
        for tp in TOUTES {
            assert!(peut_demarrer(&s, tp).est_bloque(), "{tp:?}");
        }
    }

    #[test]
    fn otci_bloque_tout_changement_de_titulaire_et_la_cession_seulement() {
        for flag in ["otci", "ove", "ovei", "dvs"] {
            let mut s = SituationAdministrative::default();
            match flag {
                "otci" => s.otci = true,
                "ove" => s.ove = true,
                "ovei" => s.ovei = true,
                _ => s.dvs = true,
            }
            assert!(peut_demarrer(&s, Cession).est_bloque(), "{flag}");
            assert!(peut_demarrer(&s, ChangementTitulaire).est_bloque(), "{flag}");
            assert_eq!(peut_demarrer(&s, ChangementAdresse), Verdict::Autorise, "{flag}");
            assert_eq!(peut_demarrer(&s, Duplicata), Verdict::Autorise, "{flag}");
        }
    }

    #[test]
    fn gage_avertissement_seulement() {
        let s = SituationAdministrative { gage: true, ..Default::default() };
        assert!(matches!(peut_demarrer(&s, Cession), Verdict::AutoriseAvecAvertissement(_)));
        assert_eq!(peut_demarrer(&s, Duplicata), Verdict::Autorise);
    }

    #[test]
    fn suspension_et_annulation_bloquent_sauf_tpc() {
        for s in [
            SituationAdministrative { suspendue: true, ..Default::default() },
            SituationAdministrative { annulee: true, ..Default::default() },
        ] {
            for tp in [Duplicata, ChangementAdresse, Cession, ChangementTitulaire] {
                assert!(peut_demarrer(&s, tp).est_bloque());
            }
            assert_eq!(peut_demarrer(&s, Complementaire), Verdict::Autorise);
        }
    }

    #[test]
    fn vehicule_cede_refuse_seconde_cession_et_changement_d_adresse() {
        let s = SituationAdministrative { cede: true, ..Default::default() };
        assert!(peut_demarrer(&s, Cession).est_bloque());
        assert!(peut_demarrer(&s, ChangementAdresse).est_bloque());
        assert!(peut_demarrer(&s, Duplicata).est_bloque());
        assert_eq!(peut_demarrer(&s, ChangementTitulaire), Verdict::Autorise);
    }
}
