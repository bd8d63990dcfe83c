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

/// Comment un compte classique devient certifié : FranceConnect identifie
/// une personne (le compte d'un particulier) ; le compte d'une société le
/// devient par l'habilitation de professionnel de l'automobile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoieDeCertification {
    FranceConnect,
    Habilitation,
}

impl Profil {
    /// `None` : un professionnel habilité l'est déjà, un agent n'en a pas.
    pub fn voie_de_certification(self) -> Option<VoieDeCertification> {
        match self {
            Self::PersonnePhysique => Some(VoieDeCertification::FranceConnect),
            Self::PersonneMorale => Some(VoieDeCertification::Habilitation),
            Self::ProfessionnelHabilite | Self::AgentCert => None,
        }
    }
}

/// Qui FranceConnect identifie quand un compte se certifie par lui.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificationFranceConnect {
    /// Le particulier titulaire du compte : le compte devient certifié.
    Titulaire,
    /// Le représentant légal d'une société : la demande attend le CERT, qui
    /// vérifie qu'il la représente (le compte reste celui de la société).
    RepresentantLegal,
}

impl Profil {
    /// La certification par FranceConnect ouverte à ce profil ; une société
    /// doit avoir déclaré son SIREN (le CERT le vérifie avec son
    /// représentant). `None` : un professionnel habilité l'est déjà, un agent
    /// n'en a pas.
    pub fn certification_franceconnect(self, a_un_siren: bool) -> Option<CertificationFranceConnect> {
        match self {
            Self::PersonnePhysique => Some(CertificationFranceConnect::Titulaire),
            Self::PersonneMorale if a_un_siren => Some(CertificationFranceConnect::RepresentantLegal),
            _ => None,
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PourQui {
    #[default]
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

// --- Création d'un compte ANTS (compte classique, par e-mail) --------------

use crate::{api::ChampErreur, Email, Nom, Prenoms, Siren};

/// La règle du mot de passe, montrée avant la saisie.
pub const REGLE_MOT_DE_PASSE: &str = "12 caractères au moins, dont au moins une lettre et au moins un chiffre ou un caractère spécial.";
pub const MOT_DE_PASSE_MIN: usize = 12;
pub const MOT_DE_PASSE_MAX: usize = 128;

/// Le mot de passe respecte-t-il la règle ? (Message au champ sinon.)
pub fn valider_mot_de_passe(mdp: &str, email: &str) -> Result<(), String> {
    let n = mdp.chars().count();
    if n < MOT_DE_PASSE_MIN {
        return Err(format!("Le mot de passe doit contenir au moins {MOT_DE_PASSE_MIN} caractères ({n} saisis)."));
    }
    if n > MOT_DE_PASSE_MAX {
        return Err(format!("Le mot de passe ne doit pas dépasser {MOT_DE_PASSE_MAX} caractères."));
    }
    if !mdp.chars().any(char::is_alphabetic) || mdp.chars().all(char::is_alphabetic) {
        return Err("Le mot de passe doit contenir au moins une lettre et au moins un chiffre ou un caractère spécial.".into());
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.chars().count() >= 4 && mdp.to_lowercase().contains(&local) {
        return Err("Le mot de passe ne doit pas contenir votre adresse électronique.".into());
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Civilite {
    Madame,
    Monsieur,
}

impl Civilite {
    pub const TOUTES: [Self; 2] = [Self::Madame, Self::Monsieur];
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Madame => "Madame",
            Self::Monsieur => "Monsieur",
        }
    }
}

/// Personne physique, ou personne morale (société, association) représentée.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Personne {
    Physique,
    Morale,
}

impl Personne {
    pub const TOUTES: [Self; 2] = [Self::Physique, Self::Morale];
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Physique => "Un particulier (personne physique)",
            Self::Morale => "Une société ou une association (personne morale)",
        }
    }
}

/// « Créer un compte » : ce que l'usager saisit. Le nom et les prénoms sont
/// ceux de la personne (pour une personne morale, son représentant).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InscriptionSaisie {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub mot_de_passe: String,
    #[serde(default)]
    pub civilite: Option<Civilite>,
    #[serde(default)]
    pub nom: String,
    #[serde(default)]
    pub prenoms: String,
    #[serde(default)]
    pub personne: Option<Personne>,
    #[serde(default)]
    pub siren: String,
    #[serde(default)]
    pub raison_sociale: String,
}

/// Un compte à créer, validé.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inscription {
    pub email: Email,
    pub civilite: Civilite,
    pub nom: Nom,
    pub prenoms: Prenoms,
    pub profil: Profil,
    /// (raison sociale, SIREN) d'une personne morale.
    pub entreprise: Option<(String, Siren)>,
}

