//! Téléprocédure « Changement de titulaire » : la preuve de la cession
//! (code de cession, ou numéro de formule / date du certificat), le nouveau
//! titulaire (usage du véhicule, identité, cotitulaire, adresse) et le
//! certificat provisoire d'immatriculation (CPI).

use crate::{
    adresse_postale::{valider_adresse, AdresseNormalisee, AdresseSaisie},
    api::{ChampErreur, TitulaireVue},
    procedures::{personne_physique, raison_sociale, AdresseVerifiee, TypePersonne},
    taxes::Montant,
    valeurs::{CodeCession, DateCertificat, DateFr, Immatriculation, Nom, NumeroFormule, Prenoms, Siren},
};
use serde::{Deserialize, Serialize};
use time::Date;

/// Durée de validité du CPI, en mois (fiche domaine §3.2, SP F16542).
pub const CPI_VALIDITE_MOIS: u8 = 1;

/// « Usage du véhicule ». La liste du formulaire de l'ANTS n'est pas
/// publique (fiche domaine §3.2, UNCONFIRMED) : choix du projet, gardé ici
/// comme donnée. « Collection » exonère de la taxe sur les véhicules de
/// transport (Y2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageVehicule {
    #[default]
    Personnel,
    Professionnel,
    Collection,
    Agricole,
}

impl UsageVehicule {
    pub const TOUS: [Self; 4] = [Self::Personnel, Self::Professionnel, Self::Collection, Self::Agricole];

    pub fn libelle(self) -> &'static str {
        match self {
            Self::Personnel => "Usage personnel (déplacements privés)",
            Self::Professionnel => "Usage professionnel",
            Self::Collection => "Véhicule de collection",
            Self::Agricole => "Usage agricole",
        }
    }

    pub fn collection(self) -> bool {
        match self {
            Self::Collection => true,
            Self::Personnel | Self::Professionnel | Self::Agricole => false,
        }
    }
}

/// Comment l'acquéreur prouve la cession, au démarrage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModePreuve {
    /// Le code de cession remis par le vendeur (cession déclarée en ligne).
    #[default]
    CodeCession,
    /// Sans déclaration en ligne : le numéro de formule du certificat (SIV)
    /// ou sa date (FNI), lus sur le certificat barré remis par le vendeur.
    Certificat,
}

impl ModePreuve {
    pub const TOUS: [Self; 2] = [Self::CodeCession, Self::Certificat];

    pub fn libelle(self) -> &'static str {
        match self {
            Self::CodeCession => "J'ai le code de cession remis par le vendeur",
            Self::Certificat => "Le vendeur n'a pas déclaré la cession en ligne : j'ai son certificat d'immatriculation barré",
        }
    }
}

/// La preuve saisie au démarrage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreuveSaisie {
    #[serde(default)]
    pub mode: ModePreuve,
    #[serde(default)]
    pub code_cession: String,
    /// Numéro de formule (SIV) ou date du certificat (FNI).
    #[serde(default)]
    pub formule_ou_date: String,
}

/// La preuve validée.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreuveCession {
    Code(CodeCession),
    Formule(NumeroFormule),
    DateCertificat(DateCertificat),
}

impl PreuveSaisie {
    pub fn valider(&self, aujourd_hui: Date) -> Result<PreuveCession, ChampErreur> {
        match self.mode {
            ModePreuve::CodeCession => {
                CodeCession::parse(&self.code_cession).map(PreuveCession::Code).map_err(|e| ChampErreur::new("preuve.code_cession", e))
            }
            ModePreuve::Certificat => {
                let s = self.formule_ou_date.trim();
                if s.is_empty() {
                    return Err(ChampErreur::new(
                        "preuve.formule_ou_date",
                        "Veuillez saisir le numéro de formule (certificat SIV) ou la date du certificat (ancien numéro FNI).",
                    ));
                }
                // Une date (jj/mm/aaaa) désigne un certificat FNI ; sinon un
                // numéro de formule.
                if s.contains('/') || (s.len() == 10 && s.as_bytes().get(4) == Some(&b'-')) {
                    DateCertificat::parse_au(s, aujourd_hui)
                        .map(PreuveCession::DateCertificat)
                        .map_err(|e| ChampErreur::new("preuve.formule_ou_date", e))
                } else {
                    NumeroFormule::parse(s).map(PreuveCession::Formule).map_err(|e| ChampErreur::new("preuve.formule_ou_date", e))
                }
            }
        }
    }
}

