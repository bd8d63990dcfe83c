//! L'habilitation d'un professionnel de l'automobile : le compte d'une
//! société (personne morale) déclare son SIRET et le numéro d'habilitation
//! délivré par la préfecture ; la demande attend la vérification d'un agent
//! du CERT, qui l'approuve (le compte devient celui d'un professionnel
//! habilité, donc certifié) ou la refuse avec un motif.
//!
//! Le format du numéro d'habilitation n'est pas publié (UNCONFIRMED dans
//! `siv-domain-facts.md`) : 4 à 20 lettres ou chiffres, tirets et espaces
//! admis, rangés en majuscules sans espace.

use crate::api::ChampErreur;
use crate::valeurs::Siret;
use serde::{Deserialize, Serialize};

pub const NUMERO_MIN: usize = 4;
pub const NUMERO_MAX: usize = 20;
/// Tirets compris.
pub const NUMERO_LONGUEUR_MAX: usize = 30;
/// Un motif de refus.
pub const MOTIF_MAX: usize = 1000;

/// Où en est une demande d'habilitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtatHabilitation {
    EnAttente,
    Approuvee,
    Refusee,
}

impl EtatHabilitation {
    pub fn code(self) -> &'static str {
        match self {
            Self::EnAttente => "en_attente",
            Self::Approuvee => "approuvee",
            Self::Refusee => "refusee",
        }
    }
    pub fn depuis_code(code: &str) -> Option<Self> {
        [Self::EnAttente, Self::Approuvee, Self::Refusee].into_iter().find(|e| e.code() == code)
    }
    pub fn libelle(self) -> &'static str {
        match self {
            Self::EnAttente => "En attente de vérification par le CERT",
            Self::Approuvee => "Approuvée",
            Self::Refusee => "Refusée",
        }
    }
    /// Le cycle de vie : seule une demande en attente se décide ; une
    /// demande refusée peut être refaite.
    pub fn peut_decider(self) -> bool {
        self == Self::EnAttente
    }
    pub fn peut_redeclarer(self) -> bool {
        self == Self::Refusee
    }
}

/// Ce qui est demandé au CERT pour le compte d'une société (personne
/// morale) : l'habilitation d'un professionnel de l'automobile, ou la
/// certification du compte par son représentant légal (le support : « personne
/// morale — mandataire, représentant légal »). Le représentant prouve son
/// identité par FranceConnect ; le CERT vérifie qu'il représente bien la
/// société (extrait Kbis) et l'approuve : le compte devient certifié, et les
/// véhicules inscrits au SIREN de la société le rejoignent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatureHabilitation {
    #[default]
    Professionnel,
    RepresentantLegal,
}

impl NatureHabilitation {
    pub fn code(self) -> &'static str {
        match self {
            Self::Professionnel => "professionnel",
            Self::RepresentantLegal => "representant_legal",
        }
    }
    pub fn depuis_code(code: &str) -> Option<Self> {
        [Self::Professionnel, Self::RepresentantLegal].into_iter().find(|n| n.code() == code)
    }
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Professionnel => "Habilitation de professionnel de l'automobile",
            Self::RepresentantLegal => "Certification par le représentant légal",
        }
    }
}

/// Ce que le professionnel saisit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationHabilitation {
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub numero: String,
}

/// Une déclaration validée.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Habilitation {
    pub siret: Siret,
    pub numero: String,
}

impl DeclarationHabilitation {
    /// `siren_du_compte` : le SIRET doit être celui d'un établissement de la
    /// société du compte (un compte sans SIREN n'en déclare pas).
    pub fn valider(&self, siren_du_compte: Option<&str>) -> Result<Habilitation, Vec<ChampErreur>> {
        let mut e = Vec::new();
        let siret = match Siret::parse(&self.siret) {
            Ok(s) if siren_du_compte != Some(s.siren()) => {
                e.push(ChampErreur::new(
                    "siret",
                    "Ce SIRET n'est pas celui d'un établissement de la société du compte (ses 9 premiers chiffres sont le SIREN).",
                ));
                None
            }
            Ok(s) => Some(s),
            Err(x) => {
                e.push(ChampErreur::new("siret", x));
                None
            }
        };
        let numero: String = self.numero.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if numero.chars().count() > NUMERO_LONGUEUR_MAX {
            e.push(ChampErreur::new("numero", format!("Le numéro d'habilitation compte au plus {NUMERO_LONGUEUR_MAX} caractères.")));
        } else if numero.is_empty() {
            e.push(ChampErreur::new("numero", "Saisissez le numéro d'habilitation délivré par la préfecture."));
        } else if !numero.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            || !(NUMERO_MIN..=NUMERO_MAX).contains(&numero.chars().filter(char::is_ascii_alphanumeric).count())
        {
            e.push(ChampErreur::new(
                "numero",
                format!("Le numéro d'habilitation compte de {NUMERO_MIN} à {NUMERO_MAX} lettres ou chiffres (tirets admis)."),
            ));
        }
        match siret {
            Some(siret) if e.is_empty() => Ok(Habilitation { siret, numero }),
            _ => Err(e),
        }
    }
}

