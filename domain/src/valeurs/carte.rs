//! Carte bancaire du paiement en ligne : numéro (clé de Luhn), date
//! d'expiration (non passée), cryptogramme (3 chiffres).
//!
//! Le numéro de carte n'est jamais conservé : seuls les 4 derniers chiffres
//! sont affichés et enregistrés.

use super::{luhn_valide, string_value};
use std::fmt;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarteError {
    #[error("Veuillez saisir le numéro de la carte.")]
    NumeroVide,
    #[error("Le numéro de la carte compte de 13 à 19 chiffres.")]
    NumeroFormat,
    #[error("Le numéro de la carte n'est pas valide.")]
    NumeroCle,
    #[error("Veuillez saisir la date d'expiration.")]
    ExpirationVide,
    #[error("La date d'expiration est au format MM/AA.")]
    ExpirationFormat,
    #[error("Cette carte est expirée.")]
    Expiree,
    #[error("Veuillez saisir le cryptogramme.")]
    CryptogrammeVide,
    #[error("Le cryptogramme compte 3 chiffres, au dos de la carte.")]
    CryptogrammeFormat,
}

#[derive(Clone, PartialEq, Eq)]
pub struct NumeroCarte(String);

/// Jamais le numéro entier dans une trace : les 4 derniers chiffres.
impl fmt::Debug for NumeroCarte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NumeroCarte(•••• {})", self.quatre_derniers())
    }
}

impl NumeroCarte {
    pub fn parse(input: &str) -> Result<Self, CarteError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if s.is_empty() {
            return Err(CarteError::NumeroVide);
        }
        if !(13..=19).contains(&s.len()) || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(CarteError::NumeroFormat);
        }
        if !luhn_valide(&s) {
            return Err(CarteError::NumeroCle);
        }
        Ok(Self(s))
    }
    pub fn quatre_derniers(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NumeroCarte {
    /// Groupes de quatre chiffres.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpirationCarte {
    pub mois: u8,
    pub annee: u16,
}

impl ExpirationCarte {
    /// Analyse `MM/AA` (ou `MM/AAAA`) ; la carte est valide jusqu'au dernier
    /// jour du mois indiqué.
    pub fn parse(input: &str, aujourd_hui: Date) -> Result<Self, CarteError> {
        let e = Self::parse_format(input)?;
        if e.est_expiree(aujourd_hui) {
            return Err(CarteError::Expiree);
        }
        Ok(e)
    }

    /// La carte est-elle expirée à cette date ?
    pub fn est_expiree(&self, aujourd_hui: Date) -> bool {
        (i32::from(self.annee), self.mois) < (aujourd_hui.year(), u8::from(aujourd_hui.month()))
    }

    /// Le format seul, sans la date du jour (pour `FromStr` et serde).
    pub fn parse_format(input: &str) -> Result<Self, CarteError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(CarteError::ExpirationVide);
        }
        let (m, a) = s.split_once(['/', '-']).ok_or(CarteError::ExpirationFormat)?;
        let tous_chiffres = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
        if !tous_chiffres(m) || !tous_chiffres(a) || m.len() > 2 || !(a.len() == 2 || a.len() == 4) {
            return Err(CarteError::ExpirationFormat);
        }
        let mois: u8 = m.parse().map_err(|_| CarteError::ExpirationFormat)?;
        let mut annee: u16 = a.parse().map_err(|_| CarteError::ExpirationFormat)?;
        if a.len() == 2 {
            annee += 2000;
        }
        if !(1..=12).contains(&mois) {
            return Err(CarteError::ExpirationFormat);
        }
        Ok(Self { mois, annee })
    }
}

impl fmt::Display for ExpirationCarte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}", self.mois, self.annee % 100)
    }
}

string_value!(NumeroCarte, CarteError);

impl std::str::FromStr for ExpirationCarte {
    type Err = CarteError;
    fn from_str(s: &str) -> Result<Self, CarteError> {
        Self::parse_format(s)
    }
}

impl serde::Serialize for ExpirationCarte {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ExpirationCarte {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_format(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Cryptogramme(String);

impl fmt::Debug for Cryptogramme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cryptogramme(•••)")
    }
}

impl Cryptogramme {
    pub fn parse(input: &str) -> Result<Self, CarteError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(CarteError::CryptogrammeVide);
        }
        if s.len() != 3 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(CarteError::CryptogrammeFormat);
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Display for Cryptogramme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(Cryptogramme, CarteError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const AUJ: Date = date!(2026 - 11 - 27);

    #[test]
    fn numero_de_carte_luhn() {
        let c = NumeroCarte::parse("4970 1012 3456 7893").unwrap();
        assert_eq!(c.quatre_derniers(), "7893");
        assert_eq!(c.to_string(), "4970 1012 3456 7893");
        assert_eq!(NumeroCarte::parse("4970 1012 3456 7890"), Err(CarteError::NumeroCle));
        assert_eq!(NumeroCarte::parse("4970"), Err(CarteError::NumeroFormat));
    }

    #[test]
    fn expiration_pas_passee() {
        assert_eq!(ExpirationCarte::parse("11/26", AUJ).unwrap().to_string(), "11/26");
        assert_eq!(ExpirationCarte::parse("10/26", AUJ), Err(CarteError::Expiree));
        assert_eq!(ExpirationCarte::parse("13/27", AUJ), Err(CarteError::ExpirationFormat));
        assert_eq!(ExpirationCarte::parse("01/2030", AUJ).unwrap().annee, 2030);
        // Sans date du jour (FromStr, serde) : le format seul.
        let passee: ExpirationCarte = serde_json::from_str("\"01/20\"").unwrap();
        assert!(passee.est_expiree(AUJ));
        assert_eq!(serde_json::to_string(&passee).unwrap(), "\"01/20\"");
    }

    #[test]
    fn cryptogramme_trois_chiffres() {
        assert!(Cryptogramme::parse("123").is_ok());
        assert_eq!(Cryptogramme::parse("12a"), Err(CarteError::CryptogrammeFormat));
    }

    proptest! {
        #[test]
        fn aller_retour(base in "[0-9]{15}") {
            let n = (0..10).map(|d| format!("{base}{d}")).find(|s| luhn_valide(s)).unwrap();
            let c = NumeroCarte::parse(&n).unwrap();
            prop_assert_eq!(NumeroCarte::parse(&c.to_string()).unwrap(), c);
        }
        #[test]
        fn expiration_aller_retour(m in 1u8..=12, a in 27u16..99) {
            let e = ExpirationCarte::parse(&format!("{m:02}/{a}"), AUJ).unwrap();
            prop_assert_eq!(ExpirationCarte::parse(&e.to_string(), AUJ).unwrap(), e);
        }
        #[test]
        fn cryptogramme_aller_retour(c in "[0-9]{3}") {
            let k = Cryptogramme::parse(&c).unwrap();
            prop_assert_eq!(Cryptogramme::parse(&k.to_string()).unwrap(), k);
        }
        #[test]
        fn jamais_de_panique(s in "\\PC*") {
            let _ = NumeroCarte::parse(&s);
            let _ = ExpirationCarte::parse(&s, AUJ);
            let _ = Cryptogramme::parse(&s);
        }
    }
}
