//! Numéro d'identification du véhicule (VIN, champ E du certificat) :
//! 17 caractères, sans I, O ni Q (ISO 3779). La clé de contrôle
//! nord-américaine n'est pas exigée en France (fiche domaine §1.3).

use super::{compact_upper, string_value};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VinError {
    #[error("Veuillez saisir le numéro VIN.")]
    Vide,
    #[error("Le numéro VIN compte 17 caractères (vous en avez saisi {0}).")]
    Longueur(usize),
    #[error("Le numéro VIN ne contient que des chiffres et des lettres, sans I, O ni Q.")]
    Caractere,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Vin(String);

impl Vin {
    pub fn parse(input: &str) -> Result<Self, VinError> {
        let s = compact_upper(input);
        if s.is_empty() {
            return Err(VinError::Vide);
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric()) || s.contains(['I', 'O', 'Q']) {
            return Err(VinError::Caractere);
        }
        if s.len() != 17 {
            return Err(VinError::Longueur(s.chars().count()));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(Vin, VinError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn vin_valide_et_invalide() {
        assert_eq!(Vin::parse("vf1 rfb00 0 12345678").unwrap().as_str(), "VF1RFB00012345678");
        assert_eq!(Vin::parse("VF1RFB0001234567"), Err(VinError::Longueur(16)));
        assert_eq!(Vin::parse("VF1RFB00O12345678"), Err(VinError::Caractere));
        assert_eq!(Vin::parse(""), Err(VinError::Vide));
    }

    proptest! {
        #[test]
        fn aller_retour(s in "[A-HJ-NPR-Z0-9]{17}") {
            let v = Vin::parse(&s).unwrap();
            prop_assert_eq!(Vin::parse(&v.to_string()).unwrap(), v);
        }
        #[test]
        fn jamais_de_panique(s in "\\PC*") { let _ = Vin::parse(&s); }
    }
}
