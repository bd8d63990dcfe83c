//! Les limites de tentatives : combien d'essais, sur quelle fenêtre, et
//! combien de temps dure le blocage qui suit. Le serveur réserve chaque
//! tentative avant de la vérifier (une écriture atomique en base) ; ce module
//! ne dit que la règle et ses messages.
//!
//! Choix du projet (le support dit seulement qu'un code erroné répété bloque
//! les démarches) : 5 codes confidentiels erronés bloquent 15 minutes ; les
//! autres valeurs sont des choix de sécurité, modifiables ici.

use serde::{Deserialize, Serialize};

/// Une limite : au plus `max` tentatives par fenêtre de `fenetre_secondes` ;
/// au-delà, blocage de `blocage_secondes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limite {
    pub max: u32,
    pub fenetre_secondes: i64,
    pub blocage_secondes: i64,
}

const MINUTE: i64 = 60;
const HEURE: i64 = 60 * MINUTE;
const JOUR: i64 = 24 * HEURE;

impl Limite {
    /// Codes confidentiels erronés d'un compte sur un véhicule : au 5e, les
    /// démarches de ce véhicule sont bloquées 15 minutes pour ce compte.
    pub const CODE_CONFIDENTIEL_VEHICULE_COMPTE: Self = Self { max: 5, fenetre_secondes: JOUR, blocage_secondes: 15 * MINUTE };
    /// Codes confidentiels erronés d'un compte, tous véhicules confondus :
    /// qui essaie des codes au hasard est bloqué 24 heures.
    pub const CODE_CONFIDENTIEL_COMPTE: Self = Self { max: 10, fenetre_secondes: JOUR, blocage_secondes: JOUR };
    // Pas de compteur « véhicule, tous comptes » : il laisserait des comptes
    // étrangers fermer le véhicule aux mandataires légitimes. Deviner un code
    // de 8 caractères (32⁸ ≈ 10¹²) à 10 essais par compte et par jour reste
    // hors de portée.
    /// Demandes « Je n'ai pas de code confidentiel » d'un compte.
    pub const DEMANDE_CODE_COMPTE: Self = Self { max: 3, fenetre_secondes: JOUR, blocage_secondes: JOUR };
    /// Demandes « Je n'ai pas de code confidentiel » pour un véhicule, par des
    /// comptes autres que celui du titulaire (le titulaire a son propre
    /// compteur, que les tiers n'épuisent pas).
    pub const DEMANDE_CODE_VEHICULE_TIERS: Self = Self { max: 3, fenetre_secondes: JOUR, blocage_secondes: JOUR };
    /// Mots de passe erronés pour une adresse électronique (qu'un compte
    /// existe ou non : la réponse est la même).
    /// Preuves de cession erronées (code de cession, numéro de formule, date
    /// du certificat) d'un compte pour un véhicule.
    pub const PREUVE_CESSION_VEHICULE_COMPTE: Self = Self { max: 5, fenetre_secondes: JOUR, blocage_secondes: 15 * MINUTE };
    /// Preuves de cession erronées pour un véhicule, tous comptes confondus :
    /// la date d'un certificat FNI se devine ; au-delà, le véhicule est
    /// fermé aux nouveaux acquéreurs pour la journée (le code de cession,
    /// lui, se présente sur le même compteur, mais 32¹² ne se devine pas).
    pub const PREUVE_CESSION_VEHICULE: Self = Self { max: 10, fenetre_secondes: JOUR, blocage_secondes: JOUR };
    /// Preuves de cession erronées d'un compte, tous véhicules confondus.
    pub const PREUVE_CESSION_COMPTE: Self = Self { max: 10, fenetre_secondes: JOUR, blocage_secondes: JOUR };
    pub const CONNEXION_COMPTE: Self = Self { max: 5, fenetre_secondes: 15 * MINUTE, blocage_secondes: 15 * MINUTE };
    /// Connexions échouées depuis un même client (adresse IP).
    pub const CONNEXION_CLIENT: Self = Self { max: 20, fenetre_secondes: 15 * MINUTE, blocage_secondes: 15 * MINUTE };

    /// Liens envoyés par e-mail (création de compte, mot de passe oublié)
    /// pour une même adresse : personne n'inonde une boîte aux lettres.
    pub const ENVOI_LIEN_ADRESSE: Self = Self { max: 3, fenetre_secondes: HEURE, blocage_secondes: HEURE };
    /// Liens envoyés depuis un même client (adresse IP), toutes adresses.
    pub const ENVOI_LIEN_CLIENT: Self = Self { max: 10, fenetre_secondes: HEURE, blocage_secondes: HEURE };

    /// Départs vers FranceConnect depuis un même client (chacun écrit une
    /// tentative en base).
    pub const FRANCECONNECT_CLIENT: Self = Self { max: 30, fenetre_secondes: 15 * MINUTE, blocage_secondes: 15 * MINUTE };

