//! Code postal (5 chiffres, La Poste) et code commune INSEE (COG) : deux
//! choses différentes (fiche domaine §1.7).

use super::string_value;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodePostalError {
    #[error("Veuillez saisir le code postal.")]
    Vide,
    #[error("Le code postal compte 5 chiffres, par exemple 75001.")]
    Format,
    #[error("Le code postal « {0} » ne correspond à aucun département.")]
    Departement(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodePostal(String);

impl CodePostal {
    pub fn parse(input: &str) -> Result<Self, CodePostalError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(CodePostalError::Vide);
        }
        if s.len() != 5 || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(CodePostalError::Format);
        }
        // 01–95 en métropole (la Corse garde 20), 971–976 et 98 outre-mer ;
        // 00, 96 et 99 n'existent pas.
        let dep = &s[..2];
        if matches!(dep, "00" | "96" | "99") {
            return Err(CodePostalError::Departement(s));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Le département (deux ou trois chiffres) déduit du code postal.
    pub fn departement(&self) -> &str {
        if self.0.starts_with("97") || self.0.starts_with("98") {
            &self.0[..3]
        } else {
            &self.0[..2]
        }
    }
}

impl fmt::Display for CodePostal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(CodePostal, CodePostalError);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeInseeError {
    #[error("Veuillez saisir le code commune.")]
    Vide,
    #[error("Le code commune INSEE compte 5 caractères, par exemple 75056 ou 2A004.")]
    Format,
}

/// Code officiel géographique d'une commune : `^(2[AB][0-9]{3}|[0-9]{5})$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeInsee(String);

impl CodeInsee {
    pub fn parse(input: &str) -> Result<Self, CodeInseeError> {
        let s: String = input.trim().to_uppercase();
        if s.is_empty() {
            return Err(CodeInseeError::Vide);
        }
        let b = s.as_bytes();
        let ok = b.len() == 5
            && (b.iter().all(u8::is_ascii_digit) || (b[0] == b'2' && matches!(b[1], b'A' | b'B') && b[2..].iter().all(u8::is_ascii_digit)));
        if ok {
            Ok(Self(s))
        } else {
            Err(CodeInseeError::Format)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CodeInsee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(CodeInsee, CodeInseeError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_postaux() {
        assert_eq!(CodePostal::parse(" 13 001").unwrap().as_str(), "13001");
        assert_eq!(CodePostal::parse("20000").unwrap().departement(), "20");
        assert_eq!(CodePostal::parse("97400").unwrap().departement(), "974");
        assert_eq!(CodePostal::parse("1300"), Err(CodePostalError::Format));
        assert_eq!(CodePostal::parse("2A000"), Err(CodePostalError::Format));
        assert!(matches!(CodePostal::parse("00100"), Err(CodePostalError::Departement(_))));
    }

    #[test]
    fn codes_insee() {
        assert!(CodeInsee::parse("2a004").is_ok());
        assert!(CodeInsee::parse("75056").is_ok());
        assert_eq!(CodeInsee::parse("2C004"), Err(CodeInseeError::Format));
    }

    proptest! {
        #[test]
        fn aller_retour(dep in 1u8..96, reste in 0u16..1000) {
            let cp = CodePostal::parse(&format!("{dep:02}{reste:03}")).unwrap();
            prop_assert_eq!(CodePostal::parse(&cp.to_string()).unwrap(), cp);
            let insee = CodeInsee::parse(&format!("{dep:02}{reste:03}")).unwrap();
            prop_assert_eq!(CodeInsee::parse(&insee.to_string()).unwrap(), insee);
        }
        #[test]
        fn jamais_de_panique(s in "\\PC*") {
            let _ = CodePostal::parse(&s);
            let _ = CodeInsee::parse(&s);
        }
    }
}
