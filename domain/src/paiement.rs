//! Le paiement des taxes par carte : la saisie de la carte (contrôlée ici,
//! pour la page du prestataire), le résultat d'une transaction (codes de
//! PayFiP) et ce que l'usager voit d'un paiement.

use crate::{
    api::ChampErreur,
    taxes::Montant,
    valeurs::{Cryptogramme, ExpirationCarte, NumeroCarte},
};
use serde::{Deserialize, Serialize};
use time::Date;

/// La réponse à une seconde tentative de paiement d'une démarche payée.
pub const DEJA_PAYE: &str = "Vous avez déjà payé. La démarche a été mise à jour.";

/// « Attention : pour finaliser la procédure, il est impératif d'appuyer sur
/// le bouton « Cliquer ici pour enregistrer votre paiement ». »
pub const ENREGISTRER_PAIEMENT: &str = "Cliquer ici pour enregistrer votre paiement";

/// La carte telle que saisie sur la page de paiement. Sa trace (`Debug`) ne
/// montre ni le numéro ni le cryptogramme.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CarteSaisie {
    #[serde(default)]
    pub numero: String,
    #[serde(default)]
    pub expiration: String,
    #[serde(default)]
    pub cryptogramme: String,
}

impl std::fmt::Debug for CarteSaisie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fin: String = self.numero.chars().filter(char::is_ascii_digit).rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        f.debug_struct("CarteSaisie").field("numero", &format!("•••• {fin}")).field("expiration", &self.expiration).finish_non_exhaustive()
    }
}

/// Une carte contrôlée : clé de Luhn, expiration à venir, cryptogramme à 3
/// chiffres. Elle n'est jamais conservée (seuls ses 4 derniers chiffres).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarteValidee {
    pub numero: NumeroCarte,
    pub expiration: ExpirationCarte,
    pub cryptogramme: Cryptogramme,
}

impl CarteSaisie {
    pub fn valider(&self, aujourd_hui: Date) -> Result<CarteValidee, Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        let numero = NumeroCarte::parse(&self.numero).map_err(|e| erreurs.push(ChampErreur::new("numero", e))).ok();
        let expiration =
            ExpirationCarte::parse(&self.expiration, aujourd_hui).map_err(|e| erreurs.push(ChampErreur::new("expiration", e))).ok();
        let cryptogramme = Cryptogramme::parse(&self.cryptogramme).map_err(|e| erreurs.push(ChampErreur::new("cryptogramme", e))).ok();
        match (numero, expiration, cryptogramme) {
            (Some(numero), Some(expiration), Some(cryptogramme)) => Ok(CarteValidee { numero, expiration, cryptogramme }),
            _ => Err(erreurs),
        }
    }
}

/// Le résultat d'une transaction, codes de PayFiP (`resultrans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResultatTransaction {
    /// Payé par carte.
    #[serde(rename = "P")]
    Paye,
    /// Refusé.
    #[serde(rename = "R")]
    Refuse,
    /// Abandonné par l'usager.
    #[serde(rename = "A")]
    Abandonne,
}

impl ResultatTransaction {
    pub const TOUS: [Self; 3] = [Self::Paye, Self::Refuse, Self::Abandonne];

    pub fn code(self) -> &'static str {
        match self {
            Self::Paye => "P",
            Self::Refuse => "R",
            Self::Abandonne => "A",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|r| r.code() == code)
    }
}

/// Un paiement (une tentative) côté démarche.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtatPaiement {
    /// Créé chez le prestataire, pas encore réglé (l'usager paie, ou a fermé
    /// la page) : le rapprochement l'interroge.
    EnCours,
    Paye,
    Refuse,
    Abandonne,
}

impl EtatPaiement {
    pub const TOUS: [Self; 4] = [Self::EnCours, Self::Paye, Self::Refuse, Self::Abandonne];

    pub fn code(self) -> &'static str {
        match self {
            Self::EnCours => "en_cours",
            Self::Paye => "paye",
            Self::Refuse => "refuse",
            Self::Abandonne => "abandonne",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|e| e.code() == code)
    }

    pub fn depuis_resultat(r: ResultatTransaction) -> Self {
        match r {
            ResultatTransaction::Paye => Self::Paye,
            ResultatTransaction::Refuse => Self::Refuse,
            ResultatTransaction::Abandonne => Self::Abandonne,
        }
    }

    /// Ce que l'usager lit de sa dernière tentative.
    pub fn message(self) -> &'static str {
        match self {
            Self::EnCours => "Un paiement est en cours de vérification auprès du service de paiement.",
            Self::Paye => "Votre paiement a été accepté.",
            Self::Refuse => "Votre paiement a été refusé. Aucune somme n'a été débitée : vous pouvez payer avec une autre carte.",
            Self::Abandonne => "Vous avez abandonné le paiement. Aucune somme n'a été débitée : vous pouvez payer de nouveau.",
        }
    }
}

