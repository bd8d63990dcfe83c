//! SIREN (9 chiffres) et SIRET (14 chiffres) d'une personne morale, avec la
//! clé de Luhn et l'exception de La Poste (fiche domaine §1.8).

use super::{luhn_valide, string_value};
use std::fmt;

/// SIREN de La Poste, dont les SIRET ne respectent pas tous la clé de Luhn.
pub const SIREN_LA_POSTE: &str = "356000000";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SirenError {
    #[error("Veuillez saisir ce numéro.")]
    Vide,
    #[error("Le numéro SIREN compte 9 chiffres.")]
    FormatSiren,
    #[error("Le numéro SIRET compte 14 chiffres.")]
    FormatSiret,
    #[error("Ce numéro n'est pas valide (clé de contrôle erronée).")]
    Cle,
}

fn chiffres_seuls(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != '-').collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Siren(String);

impl Siren {
    pub fn parse(input: &str) -> Result<Self, SirenError> {
        let s = chiffres_seuls(input);
        if s.is_empty() {
            return Err(SirenError::Vide);
        }
        if s.len() != 9 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(SirenError::FormatSiren);
        }
        if !luhn_valide(&s) {
            return Err(SirenError::Cle);
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Siret(String);

impl Siret {
    pub fn parse(input: &str) -> Result<Self, SirenError> {
        let s = chiffres_seuls(input);
        if s.is_empty() {
            return Err(SirenError::Vide);
        }
        if s.len() != 14 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(SirenError::FormatSiret);
        }
        let la_poste = s.starts_with(SIREN_LA_POSTE) && s.bytes().map(|c| u32::from(c - b'0')).sum::<u32>() % 5 == 0;
        if !luhn_valide(&s) && !la_poste {
            return Err(SirenError::Cle);
        }
        Ok(Self(s))
    }
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}
impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..9], &self.0[9..])
    }
}

string_value!(Siren, SirenError);
string_value!(Siret, SirenError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn siren_luhn() {
        // SIREN de l'ANTS (Agence nationale des titres sécurisés) : 130 004 211 ?
        // On teste sur des numéros dont la clé est calculée ici.
        assert_eq!(Siren::parse("732 829 320").unwrap().to_string(), "732 829 320");
        assert_eq!(Siren::parse("732829321"), Err(SirenError::Cle));
        assert_eq!(Siren::parse("12345"), Err(SirenError::FormatSiren));
    }

    #[test]
    fn siret_et_exception_la_poste() {
        assert!(Siret::parse("73282932000074").is_ok());
        assert_eq!(Siret::parse("73282932000075"), Err(SirenError::Cle));
        // Siège de La Poste : passe la clé de Luhn normalement.
        assert!(Siret::parse("35600000000048").is_ok());
        // Établissement de La Poste : somme des chiffres multiple de 5.
        assert!(Siret::parse("35600000049837").is_ok());
        assert_eq!(Siret::parse("35600000049838"), Err(SirenError::Cle));
    }

    fn avec_cle(base: &str) -> String {
        (0..10).map(|d| format!("{base}{d}")).find(|s| luhn_valide(s)).unwrap()
    }

    proptest! {
        #[test]
        fn siren_aller_retour(base in "[0-9]{8}") {
            let s = Siren::parse(&avec_cle(&base)).unwrap();
            prop_assert_eq!(Siren::parse(&s.to_string()).unwrap(), s);
        }
        #[test]
        fn siret_aller_retour(base in "[0-9]{13}") {
            let s = Siret::parse(&avec_cle(&base)).unwrap();
            prop_assert_eq!(Siret::parse(&s.to_string()).unwrap(), s);
        }
        #[test]
        fn jamais_de_panique(s in "\\PC*") {
            let _ = Siren::parse(&s);
            let _ = Siret::parse(&s);
        }
    }
}
