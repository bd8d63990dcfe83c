//! Les comptes ANTS (support, « Pré requis »).

use serde::{Deserialize, Serialize};

/// Qui détient le compte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profil {
    /// Un particulier.
    PersonnePhysique,
    /// Une société ou une association (mandataire, représentant légal).
    PersonneMorale,
    /// Un professionnel de l'automobile habilité (garage, concession).
    ProfessionnelHabilite,
    /// Un agent du CERT (instruction des démarches).
    AgentCert,
}

impl Profil {
    pub fn libelle(self) -> &'static str {
        match self {
            Self::PersonnePhysique => "Personne physique",
            Self::PersonneMorale => "Personne morale (mandataire, représentant légal)",
            Self::ProfessionnelHabilite => "Professionnel de l'automobile habilité",
            Self::AgentCert => "Agent du CERT",
        }
    }
}

/// Compte ANTS « classique » (une adresse e-mail) ou « certifié »
/// (FranceConnect, ou professionnel de l'automobile habilité).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeCompte {
    Classique,
    Certifie,
}

impl TypeCompte {
    /// Le support : un compte est certifié s'il a été créé via FranceConnect
    /// ou s'il appartient à un professionnel de l'automobile habilité.
    pub fn de(profil: Profil, certifie_franceconnect: bool) -> Self {
        if certifie_franceconnect || profil == Profil::ProfessionnelHabilite {
            Self::Certifie
        } else {
            Self::Classique
        }
    }
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Classique => "Compte ANTS",
            Self::Certifie => "Compte ANTS certifié",
        }
    }
}

/// « L'initiateur de la demande » : pour soi-même ou pour quelqu'un d'autre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PourQui {
    MoiMeme,
    Autrui,
}

impl PourQui {
    pub const TOUS: [Self; 2] = [Self::MoiMeme, Self::Autrui];

    /// La valeur du bouton radio (celle de serde).
    pub fn code(self) -> &'static str {
        match self {
            Self::MoiMeme => "moi_meme",
            Self::Autrui => "autrui",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|p| p.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Self::MoiMeme => "Pour moi-même",
            Self::Autrui => "Pour quelqu'un d'autre",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compte_certifie_par_franceconnect_ou_professionnel_habilite() {
        assert_eq!(TypeCompte::de(Profil::PersonnePhysique, false), TypeCompte::Classique);
        assert_eq!(TypeCompte::de(Profil::PersonnePhysique, true), TypeCompte::Certifie);
        assert_eq!(TypeCompte::de(Profil::PersonneMorale, false), TypeCompte::Classique);
        assert_eq!(TypeCompte::de(Profil::ProfessionnelHabilite, false), TypeCompte::Certifie);
    }
}