/// « Nouveau titulaire », tel que saisi (rien n'est perdu).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitulaireSaisie {
    #[serde(default)]
    pub usage: UsageVehicule,
    #[serde(default)]
    pub type_personne: TypePersonne,
    #[serde(default)]
    pub nom: String,
    #[serde(default)]
    pub prenoms: String,
    #[serde(default)]
    pub date_naissance: String,
    #[serde(default)]
    pub raison_sociale: String,
    #[serde(default)]
    pub siren: String,
    #[serde(default)]
    pub avec_cotitulaire: bool,
    #[serde(default)]
    pub cotitulaire_nom: String,
    #[serde(default)]
    pub cotitulaire_prenoms: String,
    pub adresse: AdresseSaisie,
    /// Le véhicule est gagé : l'acquéreur déclare en avoir pris connaissance.
    #[serde(default)]
    pub gage_pris_connaissance: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type_personne", rename_all = "snake_case")]
pub enum NouveauTitulaire {
    Physique { nom: Nom, prenoms: Prenoms, date_naissance: DateFr },
    Morale { raison_sociale: String, siren: Siren },
}

impl NouveauTitulaire {
    /// La date de naissance d'une personne physique.
    pub fn naissance(&self) -> Option<&DateFr> {
        match self {
            Self::Physique { date_naissance, .. } => Some(date_naissance),
            Self::Morale { .. } => None,
        }
    }

