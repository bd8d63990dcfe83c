//! Téléprocédure « Demande de duplicata » (perte, vol, détérioration) : le
//! motif, la personne concernée et le « cas particulier » du support.

use crate::{
    api::{ChampErreur, TitulaireVue},
    changement_titulaire::Cpi,
    pieces::TypePiece,
    PourQui,
};
use serde::{Deserialize, Serialize};

/// « Le motif de la demande ».
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotifDuplicata {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonneConcernee {
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
/// Où le nouveau titre est envoyé, selon le cas particulier.
pub fn destination_du_titre(cas_particulier: bool) -> &'static str {
    if cas_particulier {
        "Le nouveau certificat sera envoyé à l'adresse d'expédition du précédent titre (location longue durée)."
    } else {
        "Le nouveau certificat sera envoyé à l'adresse du titulaire figurant sur le certificat d'immatriculation."
    }
}

/// Ce que l'usager lit quand le vol n'est pas encore enregistré au SIV.
pub const VOL_A_CONTROLER: &str = "Le vol de votre certificat n'est pas encore enregistré dans le système d'immatriculation : \
     envoyez la déclaration de vol remise par le commissariat ou la gendarmerie. Après « Valider », votre demande est mise \
     en attente : le CERT contrôle la déclaration, puis vous pourrez payer et obtenir votre certificat provisoire.";

/// Le premier écran : motif, personne concernée, cas particulier. Rien
/// n'est choisi d'avance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicataSaisie {
    #[serde(default)]
    pub motif: Option<MotifDuplicata>,
    #[serde(default)]
    pub personne_concernee: Option<PersonneConcernee>,
    #[serde(default)]
    pub cas_particulier: bool,
}

/// La demande retenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeDuplicata {
    pub motif: MotifDuplicata,
    pub personne_concernee: PersonneConcernee,
    #[serde(default)]
    pub cas_particulier: bool,
    /// Vol non encore enregistré au SIV : la déclaration de vol est envoyée
    /// au CERT, qui la contrôle avant le paiement (le mode itératif).
    #[serde(default)]
    pub declaration_de_vol: bool,
}

impl DemandeDuplicata {
    /// Les pièces que le CERT doit contrôler.
    pub fn pieces_requises(&self) -> Vec<TypePiece> {
        if self.declaration_de_vol {
            vec![TypePiece::DECLARATION_VOL]
        } else {
            Vec::new()
        }
    }
}