/// La référence de la dette chez le prestataire (`refdet`) : la démarche et
/// le rang de la tentative.
pub fn refdet(numero: &str, tentative: i64) -> String {
    format!("{numero}-{tentative:02}")
}

/// L'objet du paiement chez le prestataire (PayFiP : lettres, chiffres et
/// espaces, 100 caractères au plus).
pub fn objet_paiement(numero: &str, immatriculation: &str) -> String {
    let brut = format!("Certificat immatriculation {immatriculation} demande {numero}");
    let propre: String = brut.chars().filter(|c| c.is_ascii_alphanumeric() || *c == ' ').collect();
    propre.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(100).collect()
}

/// Un paiement tel que l'usager le voit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaiementVue {
    pub tentative: i64,
    pub refdet: String,
    pub etat: EtatPaiement,
    pub montant: Montant,
    /// Les 4 derniers chiffres de la carte, une fois payé.
    pub carte_fin: Option<String>,
    /// Numéro d'autorisation du prestataire.
    pub numero_autorisation: Option<String>,
    /// Heure de Paris, en français.
    pub regle_le: Option<String>,
}

/// La réponse à « Payer » : la page du prestataire où aller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaiementInitie {
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn carte_controlee_au_champ() {
        let ok = CarteSaisie { numero: "4111 1111 1111 1111".into(), expiration: "12/27".into(), cryptogramme: "123".into() };
        let c = ok.valider(date!(2026 - 11 - 28)).unwrap();
        assert_eq!(c.numero.quatre_derniers(), "1111");
        let ko = CarteSaisie { numero: "4111 1111 1111 1112".into(), expiration: "10/26".into(), cryptogramme: "12".into() };
        let e = ko.valider(date!(2026 - 11 - 28)).unwrap_err();
        let champs: Vec<(&str, &str)> = e.iter().map(|c| (c.champ.as_str(), c.message.as_str())).collect();
        assert_eq!(
            champs,
            [
                ("numero", "Le numéro de la carte n'est pas valide."),
                ("expiration", "Cette carte est expirée."),
                ("cryptogramme", "Le cryptogramme compte 3 chiffres, au dos de la carte.")
            ]
        );
        // Aucune trace ne montre le numéro ni le cryptogramme.
        let trace = format!("{ok:?} {c:?}");
        assert!(!trace.contains("4111 1111 1111 1111") && !trace.contains("4111111111111111") && !trace.contains("123"), "{trace}");
        assert!(trace.contains("•••• 1111"), "{trace}");
        // Le mois en cours est encore valable.
        let ce_mois = CarteSaisie { expiration: "11/26".into(), ..ok };
        assert!(ce_mois.valider(date!(2026 - 11 - 28)).is_ok());
    }

    #[test]
    fn codes_payfip() {
        assert_eq!(serde_json::to_value(ResultatTransaction::Paye).unwrap(), "P");
        assert_eq!(ResultatTransaction::depuis_code("R"), Some(ResultatTransaction::Refuse));
        assert_eq!(ResultatTransaction::depuis_code("V"), None);
        for e in EtatPaiement::TOUS {
            assert_eq!(EtatPaiement::depuis_code(e.code()), Some(e));
            assert_eq!(serde_json::to_value(e).unwrap(), e.code());
        }
    }

    #[test]
    fn refdet_et_objet() {
        assert_eq!(refdet("2026-ABCDEFGH", 3), "2026-ABCDEFGH-03");
        assert_eq!(objet_paiement("2026-AB", "AB-123-CD"), "Certificat immatriculation AB123CD demande 2026AB");
        assert!(objet_paiement(&"X".repeat(200), "AB-123-CD").len() <= 100);
        // Sans numéro (une première immatriculation) : pas de double espace.
        assert_eq!(objet_paiement("2026-AB", ""), "Certificat immatriculation demande 2026AB");
    }
}
