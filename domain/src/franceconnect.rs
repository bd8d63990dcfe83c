//! FranceConnect : l'« identité pivot » que le fournisseur d'identité
//! transmet (claims OpenID Connect `given_name`, `family_name`, `birthdate`,
//! `gender`, `birthplace`, `birthcountry`, `email`, `preferred_username`),
//! et l'identité d'un compte ANTS certifié qu'elle donne.
//!
//! Sources : documentation partenaires de FranceConnect (« Les données
//! d'identité pivot ») : `birthplace` est le code COG INSEE de la commune
//! de naissance, vide pour une personne née à l'étranger ; `birthcountry`
//! le code COG du pays (99100 : France) ; `gender` vaut `female` ou `male` ;
//! `preferred_username` est le nom d'usage, s'il diffère du nom de
//! naissance.

use crate::compte::Civilite;
use crate::valeurs::{Email, Nom, Prenoms};
use serde::{Deserialize, Serialize};

/// Le code COG de la France, pays de naissance.
pub const PAYS_FRANCE: &str = "99100";

/// Le niveau de garantie demandé à FranceConnect (eIDAS « faible ») : un
/// jeton d'un niveau inférieur ou inconnu est refusé.
pub const NIVEAU_EIDAS: &str = "eidas1";

/// Les niveaux eIDAS acceptés : celui demandé et les supérieurs.
pub fn niveau_accepte(acr: &str) -> bool {
    matches!(acr, "eidas1" | "eidas2" | "eidas3")
}

/// Les portées demandées (une par donnée de l'identité pivot de
/// FranceConnect v2). `preferred_username` (nom d'usage) n'en fait plus
/// partie en v2 : il n'est pas demandé, mais pris s'il est transmis.
pub const PORTEES: [&str; 8] = ["openid", "given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry", "email"];

/// Les claims reçus, tels quels (absents : chaîne vide).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitePivot {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub preferred_username: String,
    #[serde(default)]
    pub birthdate: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birthplace: String,
    #[serde(default)]
    pub birthcountry: String,
    #[serde(default)]
    pub email: String,
}

/// Où la personne est née.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "lieu")]
pub enum LieuNaissance {
    /// En France : le code COG de la commune.
    France { commune: String },
    /// À l'étranger : le code COG du pays.
    Etranger { pays: String },
}

/// L'identité d'un compte certifié, tirée de l'identité pivot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentiteCertifiee {
    pub email: Email,
    /// Déduite de `gender` ; aucune pour une autre valeur (certains jeux
    /// d'identités de test ont `Indeterminate`).
    pub civilite: Option<Civilite>,
    pub prenoms: Prenoms,
    /// Le nom de naissance.
    pub nom_de_naissance: Nom,
    /// Le nom d'usage, s'il diffère du nom de naissance.
    pub nom_d_usage: Option<Nom>,
    pub date_naissance: time::Date,
    pub naissance: LieuNaissance,
}

impl IdentiteCertifiee {
    /// Le nom sous lequel le compte est affiché : le nom d'usage s'il existe.
    pub fn nom(&self) -> &Nom {
        self.nom_d_usage.as_ref().unwrap_or(&self.nom_de_naissance)
    }
}

/// Une identité pivot inutilisable : la donnée en cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentiteError {
    #[error("FranceConnect n'a pas transmis d'adresse électronique valable.")]
    Email,
    #[error("FranceConnect n'a pas transmis de prénoms valables.")]
    Prenoms,
    #[error("FranceConnect n'a pas transmis de nom valable.")]
    Nom,
    #[error("FranceConnect n'a pas transmis de date de naissance valable.")]
    DateNaissance,
    #[error("FranceConnect n'a pas transmis de lieu de naissance valable.")]
    LieuNaissance,
}

fn code_cog(s: &str) -> bool {
    // Commune : 5 caractères (2A/2B pour la Corse) ; pays : 5 chiffres.
    s.len() == 5 && s.chars().all(|c| c.is_ascii_digit() || c == 'A' || c == 'B')
}