/// Une demande, vue par son auteur (« Mon compte ») ou par le CERT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HabilitationVue {
    pub id: i64,
    pub raison_sociale: String,
    pub siret: String,
    pub numero: String,
    pub etat: EtatHabilitation,
    pub demandee_le: String,
    pub motif_refus: Option<String>,
    /// L'adresse du compte (pour le CERT).
    pub email: String,
    #[serde(default)]
    pub nature: NatureHabilitation,
    /// Le représentant légal confirmé par FranceConnect (prénoms, nom de
    /// naissance, date de naissance).
    #[serde(default)]
    pub representant: Option<String>,
}

/// Le refus d'un agent : un motif, que le professionnel lit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusHabilitation {
    #[serde(default)]
    pub motif: String,
}

impl RefusHabilitation {
    pub fn valider(&self) -> Result<String, Vec<ChampErreur>> {
        let m = self.motif.trim();
        if m.is_empty() {
            Err(vec![ChampErreur::new("motif", "Indiquez le motif du refus : le professionnel le lira.")])
        } else if m.chars().count() > MOTIF_MAX {
            Err(vec![ChampErreur::new("motif", format!("Le motif compte au plus {MOTIF_MAX} caractères."))])
        } else {
            Ok(m.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(siret: &str, numero: &str) -> DeclarationHabilitation {
        DeclarationHabilitation { siret: siret.into(), numero: numero.into() }
    }

    #[test]
    fn siret_de_la_societe_et_numero_normalise() {
        let h = decl("732 829 320 00074", " hab-75 2026-0042 ").valider(Some("732829320")).unwrap();
        assert_eq!(h.siret.as_str(), "73282932000074");
        assert_eq!(h.numero, "HAB-752026-0042");
    }

    #[test]
    fn erreurs_a_leur_champ() {
        // Clé de Luhn fausse.
        assert_eq!(decl("73282932000075", "HAB-0042").valider(Some("732829320")).unwrap_err()[0].champ, "siret");
        // Un SIRET valable, mais d'une autre société.
        let autre = decl("35600000000048", "HAB-0042").valider(Some("732829320")).unwrap_err();
        assert_eq!(autre[0].champ, "siret");
        assert!(autre[0].message.contains("SIREN"));
        let champs: Vec<String> = decl("", "").valider(Some("732829320")).unwrap_err().into_iter().map(|c| c.champ).collect();
        assert_eq!(champs, ["siret", "numero"]);
        const SIREN: Option<&str> = Some("732829320");
        assert_eq!(decl("73282932000074", "AB1").valider(SIREN).unwrap_err()[0].champ, "numero");
        assert_eq!(decl("73282932000074", "HAB_0042").valider(SIREN).unwrap_err()[0].champ, "numero");
        assert_eq!(decl("73282932000074", &"9".repeat(21)).valider(SIREN).unwrap_err()[0].champ, "numero");
        // Des tirets sans fin : refusé par la longueur totale.
        assert_eq!(decl("73282932000074", &format!("HAB{}0042", "-".repeat(40))).valider(SIREN).unwrap_err()[0].champ, "numero");
        // Un compte sans SIREN ne déclare aucun SIRET.
        assert_eq!(decl("73282932000074", "HAB-0042").valider(None).unwrap_err()[0].champ, "siret");
    }

    #[test]
    fn cycle_de_vie() {
        assert!(EtatHabilitation::EnAttente.peut_decider());
        assert!(!EtatHabilitation::Approuvee.peut_decider());
        assert!(!EtatHabilitation::Refusee.peut_decider());
        assert!(EtatHabilitation::Refusee.peut_redeclarer());
        assert!(!EtatHabilitation::EnAttente.peut_redeclarer());
        assert!(!EtatHabilitation::Approuvee.peut_redeclarer());
        assert_eq!(EtatHabilitation::depuis_code("en_attente"), Some(EtatHabilitation::EnAttente));
        assert_eq!(EtatHabilitation::depuis_code("autre"), None);
    }

    #[test]
    fn refus_avec_motif() {
        assert_eq!(RefusHabilitation { motif: "  ".into() }.valider().unwrap_err()[0].champ, "motif");
        assert_eq!(
            RefusHabilitation { motif: " Numéro inconnu de la préfecture ".into() }.valider().unwrap(),
            "Numéro inconnu de la préfecture"
        );
        assert!(RefusHabilitation { motif: "x".repeat(1001) }.valider().is_err());
    }
}
