//! Identité : adresse e-mail, nom et prénoms.

use super::string_value;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Veuillez saisir votre adresse électronique.")]
    Vide,
    #[error("L'adresse électronique doit être au format nom@domaine.fr.")]
    Format,
    #[error("L'adresse électronique est trop longue (254 caractères au plus).")]
    TropLongue,
}

/// Adresse électronique, en minuscules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX: usize = 254;
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Vide);
        }
        if s.chars().count() > Self::MAX {
            return Err(EmailError::TropLongue);
        }
        let Some((local, domaine)) = s.split_once('@') else {
            return Err(EmailError::Format);
        };
        let local_ok = !local.is_empty() && local.len() <= 64 && local.chars().all(|c| c.is_alphanumeric() || "._%+-'".contains(c));
        let domaine_ok = domaine.contains('.')
            && domaine
                .split('.')
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
        if local_ok && domaine_ok {
            Ok(Self(s))
        } else {
            Err(EmailError::Format)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(Email, EmailError);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NomError {
    #[error("Veuillez saisir ce champ.")]
    Vide,
    #[error("Ce champ ne contient que des lettres, espaces, traits d'union et apostrophes.")]
    Caractere,
    #[error("Ce champ compte au plus {0} caractères.")]
    TropLong(usize),
}

fn parse_nom(input: &str, max: usize) -> Result<String, NomError> {
    // Les espaces multiples sont ramenés à un seul.
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let s = s.replace('’', "'");
    if s.is_empty() {
        return Err(NomError::Vide);
    }
    if s.chars().count() > max {
        return Err(NomError::TropLong(max));
    }
    if !s.chars().all(|c| c.is_alphabetic() || " -'".contains(c)) || !s.chars().any(char::is_alphabetic) {
        return Err(NomError::Caractere);
    }
    Ok(s)
}

/// Nom de famille (ou raison sociale courte), tel que saisi, espaces
/// normalisés.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nom(String);

impl Nom {
    pub const MAX: usize = 80;
    pub fn parse(input: &str) -> Result<Self, NomError> {
        parse_nom(input, Self::MAX).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Prénoms, séparés par des espaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prenoms(String);

impl Prenoms {
    pub const MAX: usize = 100;
    pub fn parse(input: &str) -> Result<Self, NomError> {
        parse_nom(input, Self::MAX).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Display for Prenoms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(Nom, NomError);
string_value!(Prenoms, NomError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Julien.Paul@Exemple.FR ").unwrap().as_str(), "julien.paul@exemple.fr");
        for bad in ["julien", "julien@", "@exemple.fr", "julien@exemple", "a b@exemple.fr", "a@-x.fr"] {
            assert_eq!(Email::parse(bad), Err(EmailError::Format), "{bad}");
        }
        assert_eq!(Email::parse("   "), Err(EmailError::Vide));
    }

    #[test]
    fn noms_avec_accents_traits_apostrophes() {
        assert_eq!(Nom::parse("  D’Artagnan-Léguère ").unwrap().as_str(), "D'Artagnan-Léguère");
        assert_eq!(Prenoms::parse("Jean   Noël").unwrap().as_str(), "Jean Noël");
        assert_eq!(Nom::parse("R2D2"), Err(NomError::Caractere));
        assert_eq!(Nom::parse("--"), Err(NomError::Caractere));
        assert_eq!(Nom::parse(&"a".repeat(81)), Err(NomError::TropLong(80)));
    }

    proptest! {
        #[test]
        fn email_aller_retour(l in "[a-z0-9._]{1,20}", d in "[a-z]{1,10}", t in "[a-z]{2,4}") {
            let e = Email::parse(&format!("{l}@{d}.{t}")).unwrap();
            prop_assert_eq!(Email::parse(&e.to_string()).unwrap(), e);
        }
        #[test]
        fn nom_aller_retour(s in "[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' -]{0,40}") {
            if let Ok(n) = Nom::parse(&s) {
                prop_assert_eq!(Nom::parse(&n.to_string()).unwrap(), n);
            }
        }
        #[test]
        fn jamais_de_panique(s in "\\PC*") {
            let _ = Email::parse(&s);
            let _ = Nom::parse(&s);
            let _ = Prenoms::parse(&s);
        }
    }
}