impl IdentitePivot {
    pub fn valider(&self) -> Result<IdentiteCertifiee, IdentiteError> {
        let email = Email::parse(&self.email).map_err(|_| IdentiteError::Email)?;
        let prenoms = Prenoms::parse(&self.given_name).map_err(|_| IdentiteError::Prenoms)?;
        let nom_de_naissance = Nom::parse(&self.family_name).map_err(|_| IdentiteError::Nom)?;
        let nom_d_usage = match self.preferred_username.trim() {
            "" => None,
            u => Some(Nom::parse(u).map_err(|_| IdentiteError::Nom)?),
        }
        .filter(|u| u.as_str().to_uppercase() != nom_de_naissance.as_str().to_uppercase());
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date_naissance = time::Date::parse(self.birthdate.trim(), format).map_err(|_| IdentiteError::DateNaissance)?;
        let civilite = match self.gender.trim() {
            "female" => Some(Civilite::Madame),
            "male" => Some(Civilite::Monsieur),
            _ => None,
        };
        let pays = self.birthcountry.trim();
        let commune = self.birthplace.trim();
        if !pays.starts_with("99") || !code_cog(pays) {
            return Err(IdentiteError::LieuNaissance);
        }
        let naissance = if pays == PAYS_FRANCE {
            if !code_cog(commune) {
                return Err(IdentiteError::LieuNaissance);
            }
            LieuNaissance::France { commune: commune.to_owned() }
        } else {
            LieuNaissance::Etranger { pays: pays.to_owned() }
        };
        Ok(IdentiteCertifiee { email, civilite, prenoms, nom_de_naissance, nom_d_usage, date_naissance, naissance })
    }
}

/// Pourquoi une connexion FranceConnect n'a pas abouti : le code que le
/// serveur place dans l'adresse de retour (`/connexion?franceconnect=…`)
/// et le message que l'usager lit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EchecFranceConnect {
    /// `state` absent, inconnu, expiré ou déjà utilisé.
    Etat,
    /// L'usager a annulé chez le fournisseur d'identité.
    Annule,
    /// Le code, le jeton d'identité ou ses vérifications (signature,
    /// émetteur, audience, expiration, nonce, niveau eIDAS) ont échoué.
    Jeton,
    /// Une donnée de l'identité pivot manque ou est invalide.
    Identite,
    /// L'adresse électronique transmise est celle d'un compte existant,
    /// non certifié : il faut s'y connecter par mot de passe puis le
    /// certifier depuis « Mon compte ».
    CompteExistant,
    /// Cette identité FranceConnect est déjà liée à un autre compte.
    DejaLiee,
    /// Le fournisseur d'identité ne répond pas, ou FranceConnect n'est pas
    /// configuré.
    Indisponible,
    /// Le compte de la société a déjà une demande au CERT (en attente ou
    /// approuvée).
    DemandeEnCours,
}

impl EchecFranceConnect {
    pub const TOUS: [Self; 8] = [
        Self::Etat,
        Self::Annule,
        Self::Jeton,
        Self::Identite,
        Self::CompteExistant,
        Self::DejaLiee,
        Self::Indisponible,
        Self::DemandeEnCours,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Etat => "etat",
            Self::Annule => "annule",
            Self::Jeton => "jeton",
            Self::Identite => "identite",
            Self::CompteExistant => "compte_existant",
            Self::DejaLiee => "deja_liee",
            Self::Indisponible => "indisponible",
            Self::DemandeEnCours => "demande_en_cours",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|e| e.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Etat => {
                "La connexion avec FranceConnect a expiré ou a déjà été utilisée. Recommencez en cliquant sur « S'identifier avec FranceConnect »."
            }
            Self::Annule => "Vous avez annulé la connexion avec FranceConnect. Aucun compte n'a été créé ni modifié.",
            Self::Jeton => {
                "La réponse de FranceConnect n'a pas pu être vérifiée : vous n'êtes pas connecté. Recommencez ; si le problème persiste, \
                 connectez-vous avec votre adresse électronique et votre mot de passe."
            }
            Self::Identite => {
                "FranceConnect n'a pas transmis toutes les données d'identité nécessaires (nom, prénoms, date et lieu de naissance, \
                 adresse électronique) : le compte n'a pas été créé."
            }
            Self::CompteExistant => {
                "Un compte ANTS existe déjà avec l'adresse électronique de votre identité FranceConnect. Connectez-vous avec votre mot \
                 de passe, puis certifiez ce compte depuis « Mon compte » avec « Certifier mon compte avec FranceConnect »."
            }
            Self::DejaLiee => "Cette identité FranceConnect est déjà liée à un autre compte ANTS : connectez-vous à ce compte avec FranceConnect.",
            Self::Indisponible => {
                "FranceConnect est momentanément indisponible. Réessayez plus tard, ou connectez-vous avec votre adresse électronique et \
                 votre mot de passe."
            }
            Self::DemandeEnCours => {
                "Ce compte a déjà une demande auprès du CERT (habilitation ou représentant légal), en attente ou approuvée : \
                 une seule à la fois ; si elle est en attente, attendez la décision du CERT."
            }
        }
    }
}

/// « Certifier mon compte avec FranceConnect » : le mot de passe prouve que
/// l'usager contrôle le compte classique.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationCompte {
    #[serde(default)]
    pub mot_de_passe: String,
}

