//! Ce que le serveur garde d'une démarche (colonne `donnees`) : le commun à
//! toutes les téléprocédures, et les détails propres à chacune
//! ([`DetailsDemarche`], étiquetés). Version 1 ; les données d'avant
//! (version 0, un sac de champs à plat) se lisent encore et s'écrivent en
//! version 1. Ce qui ne se lit ni en 1 ni en 0 est une erreur (500), jamais des
//! données vides réécrites par-dessus les vraies.

use super::*;
use immat_domain::{
    adresse_postale::{AdresseNormalisee, AdresseSaisie, VerificationCommune},
    api::TitulaireVue,
    procedures::{Acquereur, AdresseVerifiee, CessionSaisie, CessionValidee, DetailsCession, DetailsChangementAdresse, DetailsDemarche},
    DateFr, Heure,
};

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Donnees {
    pub version: u32,
    pub avertissement: Option<String>,
    /// L'adresse du titulaire au moment de la demande.
    pub ancienne_adresse: Option<AdresseNormalisee>,
    pub clu_acceptees: Vec<String>,
    /// Heure de Paris.
    pub valide_le: Option<String>,
    pub taxes: Option<Taxes>,
    /// La règle appliquée pour Y1 (détail « + »), figée à la validation.
    #[serde(default)]
    pub regle_y1: Option<String>,
    /// Le titulaire au démarrage (ce que la démarche montre du véhicule,
    /// même une fois le véhicule passé à un autre titulaire).
    #[serde(default)]
    pub titulaire: Option<TitulaireVue>,
    /// La version du code confidentiel du véhicule quand la démarche a été
    /// ouverte avec lui : si le code change entre-temps, elle ne se valide
    /// plus (un ancien détenteur du code ne garde pas la main).
    pub code_confidentiel_version: Option<i64>,
    pub details: DetailsDemarche,
}

impl Donnees {
    pub fn nouvelles(details: DetailsDemarche) -> Self {
        Self {
            version: VERSION,
            avertissement: None,
            ancienne_adresse: None,
            clu_acceptees: Vec::new(),
            valide_le: None,
            taxes: None,
            regle_y1: None,
            titulaire: None,
            code_confidentiel_version: None,
            details,
        }
    }

    /// Le registre porte-t-il encore la version lue au démarrage ? Une
    /// démarche sans version lue (il n'y en a plus) est traitée comme
    /// périmée : mieux vaut la recommencer que la laisser aboutir.
    pub fn registre_inchange(&self, v: &VehiculeRecord) -> bool {
        self.code_confidentiel_version == Some(v.code_confidentiel_version)
    }

    pub fn de(d: &DemarcheRecord) -> AppResult<Self> {
        let corrompue = |e: String| AppError::from(DbError::Corrupt(format!("données de la démarche {} : {e}", d.numero)));
        let version = d.donnees.get("version").and_then(serde_json::Value::as_u64);
        let donnees = match version {
            Some(1) => serde_json::from_value::<Self>(d.donnees.clone()).map_err(|e| corrompue(e.to_string()))?,
            None => serde_json::from_value::<DonneesV0>(d.donnees.clone())
                .map_err(|e| corrompue(e.to_string()))?
                .en_v1(d.teleprocedure)
                .ok_or_else(|| corrompue("téléprocédure sans données".into()))?,
            Some(v) => return Err(corrompue(format!("version {v} inconnue"))),
        };
        if donnees.details.teleprocedure() != d.teleprocedure {
            return Err(corrompue("détails d'une autre téléprocédure".into()));
        }
        // Le motif d'une TPC fixe ses pièces et ses taxes : un motif qui
        // n'est plus au catalogue est une erreur, pas une TPC sans pièce.
        if let DetailsDemarche::Complementaire(t) = &donnees.details {
            if t.motif.valider().is_err() || t.pour_qui != d.pour_qui {
                return Err(corrompue(format!("motif de TPC « {} / {} »", t.motif.categorie, t.motif.sous_categorie)));
            }
        }
        Ok(donnees)
    }