impl InscriptionSaisie {
    /// Toutes les erreurs, chacune à son champ (le mot de passe n'est jamais
    /// renvoyé).
    pub fn valider(&self) -> Result<Inscription, Vec<ChampErreur>> {
        let mut e = Vec::new();
        let email = Email::parse(&self.email).map_err(|x| e.push(ChampErreur::new("email", x))).ok();
        if let Err(m) = valider_mot_de_passe(&self.mot_de_passe, &self.email) {
            e.push(ChampErreur::new("mot_de_passe", m));
        }
        if self.civilite.is_none() {
            e.push(ChampErreur::new("civilite", "Choisissez votre civilité."));
        }
        let nom = Nom::parse(&self.nom).map_err(|x| e.push(ChampErreur::new("nom", x))).ok();
        let prenoms = Prenoms::parse(&self.prenoms).map_err(|x| e.push(ChampErreur::new("prenoms", x))).ok();
        let entreprise = match self.personne {
            None => {
                e.push(ChampErreur::new("personne", "Indiquez si le compte est celui d'un particulier ou d'une personne morale."));
                None
            }
            Some(Personne::Physique) => None,
            Some(Personne::Morale) => {
                let siren = Siren::parse(&self.siren).map_err(|x| e.push(ChampErreur::new("siren", x))).ok();
                let rs = self.raison_sociale.trim();
                if rs.is_empty() {
                    e.push(ChampErreur::new("raison_sociale", "Saisissez la raison sociale."));
                } else if rs.chars().count() > 120 {
                    e.push(ChampErreur::new("raison_sociale", "La raison sociale ne doit pas dépasser 120 caractères."));
                }
                siren.map(|s| (rs.to_uppercase(), s))
            }
        };
        match (email, self.civilite, nom, prenoms, self.personne) {
            (Some(email), Some(civilite), Some(nom), Some(prenoms), Some(personne)) if e.is_empty() => Ok(Inscription {
                email,
                civilite,
                nom,
                prenoms,
                profil: match personne {
                    Personne::Physique => Profil::PersonnePhysique,
                    Personne::Morale => Profil::PersonneMorale,
                },
                entreprise,
            }),
            _ => Err(e),
        }
    }
}

/// « Mot de passe oublié » : l'adresse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeReinitialisation {
    #[serde(default)]
    pub email: String,
}

/// Le nouveau mot de passe, avec le jeton du lien reçu.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NouveauMotDePasse {
    #[serde(default)]
    pub jeton: String,
    #[serde(default)]
    pub mot_de_passe: String,
}

/// Le jeton d'un lien (confirmation, réinitialisation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jeton {
    #[serde(default)]
    pub jeton: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regle_du_mot_de_passe() {
        assert!(valider_mot_de_passe("court1", "a@b.fr").unwrap_err().contains("au moins 12"));
        assert!(valider_mot_de_passe("seulementdeslettres", "a@b.fr").is_err());
        assert!(valider_mot_de_passe("123456789012", "a@b.fr").is_err());
        assert!(valider_mot_de_passe("Demo-Immat-2026", "a@b.fr").is_ok());
        assert!(valider_mot_de_passe("cheval agrafe batterie 7", "a@b.fr").is_ok());
        assert!(valider_mot_de_passe("lea.martin-2026!", "lea.martin@exemple.fr").unwrap_err().contains("adresse"));
        assert!(valider_mot_de_passe(&"a1".repeat(65), "a@b.fr").is_err());
        // Les caractères comptent, pas les octets.
        assert!(valider_mot_de_passe("éééééééééé1!", "a@b.fr").is_ok());
    }

    fn saisie() -> InscriptionSaisie {
        InscriptionSaisie {
            email: "lea.martin@exemple.fr".into(),
            mot_de_passe: "cheval agrafe batterie 7".into(),
            civilite: Some(Civilite::Madame),
            nom: "Martin".into(),
            prenoms: "Léa Marie".into(),
            personne: Some(Personne::Physique),
            ..Default::default()
        }
    }

    #[test]
    fn inscription_personne_physique_et_morale() {
        let i = saisie().valider().unwrap();
        assert_eq!(i.profil, Profil::PersonnePhysique);
        assert!(i.entreprise.is_none());
        let morale = InscriptionSaisie {
            personne: Some(Personne::Morale),
            siren: "732 829 320".into(),
            raison_sociale: "Transports Martin".into(),
            ..saisie()
        };
        let i = morale.valider().unwrap();
        assert_eq!(i.profil, Profil::PersonneMorale);
        assert_eq!(i.entreprise.map(|(r, s)| (r, s.as_str().to_owned())), Some(("TRANSPORTS MARTIN".into(), "732829320".into())));
        // Une clé de Luhn fausse.
        let faux = InscriptionSaisie { siren: "732 829 321".into(), ..morale };
        assert_eq!(faux.valider().unwrap_err()[0].champ, "siren");
    }

    #[test]
    fn inscription_chaque_erreur_a_son_champ() {
        let champs: Vec<String> = InscriptionSaisie::default().valider().unwrap_err().into_iter().map(|c| c.champ).collect();
        assert_eq!(champs, ["email", "mot_de_passe", "civilite", "nom", "prenoms", "personne"]);
        let morale = InscriptionSaisie { personne: Some(Personne::Morale), ..saisie() };
        let champs: Vec<String> = morale.valider().unwrap_err().into_iter().map(|c| c.champ).collect();
        assert_eq!(champs, ["siren", "raison_sociale"]);
    }

    #[test]
    fn voie_de_certification_par_profil() {
        assert_eq!(Profil::PersonnePhysique.voie_de_certification(), Some(VoieDeCertification::FranceConnect));
        assert_eq!(Profil::PersonneMorale.voie_de_certification(), Some(VoieDeCertification::Habilitation));
        assert_eq!(Profil::ProfessionnelHabilite.voie_de_certification(), None);
        assert_eq!(Profil::AgentCert.voie_de_certification(), None);
        use CertificationFranceConnect::*;
        assert_eq!(Profil::PersonnePhysique.certification_franceconnect(false), Some(Titulaire));
        assert_eq!(Profil::PersonneMorale.certification_franceconnect(true), Some(RepresentantLegal));
        assert_eq!(Profil::PersonneMorale.certification_franceconnect(false), None);
        assert_eq!(Profil::ProfessionnelHabilite.certification_franceconnect(true), None);
        assert_eq!(Profil::AgentCert.certification_franceconnect(false), None);
    }

    #[test]
    fn compte_certifie_par_franceconnect_ou_professionnel_habilite() {
        assert_eq!(TypeCompte::de(Profil::PersonnePhysique, false), TypeCompte::Classique);
        assert_eq!(TypeCompte::de(Profil::PersonnePhysique, true), TypeCompte::Certifie);
        assert_eq!(TypeCompte::de(Profil::PersonneMorale, false), TypeCompte::Classique);
        assert_eq!(TypeCompte::de(Profil::ProfessionnelHabilite, false), TypeCompte::Certifie);
    }
}

