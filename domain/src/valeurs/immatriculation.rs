//! Numéro d'immatriculation : SIV (`AB-123-CD`, depuis 2009) ou FNI
//! (`123 ABC 75`, avant 2009).
//!
//! Règles (fiche domaine §1.1 et §1.2) : lettres SIV sans I, O ni U ; pas de
//! `SS` ni `WW` à gauche, pas de `SS` à droite, pas de `000`. La série W
//! garage (`W-123-AB`) et la série provisoire WW (`WW-123-AB`) sont reconnues.
//! FNI : pas de zéro en tête, département 01–95 sauf 20, Corse 2A/2B, DOM
//! 971–976.

use super::{compact_upper, string_value};
use std::fmt;

/// Nature du numéro : elle fait partie de la valeur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeImmatriculation {
    /// Série normale du SIV, `AB-123-CD`.
    Siv,
    /// Série W garage du SIV, `W-123-AB`.
    SivWGarage,
    /// Série provisoire WW du SIV, `WW-123-AB`.
    SivProvisoire,
    /// Ancien numéro du FNI, `123 ABC 75`.
    Fni,
    /// W garage du FNI, `1234 W 75`.
    FniWGarage,
}

impl TypeImmatriculation {
    pub fn est_fni(self) -> bool {
        matches!(self, Self::Fni | Self::FniWGarage)
    }
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Siv => "SIV",
            Self::SivWGarage => "SIV (W garage)",
            Self::SivProvisoire => "SIV (provisoire WW)",
            Self::Fni => "FNI",
            Self::FniWGarage => "FNI (W garage)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImmatriculationError {
    #[error("Veuillez saisir le numéro d'immatriculation.")]
    Vide,
    #[error("Le numéro d'immatriculation doit être au format AB-123-CD (SIV) ou 123 ABC 75 (FNI).")]
    Format,
    #[error("Les lettres I, O et U ne sont pas utilisées dans les numéros SIV.")]
    LettreInterdite,
    #[error("La série « {0} » n'est pas attribuée.")]
    SerieInterdite(String),
    #[error("Le numéro 000 n'est pas attribué.")]
    NumeroZero,
    #[error("Le département « {0} » n'existe pas dans un numéro FNI.")]
    Departement(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Immatriculation {
    kind: TypeImmatriculation,
    canonical: String,
}

fn lettre_siv(c: char) -> bool {
    c.is_ascii_uppercase() && !matches!(c, 'I' | 'O' | 'U')
}

fn lettres(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase())
}

fn chiffres(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

impl Immatriculation {
    pub fn parse(input: &str) -> Result<Self, ImmatriculationError> {
        let s = compact_upper(input);
        if s.is_empty() {
            return Err(ImmatriculationError::Vide);
        }
        if !s.is_ascii() {
            return Err(ImmatriculationError::Format);
        }
        // Un numéro SIV commence par une lettre, un numéro FNI par un chiffre.
        if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
            Self::parse_siv(&s)
        } else {
            Self::parse_fni(&s)
        }
    }

    /// Un numéro SIV tiré des octets donnés (le serveur les tire au hasard
    /// et vérifie qu'il est libre) : lettres sans I, O, U, ni « WW » ni
    /// « SS » à gauche, ni « SS » à droite, numéro de 001 à 999.
    pub fn siv_depuis(octets: &[u8; 6]) -> Self {
        const LETTRES: &[u8; 23] = b"ABCDEFGHJKLMNPQRSTVWXYZ";
        let l = |b: u8| LETTRES[usize::from(b) % LETTRES.len()] as char;
        let mut gauche = format!("{}{}", l(octets[0]), l(octets[1]));
        if gauche == "WW" || gauche == "SS" {
            gauche = "AA".into();
        }
        let mut droite = format!("{}{}", l(octets[4]), l(octets[5]));
        if droite == "SS" {
            droite = "AA".into();
        }
        let numero = (u16::from(octets[2]) << 8 | u16::from(octets[3])) % 999 + 1;
        Self { kind: TypeImmatriculation::Siv, canonical: format!("{gauche}-{numero:03}-{droite}") }
    }

    fn parse_siv(s: &str) -> Result<Self, ImmatriculationError> {
        let (gauche, reste) = s.split_at(s.find(|c: char| c.is_ascii_digit()).ok_or(ImmatriculationError::Format)?);
        if reste.len() != 5 {
            return Err(ImmatriculationError::Format);
        }
        let (numero, droite) = reste.split_at(3);
        if !chiffres(numero) || !lettres(droite) || !lettres(gauche) {
            return Err(ImmatriculationError::Format);
        }
        let kind = match gauche {
            "W" => TypeImmatriculation::SivWGarage,
            "WW" => TypeImmatriculation::SivProvisoire,
            g if g.len() == 2 => TypeImmatriculation::Siv,
            _ => return Err(ImmatriculationError::Format),
        };
        if !gauche.chars().chain(droite.chars()).all(lettre_siv) {
            return Err(ImmatriculationError::LettreInterdite);
        }
        if gauche == "SS" {
            return Err(ImmatriculationError::SerieInterdite(gauche.into()));
        }
        if droite == "SS" {
            return Err(ImmatriculationError::SerieInterdite(droite.into()));
        }
        if droite.len() != 2 {
            return Err(ImmatriculationError::Format);
        }
        if numero == "000" {
            return Err(ImmatriculationError::NumeroZero);
        }
        Ok(Self { kind, canonical: format!("{gauche}-{numero}-{droite}") })
    }

    fn parse_fni(s: &str) -> Result<Self, ImmatriculationError> {
        let fin_chiffres = s.find(|c: char| !c.is_ascii_digit()).ok_or(ImmatriculationError::Format)?;
        let (numero, reste) = s.split_at(fin_chiffres);
        let fin_lettres = reste.find(|c: char| !c.is_ascii_alphabetic()).ok_or(ImmatriculationError::Format)?;
        let (serie, dep) = reste.split_at(fin_lettres);
        if numero.starts_with('0') {
            return Err(ImmatriculationError::NumeroZero);
        }
        if !lettres(serie) || !chiffres(numero) {
            return Err(ImmatriculationError::Format);
        }
        let kind = if serie == "W" { TypeImmatriculation::FniWGarage } else { TypeImmatriculation::Fni };
        let max_chiffres = if serie.len() == 3 { 3 } else { 4 };
        if numero.len() > max_chiffres || serie.len() > 3 {
            return Err(ImmatriculationError::Format);
        }
        if serie.contains(['I', 'O']) {
            return Err(ImmatriculationError::LettreInterdite);
        }
        let serie_interdite = match serie.len() {
            1 => matches!(serie, "D"),
            2 => matches!(serie, "SS" | "TT" | "WW"),
            _ => serie.starts_with(['T', 'W']) || matches!(serie, "KKK" | "MMM" | "MMW" | "MWM" | "MWW"),
        };
        if serie_interdite {
            return Err(ImmatriculationError::SerieInterdite(serie.into()));
        }
        if !departement_fni_valide(dep) {
            return Err(ImmatriculationError::Departement(dep.into()));
        }
        Ok(Self { kind, canonical: format!("{numero} {serie} {dep}") })
    }

    pub fn kind(&self) -> TypeImmatriculation {
        self.kind
    }
    pub fn as_str(&self) -> &str {
        &self.canonical
    }
}

fn departement_fni_valide(dep: &str) -> bool {
    match dep {
        "2A" | "2B" => true,
        "20" => false,
        d if d.len() == 2 && chiffres(d) => ("01"..="95").contains(&d),
        d if d.len() == 3 && chiffres(d) => ("971"..="976").contains(&d),
        _ => false,
    }
}

impl fmt::Display for Immatriculation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

string_value!(Immatriculation, ImmatriculationError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numero_siv_tire_toujours_valide() {
        for (a, b) in [(0u8, 0u8), (255, 255), (21, 21), (17, 17), (3, 200)] {
            for n in [0u8, 1, 231, 255] {
                let i = Immatriculation::siv_depuis(&[a, b, n, n, b, a]);
                assert_eq!(Immatriculation::parse(i.as_str()).as_ref(), Ok(&i), "{i:?}");
                assert_eq!(i.kind(), TypeImmatriculation::Siv);
            }
        }
        // « WW » (provisoire) et « SS » ne sont jamais tirés.
        let ww = Immatriculation::siv_depuis(&[19, 19, 0, 5, 16, 16]);
        assert_eq!(ww.as_str(), "AA-006-AA");
    }
    use proptest::prelude::*;

    fn ok(s: &str) -> Immatriculation {
        Immatriculation::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn siv_tolere_espaces_tirets_et_casse() {
        for s in ["AB-123-CD", "ab123cd", " ab 123 cd ", "Ab-123 cD"] {
            assert_eq!(ok(s).to_string(), "AB-123-CD");
            assert_eq!(ok(s).kind(), TypeImmatriculation::Siv);
        }
    }

    #[test]
    fn siv_refuse_i_o_u() {
        for s in ["AI-123-CD", "AB-123-CO", "UB-123-CD"] {
            assert_eq!(Immatriculation::parse(s), Err(ImmatriculationError::LettreInterdite));
        }
    }

    #[test]
    fn siv_refuse_ss_a_gauche_et_a_droite_et_000() {
        assert!(matches!(Immatriculation::parse("SS-123-AB"), Err(ImmatriculationError::SerieInterdite(_))));
        assert!(matches!(Immatriculation::parse("AB-123-SS"), Err(ImmatriculationError::SerieInterdite(_))));
        assert_eq!(Immatriculation::parse("AB-000-CD"), Err(ImmatriculationError::NumeroZero));
        // WW à droite est permis, seul SS y est interdit.
        assert_eq!(ok("AB-123-WW").to_string(), "AB-123-WW");
    }

    #[test]
    fn series_w_garage_et_ww_provisoire() {
        assert_eq!(ok("W-123-AB").kind(), TypeImmatriculation::SivWGarage);
        assert_eq!(ok("ww123ab").kind(), TypeImmatriculation::SivProvisoire);
        assert_eq!(ok("ww123ab").to_string(), "WW-123-AB");
    }

    #[test]
    fn fni_departements() {
        assert_eq!(ok("123 ABC 75").kind(), TypeImmatriculation::Fni);
        assert_eq!(ok("123abc75").to_string(), "123 ABC 75");
        assert_eq!(ok("45 AB 2A").to_string(), "45 AB 2A");
        assert_eq!(ok("1234 AB 2b").to_string(), "1234 AB 2B");
        assert_eq!(ok("12 ABC 971").to_string(), "12 ABC 971");
        assert_eq!(ok("1234 W 75").kind(), TypeImmatriculation::FniWGarage);
        for dep in ["20", "00", "96", "977", "2C"] {
            assert!(matches!(Immatriculation::parse(&format!("123 ABC {dep}")), Err(ImmatriculationError::Departement(_))), "{dep}");
        }
    }

    #[test]
    fn fni_series_interdites() {
        assert!(Immatriculation::parse("0123 AB 75").is_err());
        assert!(Immatriculation::parse("123 TAB 75").is_err());
        assert!(Immatriculation::parse("123 WW 75").is_err());
        assert!(Immatriculation::parse("1234 ABC 75").is_err(), "4 chiffres + 3 lettres");
        assert!(Immatriculation::parse("12 D 75").is_err());
    }

    #[test]
    fn vide_et_charabia() {
        assert_eq!(Immatriculation::parse("  "), Err(ImmatriculationError::Vide));
        assert_eq!(Immatriculation::parse("é"), Err(ImmatriculationError::Format));
        assert_eq!(Immatriculation::parse("ABCDEFG"), Err(ImmatriculationError::Format));
    }

    #[test]
    fn serde_sous_forme_canonique() {
        let i = ok("ab123cd");
        assert_eq!(serde_json::to_string(&i).unwrap(), "\"AB-123-CD\"");
        let back: Immatriculation = serde_json::from_str("\"ab 123 cd\"").unwrap();
        assert_eq!(back, i);
        assert!(serde_json::from_str::<Immatriculation>("\"AI-123-CD\"").is_err());
    }

    proptest! {
        #[test]
        fn siv_aller_retour(g in "[A-HJ-NP-TV-Z]{2}", n in 1u16..1000, d in "[A-HJ-NP-TV-Z]{2}") {
            prop_assume!(g != "SS" && g != "WW" && d != "SS");
            let s = format!("{g}-{n:03}-{d}");
            let i = Immatriculation::parse(&s).unwrap();
            prop_assert_eq!(i.to_string(), s.clone());
            prop_assert_eq!(Immatriculation::parse(&i.to_string()).unwrap(), i);
        }

        #[test]
        fn fni_aller_retour(n in 1u16..1000, serie in "[A-HJ-NP-SU-VX-Z][A-HJ-NPQR-Z]", dep in 1u8..96) {
            prop_assume!(dep != 20 && serie != "SS" && serie != "TT");
            let s = format!("{n} {serie} {dep:02}");
            let i = Immatriculation::parse(&s).unwrap();
            prop_assert_eq!(Immatriculation::parse(&i.to_string()).unwrap(), i);
        }

        #[test]
        fn jamais_de_panique(s in "\\PC*") {
            let _ = Immatriculation::parse(&s);
        }
    }
}