    pub fn json(&self) -> AppResult<serde_json::Value> {
        serde_json::to_value(self).map_err(|e| anyhow::anyhow!("données de démarche : {e}").into())
    }
}

/// Les données de la version 0 (avant les détails par téléprocédure).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DonneesV0 {
    avertissement: Option<String>,
    adresse_saisie: Option<AdresseSaisie>,
    cession_saisie: Option<CessionSaisie>,
    acquereur: Option<Acquereur>,
    date_cession: Option<DateFr>,
    heure_cession: Option<Heure>,
    adresse_normalisee: Option<AdresseNormalisee>,
    verification: Option<VerificationCommune>,
    adresse_retenue: Option<AdresseNormalisee>,
    ancienne_adresse: Option<AdresseNormalisee>,
    /// Toujours écrit par l'ancien code : son absence trahit autre chose
    /// qu'une donnée de la version 0 (`{}` par exemple).
    clu_acceptees: Vec<String>,
    valide_le: Option<String>,
    code_cession_expire_le: Option<String>,
    taxes: Option<Taxes>,
    code_confidentiel_version: Option<i64>,
}

impl DonneesV0 {
    fn en_v1(self, tp: Teleprocedure) -> Option<Donnees> {
        let adresse = match (self.adresse_normalisee, self.verification) {
            (Some(n), Some(v)) => Some(AdresseVerifiee { normalisee: n, verification: v, retenue: self.adresse_retenue }),
            _ => None,
        };
        // La version 0 n'a connu que ces deux téléprocédures.
        let details = match tp {
            Teleprocedure::ChangementAdresse => {
                DetailsDemarche::ChangementAdresse(DetailsChangementAdresse { saisie: self.adresse_saisie, adresse })
            }
            Teleprocedure::Cession => {
                let cession = match (self.acquereur, &adresse, self.date_cession, self.heure_cession) {
                    (Some(acquereur), Some(a), Some(date_cession), Some(heure_cession)) => {
                        Some(CessionValidee { acquereur, adresse: a.normalisee.clone(), date_cession, heure_cession })
                    }
                    _ => None,
                };
                DetailsDemarche::Cession(DetailsCession {
                    saisie: self.cession_saisie,
                    cession,
                    adresse,
                    code_cession_expire_le: self.code_cession_expire_le,
                })
            }
            Teleprocedure::ChangementTitulaire | Teleprocedure::Duplicata | Teleprocedure::Complementaire => return None,
        };
        Some(Donnees {
            version: VERSION,
            avertissement: self.avertissement,
            ancienne_adresse: self.ancienne_adresse,
            clu_acceptees: self.clu_acceptees,
            valide_le: self.valide_le,
            taxes: self.taxes,
            regle_y1: None,
            titulaire: None,
            code_confidentiel_version: self.code_confidentiel_version,
            details,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use immat_domain::{Etape, PourQui};
    use serde_json::json;

    fn record(tp: Teleprocedure, donnees: serde_json::Value) -> DemarcheRecord {
        DemarcheRecord {
            id: 1,
            numero: "2026-TEST".into(),
            compte_id: 1,
            vehicule_id: Some(1),
            teleprocedure: tp,
            etat: EtatDemarche::Brouillon,
            pour_qui: PourQui::MoiMeme,
            donnees,
            etape: Etape::Verification,
            version: 0,
            created_at: String::new(),
            updated_at: String::new(),
            agent_id: None,
            agent_depuis: None,
            en_attente_depuis: None,
        }
    }

    #[test]
    fn version_0_lue_et_reecrite_en_version_1() {
        let v0 = json!({
            "adresse_saisie": {"voie": "5 place de l'Église", "code_postal": "13001", "commune": "Marseile"},
            "adresse_normalisee": {"voie": "5 PLACE DE L EGLISE", "complement": null, "lieu_dit": null, "code_postal": "13001", "commune": "MARSEILE"},
            "verification": {"resultat": "proposition", "code_postal": "13001", "commune": "MARSEILLE"},
            "ancienne_adresse": null, "clu_acceptees": [], "taxes": null
        });
        let d = Donnees::de(&record(Teleprocedure::ChangementAdresse, v0)).unwrap();
        let DetailsDemarche::ChangementAdresse(details) = &d.details else { panic!("{:?}", d.details) };
        assert_eq!(details.saisie.as_ref().unwrap().commune, "Marseile");
        assert_eq!(details.adresse.as_ref().unwrap().normalisee.commune, "MARSEILE");
        let json = d.json().unwrap();
        assert_eq!(json["version"], 1);
        assert_eq!(json["details"]["teleprocedure"], "changement_adresse");
        let relu = Donnees::de(&record(Teleprocedure::ChangementAdresse, json)).unwrap();
        assert_eq!(relu.details, d.details);
    }

    #[test]
    fn cession_en_version_0() {
        let v0 = json!({
            "cession_saisie": {
                "acquereur": {"type_personne": "morale", "raison_sociale": "Garage du Centre", "siret": "732 829 320 00074"},
                "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"},
                "date_cession": "2026-11-01", "heure_cession": "09:00"
            },
            "acquereur": {"type_personne": "morale", "raison_sociale": "Garage du Centre", "siret": "73282932000074"},
            "date_cession": "01/11/2026", "heure_cession": "09:00",
            "adresse_normalisee": {"voie": "1 PLACE DE LA GARE", "complement": null, "lieu_dit": null, "code_postal": "35000", "commune": "RENNES"},
            "verification": {"resultat": "conforme", "commune": "RENNES"},
            "adresse_retenue": {"voie": "1 PLACE DE LA GARE", "complement": null, "lieu_dit": null, "code_postal": "35000", "commune": "RENNES"},
            "clu_acceptees": ["exactitude"], "code_cession_expire_le": "16/11/2026 à 10:00"
        });
        let d = Donnees::de(&record(Teleprocedure::Cession, v0)).unwrap();
        let DetailsDemarche::Cession(c) = &d.details else { panic!("{:?}", d.details) };
        let cession = c.cession.as_ref().expect("cession validée reprise");
        assert_eq!(cession.acquereur.libelle(), "Garage du Centre (SIRET 732 829 320 00074)");
        assert_eq!(cession.date_cession.to_string(), "01/11/2026");
        assert_eq!(d.details.adresse_retenue().map(|a| a.commune.as_str()), Some("RENNES"));
        assert_eq!(c.code_cession_expire_le.as_deref(), Some("16/11/2026 à 10:00"));
        assert_eq!(d.clu_acceptees, ["exactitude"]);
    }

    #[test]
    fn donnees_illisibles_erreur() {
        for (tp, donnees) in [
            (Teleprocedure::ChangementAdresse, json!({"adresse_retenue": "pas une adresse"})),
            (Teleprocedure::ChangementAdresse, json!({"champ_inconnu": 1})),
            (Teleprocedure::ChangementAdresse, json!({"version": 7})),
            // La valeur par défaut de la colonne : pas une donnée de la version 0.
            (Teleprocedure::ChangementAdresse, json!({})),
            (Teleprocedure::Duplicata, json!({})),
            (
                Teleprocedure::Cession,
                Donnees::nouvelles(DetailsDemarche::nouveau(Teleprocedure::ChangementAdresse).unwrap()).json().unwrap(),
            ),
        ] {
            let e = Donnees::de(&record(tp, donnees.clone())).unwrap_err();
            assert!(matches!(e, AppError::Db(DbError::Corrupt(_))), "{donnees} : {e:?}");
        }
    }
}
