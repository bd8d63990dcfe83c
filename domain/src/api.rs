//! Les objets échangés entre le SPA et le serveur sous `/api/v1`.
//!
//! L'erreur JSON est unique : un code stable (pour les programmes et les
//! tests), un message en français (pour l'usager) et les erreurs par champ
//! (reliées au champ du formulaire).

use crate::{
    adresse_postale::AdresseNormalisee,
    compte::{Profil, TypeCompte},
    demarche::{EtatDemarche, Teleprocedure},
    regles::SituationAdministrative,
    taxes::{Energie, Genre},
    valeurs::{DateCertificat, DateFr, Email, Immatriculation},
};
use serde::{Deserialize, Serialize};

/// Une erreur sur un champ précis d'un formulaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChampErreur {
    /// Le nom du champ, tel que le formulaire l'envoie (`email`, …).
    pub champ: String,
    pub message: String,
}

impl ChampErreur {
    pub fn new(champ: impl Into<String>, message: impl ToString) -> Self {
        Self { champ: champ.into(), message: message.to_string() }
    }
}

/// Le code stable d'une erreur de l'API (pour les programmes et les tests),
/// le même des deux côtés.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeErreur {
    Validation,
    NonAuthentifie,
    IdentifiantsInvalides,
    Interdit,
    Introuvable,
    Conflit,
    TropDeTentatives,
    Surcharge,
    JsonInvalide,
    TypeDeContenu,
    TropVolumineux,
    RequeteInvalide,
    OrigineRefusee,
    NonDisponible,
    TaxesIncalculables,
    /// « Vous avez déjà payé. La démarche a été mise à jour. »
    DejaPaye,
    Interne,
    /// Un code qu'un client plus ancien ne connaît pas encore.
    #[serde(other)]
    Autre,
}

/// Le corps JSON de toute réponse d'erreur de l'API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: CodeErreur,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub champs: Vec<ChampErreur>,
}

impl ApiError {
    pub fn new(code: CodeErreur, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), champs: Vec::new() }
    }
    pub fn validation(champs: Vec<ChampErreur>) -> Self {
        Self { code: CodeErreur::Validation, message: "Le formulaire contient des erreurs. Corrigez les champs signalés.".into(), champs }
    }
    /// Le message d'un champ, s'il y en a un.
    pub fn champ(&self, nom: &str) -> Option<&str> {
        self.champs.iter().find(|c| c.champ == nom).map(|c| c.message.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub demo: bool,
}

/// Demande de connexion, telle que le formulaire l'envoie.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

impl LoginRequest {
    /// Validation commune au SPA (en direct) et au serveur.
    pub fn valider(&self) -> Result<Email, Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        let email = Email::parse(&self.email).map_err(|e| erreurs.push(ChampErreur::new("email", e))).ok();
        if self.password.is_empty() {
            erreurs.push(ChampErreur::new("password", "Veuillez saisir votre mot de passe."));
        } else if self.password.chars().count() > 256 {
            erreurs.push(ChampErreur::new("password", "Le mot de passe compte au plus 256 caractères."));
        }
        match email {
            Some(e) if erreurs.is_empty() => Ok(e),
            _ => Err(erreurs),
        }
    }
}

/// L'usager connecté (« qui suis-je »).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utilisateur {
    pub id: i64,
    pub email: String,
    pub prenom: String,
    pub nom: String,
    pub profil: Profil,
    pub type_compte: TypeCompte,
    /// Raison sociale et SIREN pour une personne morale ou un professionnel.
    pub raison_sociale: Option<String>,
    pub siren: Option<String>,
}

impl Utilisateur {
    pub fn nom_affiche(&self) -> String {
        format!("{} {}", self.prenom, self.nom.to_uppercase())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitulaireVue {
    pub nom: String,
    pub prenoms: Option<String>,
    pub raison_sociale: Option<String>,
    /// L'adresse du certificat, normalisée AFNOR (`une_ligne()` pour
    /// l'afficher).
    pub adresse: AdresseNormalisee,
}

impl TitulaireVue {
    /// Raison sociale, ou prénoms et nom.
    pub fn nom_complet(&self) -> String {
        match (&self.raison_sociale, &self.prenoms) {
            (Some(r), _) => r.clone(),
            (None, Some(p)) => format!("{p} {}", self.nom),
            (None, None) => self.nom.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemarcheResume {
    pub id: i64,
    /// Le numéro de démarche montré à l'usager.
    pub numero: String,
    pub teleprocedure: Teleprocedure,
    pub etat: EtatDemarche,
    pub immatriculation: Option<Immatriculation>,
    pub cree_le: String,
    pub modifie_le: String,
    /// Passée par le contrôle du CERT (le panier dit qu'elle a été acceptée).
    #[serde(default)]
    pub controlee_par_le_cert: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehiculeVue {
    pub id: i64,
    pub immatriculation: Immatriculation,
    pub vin: String,
    pub marque: String,
    pub modele: String,
    pub genre: Genre,
    pub energie: Energie,
    pub puissance_cv: u16,
    pub date_premiere_immatriculation: DateFr,
    pub numero_formule: Option<String>,
    pub date_certificat: Option<DateCertificat>,
    pub titulaire: TitulaireVue,
    pub situation: SituationAdministrative,
    /// Changements d'adresse portés sur le certificat actuel (étiquettes).
    #[serde(default)]
    pub changements_adresse: u32,
    pub demarches: Vec<DemarcheResume>,
}

/// Par où part un envoi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Canal {
    Email,
    Courrier,
}

impl Canal {
    /// La valeur de serde (attribut `data-canal` du SPA).
    pub fn code(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Courrier => "courrier",
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Self::Email => "E-mail",
            Self::Courrier => "Courrier",
        }
    }
}

/// Un e-mail ou un courrier émis (page de démonstration de l'agent du CERT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envoi {
    pub id: i64,
    pub canal: Canal,
    /// Adresse e-mail, ou lignes AFNOR séparées par des sauts de ligne.
    pub destinataire: String,
    pub objet: String,
    pub corps: String,
    pub immatriculation: Option<String>,
    /// L'instant d'émission (dans l'API : `jj/mm/aaaa à hh:mm`, heure de Paris).
    pub created_at: String,
}

/// L'espace véhicule : les véhicules de l'usager et ses démarches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EspaceVehicule {
    pub vehicules: Vec<VehiculeVue>,
    /// Démarches qui ne sont liées à aucun de ses véhicules (TPC…).
    pub autres_demarches: Vec<DemarcheResume>,
    /// Les démarches terminées ou refusées par le CERT, les plus récentes
    /// d'abord (leurs documents restent téléchargeables).
    #[serde(default)]
    pub demarches_terminees: Vec<DemarcheResume>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_valide_cote_spa_et_serveur() {
        let ok = LoginRequest { email: " Julien.Paul@demo.immat.fr".into(), password: "x".into() };
        assert_eq!(ok.valider().unwrap().as_str(), "julien.paul@demo.immat.fr");
        let ko = LoginRequest { email: "julien".into(), password: String::new() };
        let e = ko.valider().unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].champ, "email");
        assert_eq!(e[1].champ, "password");
    }

    #[test]
    fn erreur_json_stable() {
        let e = ApiError::validation(vec![ChampErreur::new("email", "x")]);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "validation");
        assert_eq!(json["champs"][0]["champ"], "email");
        assert_eq!(e.champ("email"), Some("x"));
        let sans: ApiError = serde_json::from_str(r#"{"code":"interne","message":"m"}"#).unwrap();
        assert!(sans.champs.is_empty());
    }
}