    pub const TOUTES: [Self; 12] = [
        Self::FRANCECONNECT_CLIENT,
        Self::ENVOI_LIEN_ADRESSE,
        Self::ENVOI_LIEN_CLIENT,
        Self::PREUVE_CESSION_VEHICULE_COMPTE,
        Self::PREUVE_CESSION_VEHICULE,
        Self::PREUVE_CESSION_COMPTE,
        Self::CODE_CONFIDENTIEL_VEHICULE_COMPTE,
        Self::CODE_CONFIDENTIEL_COMPTE,
        Self::DEMANDE_CODE_COMPTE,
        Self::DEMANDE_CODE_VEHICULE_TIERS,
        Self::CONNEXION_COMPTE,
        Self::CONNEXION_CLIENT,
    ];

    /// La plus longue fenêtre : une clé plus ancienne, sans blocage en
    /// cours, ne compte plus et peut être effacée.
    pub fn plus_longue_fenetre_secondes() -> i64 {
        Self::TOUTES.iter().map(|l| l.fenetre_secondes.max(l.blocage_secondes)).max().unwrap_or(JOUR)
    }

    /// Ce qu'entraîne l'échec de la `n`-ième tentative réservée.
    pub fn apres_echec(self, n: u32) -> ApresEchec {
        if n >= self.max {
            ApresEchec::Bloque { secondes: self.blocage_secondes }
        } else {
            ApresEchec::EssaisRestants(self.max - n)
        }
    }
}

/// Après un échec : les essais qui restent, ou le blocage qui commence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApresEchec {
    EssaisRestants(u32),
    Bloque { secondes: i64 },
}

/// Minutes entières restantes (arrondies au-dessus) d'un blocage.
pub fn minutes_restantes(secondes: i64) -> i64 {
    (secondes.max(1) + 59) / 60
}

fn duree(secondes: i64) -> String {
    let minutes = minutes_restantes(secondes);
    if minutes >= 120 {
        let heures = (minutes + 59) / 60;
        format!("{heures} heures")
    } else if minutes > 1 {
        format!("{minutes} minutes")
    } else {
        "1 minute".into()
    }
}

/// Le message d'un blocage de la connexion.
pub fn message_connexion_bloquee(secondes: i64) -> String {
    format!("Trop de tentatives de connexion. Par sécurité, réessayez dans {}.", duree(secondes))
}

/// Le message d'un blocage des envois de liens par e-mail.
/// Le message d'un blocage des départs vers FranceConnect.
pub fn message_franceconnect_bloque(secondes: i64) -> String {
    format!("Trop de tentatives de connexion avec FranceConnect depuis cet appareil. Par sécurité, réessayez dans {}.", duree(secondes))
}

pub fn message_envois_bloques(secondes: i64) -> String {
    format!("Trop de demandes d'envoi d'e-mail. Par sécurité, réessayez dans {}.", duree(secondes))
}

/// Le message d'un blocage des codes confidentiels.
pub fn message_code_bloque(secondes: i64) -> String {
    format!("Trop de codes confidentiels erronés : les démarches de ce véhicule sont bloquées pendant encore {}.", duree(secondes))
}

/// Le message d'un code confidentiel erroné.
pub fn message_code_errone(reste: u32) -> String {
    format!("Le code confidentiel est erroné. Il vous reste {reste} essai{}.", if reste > 1 { "s" } else { "" })
}

/// Le message d'un blocage après trop de preuves de cession erronées.
pub fn message_preuve_bloquee(secondes: i64) -> String {
    format!("Trop de codes de cession ou de numéros de formule erronés : réessayez dans {}.", duree(secondes))
}

/// Le message d'une preuve de cession erronée.
pub fn message_preuve_erronee(reste: u32) -> String {
    format!(
        "Cette preuve de cession (code de cession, numéro de formule ou date du certificat) ne correspond pas à ce véhicule. Il vous reste {reste} essai{}.",
        if reste > 1 { "s" } else { "" }
    )
}

/// Le message d'un trop grand nombre de demandes de code confidentiel.
pub fn message_demandes_code(secondes: i64) -> String {
    format!(
        "Un nouveau code confidentiel a déjà été demandé plusieurs fois récemment. Vous pourrez en demander un autre dans {}.",
        duree(secondes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocage_au_cinquieme_code_errone() {
        let l = Limite::CODE_CONFIDENTIEL_VEHICULE_COMPTE;
        assert_eq!(l.apres_echec(1), ApresEchec::EssaisRestants(4));
        assert_eq!(l.apres_echec(4), ApresEchec::EssaisRestants(1));
        assert_eq!(l.apres_echec(5), ApresEchec::Bloque { secondes: 900 });
        assert_eq!(l.apres_echec(9), ApresEchec::Bloque { secondes: 900 });
    }

    #[test]
    fn messages() {
        assert_eq!(message_code_errone(1), "Le code confidentiel est erroné. Il vous reste 1 essai.");
        assert_eq!(message_code_errone(3), "Le code confidentiel est erroné. Il vous reste 3 essais.");
        assert_eq!(message_connexion_bloquee(899), "Trop de tentatives de connexion. Par sécurité, réessayez dans 15 minutes.");
        assert_eq!(message_connexion_bloquee(1), "Trop de tentatives de connexion. Par sécurité, réessayez dans 1 minute.");
        assert!(message_code_bloque(86_400).ends_with("pendant encore 24 heures."));
    }

    #[test]
    fn purge_apres_la_plus_longue_fenetre() {
        assert_eq!(Limite::plus_longue_fenetre_secondes(), 86_400);
    }
}
