//! Code de cession et code confidentiel.
//!
//! Leur format n'est pas public (fiche domaine §1.5 et §1.6 : les sources se
//! contredisent, « 5 chiffres », « alphanumérique », « 12 à 16 caractères »).
//! CHOIX DU PROJET, gardé ici et nulle part ailleurs :
//! - alphabet sans caractères ambigus (`CODE_ALPHABET` : pas de I, O, 0, 1) ;
//! - code de cession : 12 caractères, affiché en trois groupes de quatre
//!   (`K7PM-2QXD-9RTA`) ;
//! - code confidentiel : 8 caractères, affiché en deux groupes de quatre
//!   (`AB2C-D3EF`).
//!
//! La saisie tolère espaces, tirets et minuscules. Le tirage aléatoire est
//! fait par l'appelant (le serveur), qui passe des octets au constructeur.

use super::{compact_upper, string_value};
use std::fmt;

pub const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const CODE_CESSION_LONGUEUR: usize = 12;
pub const CODE_CONFIDENTIEL_LONGUEUR: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("Veuillez saisir le code.")]
    Vide,
    #[error("Le code compte {0} caractères (lettres et chiffres).")]
    Longueur(usize),
    #[error("Le code ne contient ni I, ni O, ni 0, ni 1, ni caractère spécial.")]
    Caractere,
}

fn parse_code(input: &str, longueur: usize) -> Result<String, CodeError> {
    let s = compact_upper(input);
    if s.is_empty() {
        return Err(CodeError::Vide);
    }
    if !s.bytes().all(|c| CODE_ALPHABET.contains(&c)) {
        return Err(CodeError::Caractere);
    }
    if s.len() != longueur {
        return Err(CodeError::Longueur(longueur));
    }
    Ok(s)
}

fn from_bytes(octets: &[u8]) -> String {
    octets.iter().map(|b| CODE_ALPHABET[usize::from(b % 32)] as char).collect()
}

fn groupes(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, chunk) in s.as_bytes().chunks(4).enumerate() {
        if i > 0 {
            f.write_str("-")?;
        }
        f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
    }
    Ok(())
}

/// Code remis au vendeur à la fin de la déclaration de cession ; l'acheteur
/// le saisit pour le changement de titulaire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeCession(String);

impl CodeCession {
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        parse_code(input, CODE_CESSION_LONGUEUR).map(Self)
    }
    /// Construit un code depuis des octets aléatoires (tirés par l'appelant).
    pub fn from_random(octets: &[u8; CODE_CESSION_LONGUEUR]) -> Self {
        Self(from_bytes(octets))
    }
    /// La forme compacte, sans tirets (celle que l'on hache).
    pub fn compact(&self) -> &str {
        &self.0
    }
}

/// Code confidentiel du titulaire, envoyé avec le certificat.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeConfidentiel(String);

impl CodeConfidentiel {
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        parse_code(input, CODE_CONFIDENTIEL_LONGUEUR).map(Self)
    }
    pub fn from_random(octets: &[u8; CODE_CONFIDENTIEL_LONGUEUR]) -> Self {
        Self(from_bytes(octets))
    }
    pub fn compact(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CodeCession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        groupes(&self.0, f)
    }
}
impl fmt::Display for CodeConfidentiel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        groupes(&self.0, f)
    }
}

string_value!(CodeCession, CodeError);
string_value!(CodeConfidentiel, CodeError);

/// « Je n'ai pas de code confidentiel » : un code envoyé attend au plus ce
/// nombre de jours sa première utilisation (choix du projet : un courrier
/// peut mettre plusieurs jours).
pub const CODE_CONFIDENTIEL_ATTENTE_JOURS: i64 = 30;
/// Au plus ce nombre de codes attendent en même temps pour un véhicule.
pub const CODES_CONFIDENTIELS_EN_ATTENTE_MAX: u32 = 5;

/// Durée de validité d'un code de cession (fiche domaine §1.5).
pub const CODE_CESSION_VALIDITE_JOURS: i64 = 15;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn code_cession_format() {
        let c = CodeCession::parse("k7pm 2qxd 9rta").unwrap();
        assert_eq!(c.to_string(), "K7PM-2QXD-9RTA");
        assert_eq!(c.compact(), "K7PM2QXD9RTA");
        assert_eq!(CodeCession::parse("K7PM-2QXD"), Err(CodeError::Longueur(12)));
        assert_eq!(CodeCession::parse("K7PM-2QXD-9RT0"), Err(CodeError::Caractere));
    }

    #[test]
    fn code_confidentiel_format() {
        assert_eq!(CodeConfidentiel::parse("ab2c-d3ef").unwrap().to_string(), "AB2C-D3EF");
        assert_eq!(CodeConfidentiel::parse(""), Err(CodeError::Vide));
    }

    proptest! {
        #[test]
        fn aller_retour(o in proptest::array::uniform12(any::<u8>())) {
            let c = CodeCession::from_random(&o);
            prop_assert_eq!(CodeCession::parse(&c.to_string()).unwrap(), c);
            let mut o8 = [0u8; 8];
            o8.copy_from_slice(&o[..8]);
            let k = CodeConfidentiel::from_random(&o8);
            prop_assert_eq!(CodeConfidentiel::parse(&k.to_string()).unwrap(), k);
        }
        #[test]
        fn jamais_de_panique(s in "\\PC*") {
            let _ = CodeCession::parse(&s);
            let _ = CodeConfidentiel::parse(&s);
        }
    }
}
