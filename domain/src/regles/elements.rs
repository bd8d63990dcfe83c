//! « TÉLÉPROCÉDURES : LES ÉLÉMENTS NÉCESSAIRES » — ce que chaque
//! téléprocédure demande selon le compte (ANTS classique ou certifié) et
//! l'initiateur (pour moi-même, pour quelqu'un d'autre).
//!
//! Colonnes du support : Immatriculation · Code confidentiel · Carte
//! bancaire · Code de cession OU numéro de formule CI (SIV) / date CI (FNI).
//! « Carte bancaire OUI » signifie qu'une carte est demandée lorsque des
//! taxes sont dues (un changement d'adresse est souvent gratuit).

use crate::{compte::PourQui, compte::TypeCompte, demarche::Teleprocedure};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementsNecessaires {
    pub immatriculation: bool,
    pub code_confidentiel: bool,
    pub carte_bancaire: bool,
    /// Code de cession OU numéro de formule (SIV) / date du CI (FNI).
    pub code_cession_ou_formule: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RegleError {
    #[error("Cette téléprocédure nécessite un compte ANTS certifié : un compte rattaché à FranceConnect, ou celui d'un professionnel de l'automobile habilité. Pour certifier votre compte, choisissez « Continuer avec FranceConnect », ou confiez la démarche à un professionnel habilité.")]
    CompteCertifieRequis,
}

const fn e(immatriculation: bool, code_confidentiel: bool, carte_bancaire: bool, code_cession_ou_formule: bool) -> ElementsNecessaires {
    ElementsNecessaires { immatriculation, code_confidentiel, carte_bancaire, code_cession_ou_formule }
}

const OUI: bool = true;
const NON: bool = false;

/// Le tableau du support, cellule par cellule.
pub fn elements_necessaires(tp: Teleprocedure, compte: TypeCompte, pour: PourQui) -> Result<ElementsNecessaires, RegleError> {
    use PourQui::*;
    use Teleprocedure::*;
    use TypeCompte::*;
    Ok(match (tp, compte, pour) {
        // TP Duplicata
        (Duplicata, Classique, MoiMeme) => e(OUI, OUI, OUI, NON),
        (Duplicata, Classique, Autrui) => e(OUI, OUI, OUI, NON),
        (Duplicata, Certifie, MoiMeme) => e(OUI, NON, OUI, NON),
        (Duplicata, Certifie, Autrui) => e(OUI, OUI, OUI, NON),
        // TP Changement d'adresse
        (ChangementAdresse, Classique, MoiMeme) => e(OUI, OUI, OUI, NON),
        (ChangementAdresse, Classique, Autrui) => e(OUI, OUI, OUI, NON),
        (ChangementAdresse, Certifie, MoiMeme) => e(OUI, NON, OUI, NON),
        (ChangementAdresse, Certifie, Autrui) => e(OUI, OUI, OUI, NON),
        // TP Cession de véhicule
        (Cession, Classique, MoiMeme) => e(OUI, OUI, NON, NON),
        (Cession, Classique, Autrui) => e(OUI, OUI, NON, NON),
        (Cession, Certifie, MoiMeme) => e(OUI, NON, NON, NON),
        (Cession, Certifie, Autrui) => e(OUI, OUI, NON, NON),
        // TP Changement de titulaire : compte certifié seulement.
        (ChangementTitulaire, Certifie, MoiMeme) => e(OUI, NON, OUI, OUI),
        (ChangementTitulaire, Certifie, Autrui) => e(OUI, NON, OUI, OUI),
        (ChangementTitulaire, Classique, _) => return Err(RegleError::CompteCertifieRequis),
        // TPC (« Pré requis » : un compte ANTS certifié) ; les pièces et la
        // carte dépendent de la catégorie choisie (voir `tpc`).
        (Complementaire, Certifie, _) => e(NON, NON, NON, NON),
        (Complementaire, Classique, _) => return Err(RegleError::CompteCertifieRequis),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use PourQui::*;
    use Teleprocedure::*;
    use TypeCompte::*;

    /// Le tableau du support, recopié ligne par ligne :
    /// (téléprocédure, compte, pour, immat, code conf., carte, cession/formule).
    const TABLEAU_DU_SUPPORT: [(Teleprocedure, TypeCompte, PourQui, [bool; 4]); 14] = [
        (Duplicata, Classique, MoiMeme, [OUI, OUI, OUI, NON]),
        (Duplicata, Classique, Autrui, [OUI, OUI, OUI, NON]),
        (Duplicata, Certifie, MoiMeme, [OUI, NON, OUI, NON]),
        (Duplicata, Certifie, Autrui, [OUI, OUI, OUI, NON]),
        (ChangementAdresse, Classique, MoiMeme, [OUI, OUI, OUI, NON]),
        (ChangementAdresse, Classique, Autrui, [OUI, OUI, OUI, NON]),
        (ChangementAdresse, Certifie, MoiMeme, [OUI, NON, OUI, NON]),
        (ChangementAdresse, Certifie, Autrui, [OUI, OUI, OUI, NON]),
        (Cession, Classique, MoiMeme, [OUI, OUI, NON, NON]),
        (Cession, Classique, Autrui, [OUI, OUI, NON, NON]),
        (Cession, Certifie, MoiMeme, [OUI, NON, NON, NON]),
        (Cession, Certifie, Autrui, [OUI, OUI, NON, NON]),
        (ChangementTitulaire, Certifie, MoiMeme, [OUI, NON, OUI, OUI]),
        (ChangementTitulaire, Certifie, Autrui, [OUI, NON, OUI, OUI]),
    ];

    #[test]
    fn teleprocedures_les_elements_necessaires_chaque_cellule() {
        for (tp, compte, pour, [i, c, b, f]) in TABLEAU_DU_SUPPORT {
            let got = elements_necessaires(tp, compte, pour).unwrap();
            assert_eq!(got, e(i, c, b, f), "{tp:?} {compte:?} {pour:?}");
        }
    }

    #[test]
    fn changement_de_titulaire_compte_certifie_seulement() {
        for pour in [MoiMeme, Autrui] {
            assert_eq!(elements_necessaires(ChangementTitulaire, Classique, pour), Err(RegleError::CompteCertifieRequis));
        }
    }

    #[test]
    fn tpc_compte_certifie_seulement() {
        assert_eq!(elements_necessaires(Complementaire, Classique, MoiMeme), Err(RegleError::CompteCertifieRequis));
        assert!(elements_necessaires(Complementaire, Certifie, Autrui).is_ok());
    }

    #[test]
    fn code_confidentiel_jamais_demande_au_compte_certifie_pour_lui_meme() {
        for tp in [Duplicata, ChangementAdresse, Cession, ChangementTitulaire] {
            assert!(!elements_necessaires(tp, Certifie, MoiMeme).unwrap().code_confidentiel, "{tp:?}");
        }
    }
}