    pub fn libelle(&self) -> String {
        match self {
            Self::Physique { nom, prenoms, .. } => format!("{prenoms} {}", nom.to_string().to_uppercase()),
            Self::Morale { raison_sociale, siren } => format!("{raison_sociale} (SIREN {siren})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cotitulaire {
    pub nom: Nom,
    pub prenoms: Prenoms,
}

impl Cotitulaire {
    pub fn libelle(&self) -> String {
        format!("{} {}", self.prenoms, self.nom.to_string().to_uppercase())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitulaireValide {
    pub usage: UsageVehicule,
    pub titulaire: NouveauTitulaire,
    pub cotitulaire: Option<Cotitulaire>,
    pub adresse: AdresseNormalisee,
}

pub const GAGE_NON_RECONNU: &str = "Ce véhicule est gagé : cochez la case pour indiquer que vous en avez pris connaissance.";

impl TitulaireSaisie {
    /// `gage` : le véhicule est gagé (l'acquéreur doit le reconnaître).
    pub fn valider(&self, aujourd_hui: Date, gage: bool) -> Result<TitulaireValide, Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        let titulaire = match self.type_personne {
            TypePersonne::Physique => {
                personne_physique((&self.nom, &self.prenoms, &self.date_naissance), "titulaire", aujourd_hui, &mut erreurs)
                    .map(|(nom, prenoms, date_naissance)| NouveauTitulaire::Physique { nom, prenoms, date_naissance })
            }
            TypePersonne::Morale => {
                let rs =
                    raison_sociale(&self.raison_sociale).map_err(|m| erreurs.push(ChampErreur::new("titulaire.raison_sociale", m))).ok();
                let siren = Siren::parse(&self.siren).map_err(|e| erreurs.push(ChampErreur::new("titulaire.siren", e))).ok();
                match (rs, siren) {
                    (Some(raison_sociale), Some(siren)) => Some(NouveauTitulaire::Morale { raison_sociale, siren }),
                    _ => None,
                }
            }
        };
        let cotitulaire = if self.avec_cotitulaire {
            let nom = Nom::parse(&self.cotitulaire_nom).map_err(|e| erreurs.push(ChampErreur::new("cotitulaire.nom", e))).ok();
            let prenoms =
                Prenoms::parse(&self.cotitulaire_prenoms).map_err(|e| erreurs.push(ChampErreur::new("cotitulaire.prenoms", e))).ok();
            nom.zip(prenoms).map(|(nom, prenoms)| Some(Cotitulaire { nom, prenoms }))
        } else {
            Some(None)
        };
        let adresse = valider_adresse(&self.adresse, "adresse").map_err(|e| erreurs.extend(e)).ok();
        if gage && !self.gage_pris_connaissance {
            erreurs.push(ChampErreur::new("gage_pris_connaissance", GAGE_NON_RECONNU));
        }
        match (titulaire, cotitulaire, adresse) {
            (Some(titulaire), Some(cotitulaire), Some(adresse)) if erreurs.is_empty() => {
                Ok(TitulaireValide { usage: self.usage, titulaire, cotitulaire, adresse })
            }
            _ => Err(erreurs),
        }
    }
}

/// Le certificat provisoire d'immatriculation, émis quand la démarche se
/// termine (paiement enregistré).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cpi {
    /// Le numéro définitif : un véhicule FNI reçoit ici son numéro SIV.
    pub immatriculation: Immatriculation,
    /// L'ancien numéro FNI, s'il a changé.
    pub ancienne_immatriculation: Option<Immatriculation>,
    pub emis_le: DateFr,
    pub valable_jusqu_au: DateFr,
    /// Référence de vérification (forces de l'ordre).
    pub reference: String,
    pub taxes_payees: Montant,
}

/// La fin de validité du CPI : un mois après son émission (au dernier jour
/// du mois suivant s'il est plus court).
pub fn fin_de_validite_cpi(emis_le: Date) -> Date {
    let mut annee = emis_le.year();
    let mut mois = u8::from(emis_le.month()) + CPI_VALIDITE_MOIS;
    if mois > 12 {
        mois -= 12;
        annee += 1;
    }
    let mois = time::Month::try_from(mois).unwrap_or(time::Month::January);
    let jour = emis_le.day().min(mois.length(annee));
    Date::from_calendar_date(annee, mois, jour).unwrap_or(emis_le)
}

/// Ce que porte un changement de titulaire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsChangementTitulaire {
    /// L'ancien titulaire, tel que le registre le connaît au démarrage
    /// (« le système reconnaît l'ancien titulaire »).
    pub ancien_titulaire: Option<TitulaireVue>,
    /// La saisie telle quelle, même invalide : rien n'est perdu.
    pub saisie: Option<TitulaireSaisie>,
    pub titulaire: Option<TitulaireValide>,
    pub adresse: Option<AdresseVerifiee>,
    /// Le CPI, une fois la démarche terminée.
    pub cpi: Option<Cpi>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const AUJ: Date = date!(2026 - 11 - 28);

    fn saisie() -> TitulaireSaisie {
        TitulaireSaisie {
            nom: "Dupont".into(),
            prenoms: "Marie".into(),
            date_naissance: "02/05/1985".into(),
            adresse: AdresseSaisie {
                voie: "12 rue de la République".into(),
                code_postal: "69002".into(),
                commune: "Lyon".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn personne_physique_valide() {
        let t = saisie().valider(AUJ, false).unwrap();
        assert_eq!(t.titulaire.libelle(), "Marie DUPONT");
        assert_eq!(t.usage, UsageVehicule::Personnel);
        assert_eq!(t.cotitulaire, None);
        assert_eq!(t.adresse.commune, "LYON");
    }

    #[test]
    fn personne_morale_avec_siren() {
        let mut s = saisie();
        s.type_personne = TypePersonne::Morale;
        s.raison_sociale = "  Transports   Martin ".into();
        s.siren = "732 829 320".into();
        assert_eq!(s.valider(AUJ, false).unwrap().titulaire.libelle(), "Transports Martin (SIREN 732 829 320)");
        s.siren = "732829321".into();
        let e = s.valider(AUJ, false).unwrap_err();
        assert_eq!(e.iter().map(|c| c.champ.as_str()).collect::<Vec<_>>(), ["titulaire.siren"]);
    }

    #[test]
    fn cotitulaire_facultatif_mais_complet() {
        let mut s = saisie();
        s.avec_cotitulaire = true;
        s.cotitulaire_nom = "Dupont".into();
        let e = s.valider(AUJ, false).unwrap_err();
        assert_eq!(e.iter().map(|c| c.champ.as_str()).collect::<Vec<_>>(), ["cotitulaire.prenoms"]);
        s.cotitulaire_prenoms = "Paul".into();
        assert_eq!(s.valider(AUJ, false).unwrap().cotitulaire.map(|c| c.libelle()), Some("Paul DUPONT".into()));
    }

    #[test]
    fn gage_a_reconnaitre() {
        let mut s = saisie();
        let e = s.valider(AUJ, true).unwrap_err();
        assert_eq!(e[0].champ, "gage_pris_connaissance");
        assert_eq!(e[0].message, GAGE_NON_RECONNU);
        s.gage_pris_connaissance = true;
        assert!(s.valider(AUJ, true).is_ok());
    }

    #[test]
    fn erreurs_au_champ_et_naissance_future() {
        let mut s = saisie();
        s.nom = String::new();
        s.date_naissance = "29/11/2026".into();
        s.adresse.code_postal = "6900".into();
        let e = s.valider(AUJ, false).unwrap_err();
        let champs: Vec<&str> = e.iter().map(|c| c.champ.as_str()).collect();
        assert_eq!(champs, ["titulaire.nom", "titulaire.date_naissance", "adresse.code_postal"]);
    }

    #[test]
    fn preuve_code_ou_certificat() {
        let p = PreuveSaisie { mode: ModePreuve::CodeCession, code_cession: "abcd-efgh-jk23".into(), ..Default::default() };
        assert!(matches!(p.valider(AUJ), Ok(PreuveCession::Code(_))));
        let p = PreuveSaisie { mode: ModePreuve::CodeCession, code_cession: "12".into(), ..Default::default() };
        assert_eq!(p.valider(AUJ).unwrap_err().champ, "preuve.code_cession");
        let p = PreuveSaisie { mode: ModePreuve::Certificat, formule_ou_date: "12/09/2007".into(), ..Default::default() };
        assert_eq!(p.valider(AUJ), Ok(PreuveCession::DateCertificat(DateCertificat::parse("2007-09-12").unwrap())));
        let p = PreuveSaisie { mode: ModePreuve::Certificat, formule_ou_date: "2022LM89012".into(), ..Default::default() };
        assert!(matches!(p.valider(AUJ), Ok(PreuveCession::Formule(_))));
        let p = PreuveSaisie { mode: ModePreuve::Certificat, formule_ou_date: " ".into(), ..Default::default() };
        assert_eq!(p.valider(AUJ).unwrap_err().champ, "preuve.formule_ou_date");
    }

    #[test]
    fn cpi_valable_un_mois() {
        assert_eq!(fin_de_validite_cpi(date!(2026 - 11 - 28)), date!(2026 - 12 - 28));
        assert_eq!(fin_de_validite_cpi(date!(2026 - 12 - 15)), date!(2027 - 01 - 15));
        assert_eq!(fin_de_validite_cpi(date!(2027 - 01 - 31)), date!(2027 - 02 - 28));
        assert_eq!(fin_de_validite_cpi(date!(2028 - 01 - 30)), date!(2028 - 02 - 29));
    }

    #[test]
    fn usage_collection_seul_exonere() {
        let exo: Vec<_> = UsageVehicule::TOUS.into_iter().filter(|u| u.collection()).collect();
        assert_eq!(exo, [UsageVehicule::Collection]);
    }
}