/// L'adresse où le navigateur part chez le fournisseur d'identité.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirection {
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn angela() -> IdentitePivot {
        IdentitePivot {
            given_name: "Angela Claire Louise".into(),
            family_name: "DUBOIS".into(),
            preferred_username: String::new(),
            birthdate: "1962-08-24".into(),
            gender: "female".into(),
            birthplace: "75107".into(),
            birthcountry: "99100".into(),
            email: "Angela.Dubois@FC-test.example".into(),
        }
    }

    #[test]
    fn identite_nee_en_france() {
        let i = angela().valider().unwrap();
        assert_eq!(i.email.as_str(), "angela.dubois@fc-test.example");
        assert_eq!(i.civilite, Some(Civilite::Madame));
        assert_eq!(i.prenoms.as_str(), "Angela Claire Louise");
        assert_eq!(i.nom().as_str(), "DUBOIS");
        assert_eq!(i.nom_d_usage, None);
        assert_eq!(i.date_naissance, time::macros::date!(1962 - 08 - 24));
        assert_eq!(i.naissance, LieuNaissance::France { commune: "75107".into() });
    }

    #[test]
    fn noms_composes_accents_et_nom_d_usage() {
        let i = IdentitePivot {
            given_name: "Jean-Philippe Éloi".into(),
            family_name: "DE LA TOUR D'AUVERGNE".into(),
            preferred_username: "MARTIN".into(),
            gender: "male".into(),
            birthdate: "1976-02-29".into(),
            birthplace: "69123".into(),
            ..angela()
        }
        .valider()
        .unwrap();
        assert_eq!(i.prenoms.as_str(), "Jean-Philippe Éloi");
        assert_eq!(i.nom_de_naissance.as_str(), "DE LA TOUR D'AUVERGNE");
        assert_eq!(i.nom().as_str(), "MARTIN");
        assert_eq!(i.civilite, Some(Civilite::Monsieur));
        // Un nom d'usage égal au nom de naissance n'en est pas un.
        let meme = IdentitePivot { preferred_username: "dubois".into(), ..angela() }.valider().unwrap();
        assert_eq!(meme.nom_d_usage, None);
    }

    #[test]
    fn nee_a_l_etranger_lieu_vide() {
        let i = IdentitePivot {
            given_name: "Lucía".into(),
            family_name: "GARCÍA PÉREZ".into(),
            birthplace: String::new(),
            birthcountry: "99134".into(),
            ..angela()
        }
        .valider()
        .unwrap();
        assert_eq!(i.naissance, LieuNaissance::Etranger { pays: "99134".into() });
        assert_eq!(i.nom().as_str(), "GARCÍA PÉREZ");
        // Née en France sans commune : refusé.
        let sans_commune = IdentitePivot { birthplace: String::new(), ..angela() };
        assert_eq!(sans_commune.valider(), Err(IdentiteError::LieuNaissance));
        // Corse : 2A004 (Ajaccio).
        assert!(IdentitePivot { birthplace: "2A004".into(), ..angela() }.valider().is_ok());
    }

    #[test]
    fn donnees_invalides_refusees_une_a_une() {
        assert_eq!(IdentitePivot { email: String::new(), ..angela() }.valider(), Err(IdentiteError::Email));
        assert_eq!(IdentitePivot { given_name: "  ".into(), ..angela() }.valider(), Err(IdentiteError::Prenoms));
        assert_eq!(IdentitePivot { family_name: "D<script>".into(), ..angela() }.valider(), Err(IdentiteError::Nom));
        assert_eq!(IdentitePivot { birthdate: "1975-02-29".into(), ..angela() }.valider(), Err(IdentiteError::DateNaissance));
        assert_eq!(IdentitePivot { birthdate: "24/08/1962".into(), ..angela() }.valider(), Err(IdentiteError::DateNaissance));
        // Un sexe non reconnu ne bloque pas : pas de civilité.
        assert_eq!(IdentitePivot { gender: "Indeterminate".into(), ..angela() }.valider().unwrap().civilite, None);
        assert_eq!(IdentitePivot { birthcountry: "FR".into(), ..angela() }.valider(), Err(IdentiteError::LieuNaissance));
        assert_eq!(IdentitePivot { birthcountry: "75107".into(), ..angela() }.valider(), Err(IdentiteError::LieuNaissance));
    }

    #[test]
    fn niveaux_eidas() {
        assert!(niveau_accepte("eidas1"));
        assert!(niveau_accepte("eidas3"));
        assert!(!niveau_accepte("eidas0"));
        assert!(!niveau_accepte(""));
    }

    #[test]
    fn codes_d_echec_aller_retour() {
        assert_eq!(EchecFranceConnect::depuis_code("etat"), Some(EchecFranceConnect::Etat));
        assert_eq!(EchecFranceConnect::depuis_code("compte_existant"), Some(EchecFranceConnect::CompteExistant));
        assert_eq!(EchecFranceConnect::depuis_code("inconnu"), None);
        assert!(EchecFranceConnect::Annule.message().contains("annulé"));
    }
}