impl DuplicataSaisie {
    /// Les choix obligatoires, et la personne concernée cohérente avec
    /// l'initiateur : « pour moi-même », le titulaire ou un cotitulaire ;
    /// « pour quelqu'un d'autre », son mandataire.
    pub fn valider_saisie(&self, pour_qui: PourQui) -> Result<(MotifDuplicata, PersonneConcernee), Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        if self.motif.is_none() {
            erreurs.push(ChampErreur::new("motif", "Choisissez le motif de la demande."));
        }
        match (self.personne_concernee, pour_qui) {
            (None, _) => erreurs.push(ChampErreur::new("personne_concernee", "Choisissez la personne concernée par la demande.")),
            (Some(PersonneConcernee::Mandataire), PourQui::MoiMeme) => erreurs.push(ChampErreur::new(
                "personne_concernee",
                "Vous faites cette demande pour vous-même : choisissez « titulaire » ou « cotitulaire ». \
                 Un mandataire démarre la demande « pour quelqu'un d'autre ».",
            )),
            (Some(PersonneConcernee::Titulaire | PersonneConcernee::Cotitulaire), PourQui::Autrui) => erreurs.push(ChampErreur::new(
                "personne_concernee",
                "Vous faites cette demande pour quelqu'un d'autre : vous agissez comme son mandataire (mandat cerfa 13757).",
            )),
            _ => {}
        }
        match (self.motif, self.personne_concernee) {
            (Some(m), Some(p)) if erreurs.is_empty() => Ok((m, p)),
            _ => Err(erreurs),
        }
    }

    /// La demande retenue : un vol que le registre ne connaît pas encore
    /// passe par le contrôle du CERT.
    pub fn valider(&self, pour_qui: PourQui, vol_enregistre: bool) -> Result<DemandeDuplicata, Vec<ChampErreur>> {
        let (motif, personne_concernee) = self.valider_saisie(pour_qui)?;
        Ok(DemandeDuplicata {
            motif,
            personne_concernee,
            cas_particulier: self.cas_particulier,
            declaration_de_vol: motif == MotifDuplicata::Vol && !vol_enregistre,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsDuplicata {
    pub saisie: Option<DuplicataSaisie>,
    pub demande: Option<DemandeDuplicata>,
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

    fn saisie(motif: MotifDuplicata, p: PersonneConcernee) -> DuplicataSaisie {
        DuplicataSaisie { motif: Some(motif), personne_concernee: Some(p), cas_particulier: false }
    }

    #[test]
    fn perte_et_deterioration_sans_piece() {
        for m in [MotifDuplicata::Perte, MotifDuplicata::Deterioration] {
            let d = saisie(m, PersonneConcernee::Titulaire).valider(PourQui::MoiMeme, false).unwrap();
            assert!(!d.declaration_de_vol);
            assert!(d.pieces_requises().is_empty());
        }
    }

    #[test]
    fn vol_non_enregistre_declaration_au_cert_vol_enregistre_sans_blocage() {
        let vol = saisie(MotifDuplicata::Vol, PersonneConcernee::Titulaire);
        let d = vol.valider(PourQui::MoiMeme, false).unwrap();
        assert!(d.declaration_de_vol);
        assert_eq!(d.pieces_requises(), vec![TypePiece::DECLARATION_VOL]);
        let d = vol.valider(PourQui::MoiMeme, true).unwrap();
        assert!(!d.declaration_de_vol);
        assert!(d.pieces_requises().is_empty());
    }

    #[test]
    fn rien_n_est_choisi_d_avance() {
        let e = DuplicataSaisie::default().valider(PourQui::MoiMeme, false).unwrap_err();
        let champs: Vec<_> = e.iter().map(|c| c.champ.as_str()).collect();
        assert_eq!(champs, ["motif", "personne_concernee"]);
    }

    #[test]
    fn personne_concernee_selon_l_initiateur() {
        let mandataire = saisie(MotifDuplicata::Perte, PersonneConcernee::Mandataire);
        assert_eq!(mandataire.valider(PourQui::MoiMeme, false).unwrap_err()[0].champ, "personne_concernee");
        assert!(mandataire.valider(PourQui::Autrui, false).is_ok());
        let cotitulaire = saisie(MotifDuplicata::Perte, PersonneConcernee::Cotitulaire);
        assert!(cotitulaire.valider(PourQui::MoiMeme, false).is_ok());
        assert_eq!(cotitulaire.valider(PourQui::Autrui, false).unwrap_err()[0].champ, "personne_concernee");
    }

    #[test]
    fn cas_particulier_change_la_destination_du_titre() {
        assert!(destination_du_titre(true).contains("adresse d'expédition du précédent titre"));
        assert!(destination_du_titre(false).contains("adresse du titulaire"));
    }

    #[test]
    fn codes_serde_et_anciennes_donnees() {
        assert_eq!(serde_json::to_value(MotifDuplicata::Deterioration).unwrap(), "deterioration");
        assert_eq!(serde_json::to_value(PersonneConcernee::Mandataire).unwrap(), "mandataire");
        let s: DuplicataSaisie = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(s, DuplicataSaisie::default());
        // Une demande enregistrée avant le mode itératif se relit.
        let d: DemandeDuplicata =
            serde_json::from_value(serde_json::json!({"motif": "perte", "personne_concernee": "titulaire", "cas_particulier": false}))
                .unwrap();
        assert!(!d.declaration_de_vol);
    }
}
