//! Numéro de formule du certificat SIV (`2009AB12345`) et date du
//! certificat FNI (`jj/mm/aaaa`) : l'un ou l'autre prouve que l'usager a le
//! titre en main (fiche domaine §1.4).

use super::{compact_upper, string_value};
use std::fmt;
use time::{Date, Month};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormuleError {
    #[error("Veuillez saisir le numéro de formule.")]
    Vide,
    #[error("Le numéro de formule est au format 2009AB12345 (année, deux lettres, cinq chiffres).")]
    Format,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumeroFormule(String);

impl NumeroFormule {
    pub fn parse(input: &str) -> Result<Self, FormuleError> {
        let s = compact_upper(input);
        if s.is_empty() {
            return Err(FormuleError::Vide);
        }
        // ^\d{2,4}[A-Z]{2}\d{5}$ (expression régulière de HistoVec).
        let b = s.as_bytes();
        let n = b.len();
        let ok = (9..=11).contains(&n)
            && b[..n - 7].iter().all(u8::is_ascii_digit)
            && b[n - 7..n - 5].iter().all(u8::is_ascii_uppercase)
            && b[n - 5..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Self(s))
        } else {
            Err(FormuleError::Format)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NumeroFormule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(NumeroFormule, FormuleError);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("Veuillez saisir la date.")]
    Vide,
    #[error("La date est au format jj/mm/aaaa.")]
    Format,
    #[error("Cette date n'existe pas.")]
    Inexistante,
    #[error("La date ne peut pas être dans le futur.")]
    Future,
}

/// Une date en français, `jj/mm/aaaa` : la seule mise en forme des dates
/// montrées à l'usager (SPA et PDF).
pub fn date_fr(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Une date et une heure en français : `27/11/2026 à 15:05` (l'heure locale
/// est calculée par l'appelant, qui connaît le fuseau).
pub fn date_heure_fr(d: Date, heure: u8, minute: u8) -> String {
    format!("{} à {heure:02}:{minute:02}", date_fr(d))
}

/// Analyse une date saisie `jj/mm/aaaa` (les tirets, points et espaces
/// sont acceptés comme séparateurs) ou `aaaa-mm-jj` (champ date HTML).
pub fn parse_date_fr(input: &str) -> Result<Date, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Vide);
    }
    let parts: Vec<&str> = s.split(['/', '-', '.', ' ']).filter(|p| !p.is_empty()).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(DateError::Format);
    };
    let (j, m, y) = if a.len() == 4 { (c, b, a) } else { (a, b, c) };
    let num = |p: &str, max_len: usize| -> Result<u32, DateError> {
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|c| c.is_ascii_digit()) {
            return Err(DateError::Format);
        }
        p.parse().map_err(|_| DateError::Format)
    };
    let (j, m, y) = (num(j, 2)?, num(m, 2)?, num(y, 4)?);
    if y < 1900 {
        return Err(DateError::Format);
    }
    let month = Month::try_from(u8::try_from(m).map_err(|_| DateError::Inexistante)?).map_err(|_| DateError::Inexistante)?;
    Date::from_calendar_date(y as i32, month, j as u8).map_err(|_| DateError::Inexistante)
}

/// Une date validée, montrée et échangée en français (`jj/mm/aaaa`) : date
/// de naissance, date de cession…
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateFr(Date);

impl DateFr {
    pub fn parse(input: &str) -> Result<Self, DateError> {
        parse_date_fr(input).map(Self)
    }
    pub fn date(self) -> Date {
        self.0
    }
    /// `aaaa-mm-jj`, pour le stockage.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.0.year(), u8::from(self.0.month()), self.0.day())
    }
}

impl From<Date> for DateFr {
    fn from(d: Date) -> Self {
        Self(d)
    }
}

impl fmt::Display for DateFr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&date_fr(self.0))
    }
}

string_value!(DateFr, DateError);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("L'heure est au format hh:mm.")]
pub struct HeureError;

/// Une heure validée, `hh:mm` (la saisie accepte aussi `9h30`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Heure(time::Time);

impl Heure {
    pub fn parse(input: &str) -> Result<Self, HeureError> {
        let (h, m) = input.trim().split_once([':', 'h', 'H']).ok_or(HeureError)?;
        let h: u8 = h.trim().parse().map_err(|_| HeureError)?;
        let m: u8 = if m.trim().is_empty() { 0 } else { m.trim().parse().map_err(|_| HeureError)? };
        time::Time::from_hms(h, m, 0).map(Self).map_err(|_| HeureError)
    }
}

impl fmt::Display for Heure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

string_value!(Heure, HeureError);

/// Date du certificat d'immatriculation FNI, qui remplace le numéro de
/// formule pour les anciens titres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateCertificat(Date);

impl DateCertificat {
    pub fn parse(input: &str) -> Result<Self, DateError> {
        parse_date_fr(input).map(Self)
    }
    /// La date d'un certificat ne peut pas être postérieure à aujourd'hui.
    pub fn parse_au(input: &str, aujourd_hui: Date) -> Result<Self, DateError> {
        let d = Self::parse(input)?;
        if d.0 > aujourd_hui {
            return Err(DateError::Future);
        }
        Ok(d)
    }
    pub fn date(self) -> Date {
        self.0
    }
    /// `aaaa-mm-jj`, pour le stockage.
    pub fn iso(self) -> String {
        DateFr(self.0).iso()
    }
}

impl From<Date> for DateCertificat {
    fn from(d: Date) -> Self {
        Self(d)
    }
}

impl fmt::Display for DateCertificat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&date_fr(self.0))
    }
}

string_value!(DateCertificat, DateError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn formule_histovec() {
        assert_eq!(NumeroFormule::parse("2009ab12345").unwrap().as_str(), "2009AB12345");
        assert_eq!(NumeroFormule::parse("09 AB 12345").unwrap().as_str(), "09AB12345");
        // L'exemple de la FAQ HistoVec (6 chiffres) est une coquille.
        assert_eq!(NumeroFormule::parse("2015XX012345"), Err(FormuleError::Format));
        assert_eq!(NumeroFormule::parse(""), Err(FormuleError::Vide));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date_fr("05/03/2008"), Ok(date!(2008 - 03 - 05)));
        assert_eq!(parse_date_fr("2008-03-05"), Ok(date!(2008 - 03 - 05)));
        assert_eq!(parse_date_fr("31/02/2008"), Err(DateError::Inexistante));
        assert_eq!(parse_date_fr("5 mars 2008"), Err(DateError::Format));
        let auj = date!(2026 - 11 - 27);
        assert_eq!(DateCertificat::parse_au("28/11/2026", auj), Err(DateError::Future));
        assert_eq!(DateCertificat::parse_au("1/2/2003", auj).unwrap().to_string(), "01/02/2003");
    }

    proptest! {
        #[test]
        fn formule_aller_retour(s in "[0-9]{2,4}[A-Z]{2}[0-9]{5}") {
            let f = NumeroFormule::parse(&s).unwrap();
            prop_assert_eq!(NumeroFormule::parse(&f.to_string()).unwrap(), f);
        }
        #[test]
        fn date_aller_retour(jour in 0u16..36500) {
            let d = DateCertificat::from(date!(1950 - 01 - 01) + time::Duration::days(i64::from(jour)));
            prop_assert_eq!(DateCertificat::parse(&d.to_string()).unwrap(), d);
        }
        #[test]
        fn jamais_de_panique(s in "\\PC*") {
            let _ = NumeroFormule::parse(&s);
            let _ = parse_date_fr(&s);
        }
    }
}