/// « Mon compte » : l'identité du compte et ses sessions ouvertes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonCompte {
    pub utilisateur: crate::api::Utilisateur,
    pub sessions: Vec<SessionVue>,
    /// La dernière demande d'habilitation de professionnel, s'il y en a une.
    #[serde(default)]
    pub habilitation: Option<crate::habilitation::HabilitationVue>,
}

/// Une session ouverte (heure de Paris, lisible). `courante` : celle du
/// navigateur qui demande.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionVue {
    pub ouverte_le: String,
    pub expire_le: String,
    pub courante: bool,
}

/// « Supprimer mon compte » : le mot de passe le confirme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionCompte {
    #[serde(default)]
    pub mot_de_passe: String,
}

/// Pourquoi un compte ne se supprime pas encore.
pub const SUPPRESSION_DEMARCHE_EN_COURS: &str = "Votre compte a des démarches en cours : terminez-les ou abandonnez-les \
     (« Abandonner la demande ») avant de supprimer votre compte. Une demande en attente du CERT ou à payer doit d'abord aboutir.";

/// « Changer d'adresse électronique » : la nouvelle adresse, confirmée par
/// un lien qui y est envoyé ; le mot de passe prouve que le compte est à
/// l'usager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangementAdresseElectronique {
    #[serde(default)]
    pub nouvelle_adresse: String,
    #[serde(default)]
    pub mot_de_passe: String,
}

impl ChangementAdresseElectronique {
    /// La nouvelle adresse, différente de l'actuelle ; chaque erreur à son
    /// champ.
    pub fn valider(&self, actuelle: &str) -> Result<Email, Vec<ChampErreur>> {
        let mut e = Vec::new();
        let email = match Email::parse(&self.nouvelle_adresse) {
            Ok(m) if m.as_str() == actuelle.trim().to_lowercase() => {
                e.push(ChampErreur::new("nouvelle_adresse", "La nouvelle adresse est celle de votre compte."));
                None
            }
            Ok(m) => Some(m),
            Err(x) => {
                e.push(ChampErreur::new("nouvelle_adresse", x));
                None
            }
        };
        if self.mot_de_passe.is_empty() {
            e.push(ChampErreur::new("mot_de_passe", "Saisissez votre mot de passe pour confirmer."));
        }
        match email {
            Some(m) if e.is_empty() => Ok(m),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests_changement_adresse {
    use super::*;

    #[test]
    fn nouvelle_adresse_valide_differente_et_mot_de_passe() {
        let c = ChangementAdresseElectronique { nouvelle_adresse: " Lea.Nouvelle@Exemple.fr ".into(), mot_de_passe: "x".into() };
        assert_eq!(c.valider("lea@exemple.fr").unwrap().as_str(), "lea.nouvelle@exemple.fr");
        let meme = ChangementAdresseElectronique { nouvelle_adresse: "LEA@exemple.fr".into(), mot_de_passe: "x".into() };
        assert_eq!(meme.valider("lea@exemple.fr").unwrap_err()[0].champ, "nouvelle_adresse");
        let champs: Vec<String> =
            ChangementAdresseElectronique::default().valider("lea@exemple.fr").unwrap_err().into_iter().map(|c| c.champ).collect();
        assert_eq!(champs, ["nouvelle_adresse", "mot_de_passe"]);
    }
}
