//! Téléprocédure « Demande de duplicata » (perte, vol, détérioration) : le
//! motif, la personne concernée et le « cas particulier » du support.

use crate::{
    api::{ChampErreur, TitulaireVue},
    changement_titulaire::Cpi,
};
use serde::{Deserialize, Serialize};

/// « Le motif de la demande ».
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotifDuplicata {
    #[default]
    Perte,
    Vol,
    Deterioration,
}

impl MotifDuplicata {
    pub const TOUS: [Self; 3] = [Self::Perte, Self::Vol, Self::Deterioration];

    pub fn libelle(self) -> &'static str {
        match self {
            Self::Perte => "Perte du certificat d'immatriculation",
            Self::Vol => "Vol du certificat d'immatriculation",
            Self::Deterioration => "Détérioration du certificat d'immatriculation",
        }
    }
}

/// « La personne concernée par la demande » : seuls le titulaire, un
/// cotitulaire ou un mandataire (mandat cerfa 13757) peuvent la faire
/// (fiche domaine §3.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonneConcernee {
    #[default]
    Titulaire,
    Cotitulaire,
    Mandataire,
}

impl PersonneConcernee {
    pub const TOUS: [Self; 3] = [Self::Titulaire, Self::Cotitulaire, Self::Mandataire];

    pub fn libelle(self) -> &'static str {
        match self {
            Self::Titulaire => "Le titulaire du certificat",
            Self::Cotitulaire => "Un cotitulaire du certificat",
            Self::Mandataire => "Un mandataire du titulaire (mandat cerfa 13757)",
        }
    }
}

/// Le « cas particulier » à cocher : son texte n'est pas public (UNCONFIRMED) ;
/// choix du projet, gardé ici comme donnée : le véhicule en location longue
/// durée, dont le nouveau titre part à l'adresse d'expédition du précédent.
pub const CAS_PARTICULIER: &str =
    "Cas particulier : le véhicule est en location longue durée (le nouveau titre est envoyé à l'adresse d'expédition du précédent)";

/// Vol du certificat non enregistré : la déclaration de vol doit être
/// envoyée au CERT (mode itératif, pas encore construit).
pub const VOL_NON_DISPONIBLE: &str = "Le vol du certificat doit être justifié par la déclaration de vol, envoyée au CERT qui la contrôle. \
     Cet envoi (le mode itératif) n'est pas encore disponible dans Immat : la demande en ligne est possible pour une perte ou une détérioration.";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicataSaisie {
    #[serde(default)]
    pub motif: MotifDuplicata,
    #[serde(default)]
    pub personne_concernee: PersonneConcernee,
    #[serde(default)]
    pub cas_particulier: bool,
}

impl DuplicataSaisie {
    pub fn valider(&self) -> Result<DuplicataSaisie, Vec<ChampErreur>> {
        match self.motif {
            MotifDuplicata::Vol => Err(vec![ChampErreur::new("motif", VOL_NON_DISPONIBLE)]),
            MotifDuplicata::Perte | MotifDuplicata::Deterioration => Ok(self.clone()),
        }
    }
}

/// Ce que porte une demande de duplicata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsDuplicata {
    /// La saisie telle quelle, même invalide : rien n'est perdu.
    pub saisie: Option<DuplicataSaisie>,
    /// La saisie validée.
    pub demande: Option<DuplicataSaisie>,
    /// Le CPI, une fois la démarche terminée.
    pub cpi: Option<Cpi>,
    /// Le titulaire tel que le registre le portait à l'émission du CPI : le
    /// PDF le reprend tel quel, même si le véhicule change ensuite de main.
    #[serde(default)]
    pub titulaire_au_cpi: Option<TitulaireAuCpi>,
}

/// Le titulaire (et le cotitulaire) figés sur le CPI d'un duplicata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitulaireAuCpi {
    pub titulaire: TitulaireVue,
    pub cotitulaire: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perte_et_deterioration_en_ligne_vol_au_cert() {
        let perte = DuplicataSaisie { motif: MotifDuplicata::Perte, ..Default::default() };
        assert_eq!(perte.valider(), Ok(perte.clone()));
        let det = DuplicataSaisie { motif: MotifDuplicata::Deterioration, cas_particulier: true, ..Default::default() };
        assert!(det.valider().is_ok());
        let vol = DuplicataSaisie { motif: MotifDuplicata::Vol, ..Default::default() };
        let e = vol.valider().unwrap_err();
        assert_eq!((e[0].champ.as_str(), e[0].message.as_str()), ("motif", VOL_NON_DISPONIBLE));
    }

    #[test]
    fn codes_serde() {
        assert_eq!(serde_json::to_value(MotifDuplicata::Deterioration).unwrap(), "deterioration");
        assert_eq!(serde_json::to_value(PersonneConcernee::Mandataire).unwrap(), "mandataire");
        let s: DuplicataSaisie = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(s, DuplicataSaisie::default());
    }
}
