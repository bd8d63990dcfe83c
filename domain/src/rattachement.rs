//! Le rattachement d'un véhicule à un compte : quand un véhicule du
//! registre devient l'un de « Mes véhicules ».
//!
//! Deux preuves, selon le compte :
//! - **tout compte** : le code confidentiel du certificat (« pour moi-même »
//!   au démarrage d'une démarche, ou « Ajouter un véhicule ») ; un code juste
//!   prouve que la personne détient le certificat ;
//! - **compte certifié par FranceConnect** : l'identité pivot est celle du
//!   titulaire inscrit au registre (nom de naissance, prénoms, date de
//!   naissance ; lieu de naissance quand le registre le porte). La
//!   comparaison est exacte après normalisation ([`cle_identite`]) ; une
//!   correspondance partielle ne rattache rien (voir [`Correspondance`]).
//!
//! Un véhicule déjà rattaché au compte d'une autre personne ne change pas
//! de compte : son titulaire l'y a rattaché ; qui agit pour lui choisit
//! « Pour quelqu'un d'autre ».

use crate::{
    api::ChampErreur,
    franceconnect::{IdentiteCertifiee, LieuNaissance},
    CodeConfidentiel, Immatriculation,
};
use serde::{Deserialize, Serialize};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// « Ajouter un véhicule » : le numéro d'immatriculation et le code
/// confidentiel du certificat, tels que saisis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AjoutVehicule {
    #[serde(default)]
    pub immatriculation: String,
    #[serde(default)]
    pub code_confidentiel: String,
}

impl AjoutVehicule {
    /// Une erreur par champ, en français ; le SPA valide en direct avec elle,
    /// le serveur revalide.
    pub fn valider(&self) -> Result<(Immatriculation, CodeConfidentiel), Vec<ChampErreur>> {
        let immat = Immatriculation::parse(&self.immatriculation).map_err(|e| ChampErreur::new("immatriculation", e));
        let code = CodeConfidentiel::parse(&self.code_confidentiel).map_err(|e| ChampErreur::new("code_confidentiel", e));
        match (immat, code) {
            (Ok(i), Ok(c)) => Ok((i, c)),
            (i, c) => Err(i.err().into_iter().chain(c.err()).collect()),
        }
    }
}

/// Ce que rend « Ajouter un véhicule ».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehiculeAjoute {
    pub immatriculation: Immatriculation,
    /// Faux : le véhicule était déjà dans « Mes véhicules ».
    pub ajoute: bool,
    pub message: String,
}

/// Le véhicule est rattaché au compte d'une autre personne (dit seulement
/// à qui a donné le bon code confidentiel).
pub const VEHICULE_RATTACHE_AILLEURS: &str = "Ce véhicule est déjà rattaché au compte ANTS d'une autre personne : il ne peut pas \
     rejoindre le vôtre. Si vous agissez pour son titulaire, choisissez « Pour quelqu'un d'autre ». Si vous êtes son titulaire \
     et que ce compte n'est pas le vôtre, adressez-vous au CERT par une téléprocédure complémentaire.";

/// Un nom ou des prénoms comparables : décomposés (NFKD), sans signes
/// diacritiques, en majuscules, ligatures développées, toute ponctuation
/// (trait d'union, apostrophe) lue comme un espace, espaces resserrés.
/// « Jean-Philippe Éloi » et « JEAN PHILIPPE ELOI » ont la même clé.
pub fn cle_identite(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'œ' | 'Œ' => out.push_str("OE"),
            'æ' | 'Æ' => out.push_str("AE"),
            c if c.is_alphanumeric() => out.extend(c.to_uppercase()),
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Le titulaire tel que le registre l'inscrit (personne physique).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TitulaireInscrit<'a> {
    /// Le nom de naissance inscrit.
    pub nom: &'a str,
    pub prenoms: Option<&'a str>,
    /// AAAA-MM-JJ.
    pub date_naissance: Option<&'a str>,
    /// Le code COG de la commune de naissance (France) ou du pays (99…),
    /// quand le registre le porte.
    pub lieu_naissance: Option<&'a str>,
}

/// Ce que donne la comparaison d'une identité certifiée et d'un titulaire
/// inscrit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correspondance {
    /// Tout correspond : le véhicule rejoint le compte sans code.
    Exacte,
    /// Même nom de naissance et même date de naissance, mais d'autres
    /// prénoms ou un autre lieu de naissance : rien n'est rattaché ;
    /// l'usager ajoute le véhicule avec son code.
    Partielle,
    /// Une autre personne.
    Aucune,
}

