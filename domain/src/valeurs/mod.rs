//! Types valeur saisis par l'usager.
//!
//! Chaque type s'analyse depuis une saisie humaine (`FromStr`), tolérante
//! aux espaces, tirets et à la casse là où une personne les taperait,
//! s'affiche sous sa forme canonique (`Display`) et se sérialise sous cette
//! forme. L'erreur de chaque type donne un message clair, en français, pour
//! le champ concerné.

mod adresse;
mod carte;
mod codes;
mod entreprise;
mod formule;
mod identite;
mod immatriculation;
mod vin;

pub use adresse::{CodeInsee, CodeInseeError, CodePostal, CodePostalError};
pub use carte::{CarteError, Cryptogramme, ExpirationCarte, NumeroCarte};
pub use codes::{
    CodeCession, CodeConfidentiel, CodeError, CODES_CONFIDENTIELS_EN_ATTENTE_MAX, CODE_ALPHABET, CODE_CESSION_LONGUEUR,
    CODE_CESSION_VALIDITE_JOURS, CODE_CONFIDENTIEL_ATTENTE_JOURS, CODE_CONFIDENTIEL_LONGUEUR,
};
pub use entreprise::{Siren, SirenError, Siret};
pub use formule::{
    date_fr, date_heure_fr, parse_date_fr, DateCertificat, DateError, DateFr, FormuleError, Heure, HeureError, NumeroFormule,
};
pub use identite::{Email, EmailError, Nom, NomError, Prenoms};
pub use immatriculation::{Immatriculation, ImmatriculationError, TypeImmatriculation};
pub use vin::{Vin, VinError};

/// Implémente `FromStr`/`TryFrom<String>`/`From<T> for String` et la
/// sérialisation serde sous forme canonique pour un type valeur qui a une
/// fonction `parse(&str) -> Result<Self, E>` et un `Display`.
macro_rules! string_value {
    ($ty:ty, $err:ty) => {
        impl ::std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty>::parse(s)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$ty>::parse(&s)
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.to_string()
            }
        }
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$ty>::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_value;

/// Retire espaces, tirets, points et met en majuscules : ce qu'une personne
/// tape autour d'un identifiant n'a pas de sens.
pub(crate) fn compact_upper(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '.').flat_map(char::to_uppercase).collect()
}

/// Algorithme de Luhn sur une chaîne de chiffres ASCII.
pub(crate) fn luhn_valide(chiffres: &str) -> bool {
    let mut somme = 0u32;
    for (i, c) in chiffres.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        somme += d;
    }
    somme.is_multiple_of(10)
}