/// Le code COG du lieu de naissance d'une identité certifiée.
pub fn code_lieu(l: &LieuNaissance) -> &str {
    match l {
        LieuNaissance::France { commune } => commune,
        LieuNaissance::Etranger { pays } => pays,
    }
}

/// Compare l'identité pivot d'un compte certifié au titulaire inscrit.
pub fn comparer(identite: &IdentiteCertifiee, inscrit: &TitulaireInscrit<'_>) -> Correspondance {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = inscrit.date_naissance.and_then(|d| time::Date::parse(d.trim(), format).ok());
    if date != Some(identite.date_naissance) {
        return Correspondance::Aucune;
    }
    let meme_nom = cle_identite(inscrit.nom) == cle_identite(identite.nom_de_naissance.as_str());
    let memes_prenoms = inscrit.prenoms.is_some_and(|p| cle_identite(p) == cle_identite(identite.prenoms.as_str()));
    let meme_lieu = match inscrit.lieu_naissance.map(str::trim).filter(|l| !l.is_empty()) {
        Some(lieu) => lieu.eq_ignore_ascii_case(code_lieu(&identite.naissance)),
        None => true,
    };
    match (meme_nom, memes_prenoms, meme_lieu) {
        (true, true, true) => Correspondance::Exacte,
        (true, _, _) => Correspondance::Partielle,
        // Des prénoms communs le même jour ne disent rien d'une personne.
        (false, _, _) => Correspondance::Aucune,
    }
}

/// Le message de « Mes véhicules » quand un véhicule du registre ressemble
/// à l'identité du compte sans lui correspondre exactement.
pub const MESSAGE_CORRESPONDANCE_PARTIELLE: &str =
    "Un véhicule du registre est inscrit à un titulaire dont l'identité ressemble à la vôtre \
     sans lui correspondre exactement (nom, prénoms ou lieu de naissance) : il n'a pas été ajouté à votre compte. S'il est \
     le vôtre, ajoutez-le avec son code confidentiel (« Ajouter un véhicule »).";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Email, Nom, Prenoms};
    use proptest::prelude::*;

    fn identite(nom: &str, prenoms: &str, date: time::Date, lieu: LieuNaissance) -> IdentiteCertifiee {
        IdentiteCertifiee {
            email: Email::parse("x@example.org").unwrap(),
            civilite: None,
            prenoms: Prenoms::parse(prenoms).unwrap(),
            nom_de_naissance: Nom::parse(nom).unwrap(),
            nom_d_usage: None,
            date_naissance: date,
            naissance: lieu,
        }
    }

    fn inscrit<'a>(nom: &'a str, prenoms: &'a str, date: &'a str, lieu: Option<&'a str>) -> TitulaireInscrit<'a> {
        TitulaireInscrit { nom, prenoms: Some(prenoms), date_naissance: Some(date), lieu_naissance: lieu }
    }

    #[test]
    fn ajout_une_erreur_par_champ() {
        let e = AjoutVehicule { immatriculation: "AB 123".into(), code_confidentiel: "".into() }.valider().unwrap_err();
        assert_eq!(e.iter().map(|c| c.champ.as_str()).collect::<Vec<_>>(), ["immatriculation", "code_confidentiel"]);
        let (i, c) = AjoutVehicule { immatriculation: "ab123cd".into(), code_confidentiel: "ab2c d3ef".into() }.valider().unwrap();
        assert_eq!(i.to_string(), "AB-123-CD");
        assert_eq!(c.compact(), "AB2CD3EF");
    }

    #[test]
    fn cle_sans_accents_ni_ponctuation() {
        assert_eq!(cle_identite("Jean-Philippe Éloi"), "JEAN PHILIPPE ELOI");
        assert_eq!(cle_identite("DE LA TOUR D'AUVERGNE"), "DE LA TOUR D AUVERGNE");
        assert_eq!(cle_identite("  Lefèvre-Çavaillès "), "LEFEVRE CAVAILLES");
        assert_eq!(cle_identite("Lucía GARCÍA PÉREZ"), "LUCIA GARCIA PEREZ");
        assert_eq!(cle_identite("Œdipe Lætitia"), "OEDIPE LAETITIA");
    }

    #[test]
    fn identite_exacte_apres_normalisation() {
        let id = identite(
            "DE LA TOUR D'AUVERGNE",
            "Jean-Philippe Éloi",
            time::macros::date!(1976 - 02 - 29),
            LieuNaissance::France { commune: "69123".into() },
        );
        let r = inscrit("DE LA TOUR D AUVERGNE", "JEAN PHILIPPE ELOI", "1976-02-29", Some("69123"));
        assert_eq!(comparer(&id, &r), Correspondance::Exacte);
        // Le registre sans lieu de naissance : les trois autres suffisent.
        assert_eq!(comparer(&id, &TitulaireInscrit { lieu_naissance: None, ..r }), Correspondance::Exacte);
    }

    #[test]
    fn correspondances_partielles_et_aucune() {
        let id = identite(
            "DUBOIS",
            "Angela Claire Louise",
            time::macros::date!(1962 - 08 - 24),
            LieuNaissance::France { commune: "75107".into() },
        );
        // Un prénom de moins : partielle.
        assert_eq!(comparer(&id, &inscrit("DUBOIS", "Angela Claire", "1962-08-24", None)), Correspondance::Partielle);
        // Autre lieu de naissance : partielle.
        assert_eq!(comparer(&id, &inscrit("DUBOIS", "Angela Claire Louise", "1962-08-24", Some("75108"))), Correspondance::Partielle);
        // Autre nom, mêmes prénoms : une autre personne (prénoms communs).
        assert_eq!(comparer(&id, &inscrit("DUBOS", "Angela Claire Louise", "1962-08-24", None)), Correspondance::Aucune);
        // Autre date : aucune, même si le reste correspond.
        assert_eq!(comparer(&id, &inscrit("DUBOIS", "Angela Claire Louise", "1962-08-25", Some("75107"))), Correspondance::Aucune);
        // Autre personne née le même jour : aucune.
        assert_eq!(comparer(&id, &inscrit("MARTIN", "Paul", "1962-08-24", None)), Correspondance::Aucune);
        // Date absente ou illisible au registre : aucune.
        let sans_date = TitulaireInscrit { date_naissance: None, ..inscrit("DUBOIS", "Angela Claire Louise", "", None) };
        assert_eq!(comparer(&id, &sans_date), Correspondance::Aucune);
        // Prénoms dans un autre ordre : pas la même personne pour l'état civil.
        assert_eq!(comparer(&id, &inscrit("DUBOIS", "Claire Angela Louise", "1962-08-24", None)), Correspondance::Partielle);
    }

    #[test]
    fn ne_apres_l_etranger_compare_le_pays() {
        let id = identite("GARCÍA PÉREZ", "Lucía", time::macros::date!(1990 - 11 - 03), LieuNaissance::Etranger { pays: "99134".into() });
        assert_eq!(comparer(&id, &inscrit("GARCIA PEREZ", "LUCIA", "1990-11-03", Some("99134"))), Correspondance::Exacte);
        assert_eq!(comparer(&id, &inscrit("GARCIA PEREZ", "LUCIA", "1990-11-03", Some("99109"))), Correspondance::Partielle);
    }

    proptest! {
        #[test]
        fn cle_idempotente_et_resserree(s in "[a-zA-ZÀ-ÿŒœ '\\-]{0,40}") {
            let k = cle_identite(&s);
            prop_assert_eq!(cle_identite(&k), k.clone());
            prop_assert!(!k.starts_with(' ') && !k.ends_with(' ') && !k.contains("  "));
            prop_assert!(k.chars().all(|c| c == ' ' || c.is_alphanumeric()));
        }
    }
}
