//! Adresse postale : saisie, normalisation AFNOR NF Z 10-011 et
//! vérification de la commune (« Le système vérifie l'existence de l'adresse
//! et propose une correction le cas échéant »).
//!
//! Norme (fiche domaine §5) : au plus 6 lignes de 38 caractères ; lignes 4 à
//! 6 sans ponctuation, en majuscules sans accents ; on n'abrège le type de
//! voie que si le libellé dépasse 32 caractères. La liste des abréviations
//! ci-dessous est celle de la fiche (les dernières entrées y sont marquées
//! UNCONFIRMED) : c'est une donnée, à compléter depuis la liste officielle.

use crate::{api::ChampErreur, valeurs::CodePostal};
use serde::{Deserialize, Serialize};

pub const LIGNE_MAX: usize = 38;
pub const VOIE_SANS_ABREVIATION_MAX: usize = 32;
pub const LIGNES_MAX: usize = 6;

/// Types de voie et leur abréviation.
pub const ABREVIATIONS_VOIE: &[(&str, &str)] = &[
    ("ALLEE", "ALL"),
    ("AVENUE", "AV"),
    ("BOULEVARD", "BD"),
    ("CARREFOUR", "CARR"),
    ("CHAUSSEE", "CHAU"),
    ("CHEMIN", "CHE"),
    ("IMPASSE", "IMP"),
    ("PLACE", "PL"),
    ("ROUTE", "RTE"),
    ("SQUARE", "SQ"),
    ("FAUBOURG", "FG"),
    ("RESIDENCE", "RES"),
    ("LOTISSEMENT", "LOT"),
];

/// Ce que l'usager saisit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdresseSaisie {
    /// Numéro, type et libellé de voie : « 12 rue de la République ».
    pub voie: String,
    /// Complément (bâtiment, résidence, étage…), facultatif.
    #[serde(default)]
    pub complement: String,
    /// Lieu-dit ou boîte postale, facultatif.
    #[serde(default)]
    pub lieu_dit: String,
    pub code_postal: String,
    pub commune: String,
}

/// Une adresse validée et normalisée.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdresseNormalisee {
    pub voie: String,
    pub complement: Option<String>,
    pub lieu_dit: Option<String>,
    pub code_postal: String,
    pub commune: String,
}

impl AdresseNormalisee {
    /// Les lignes AFNOR de l'adresse seule (lignes 3 à 6).
    pub fn lignes(&self) -> Vec<String> {
        let mut l = Vec::new();
        l.extend(self.complement.clone());
        l.push(self.voie.clone());
        l.extend(self.lieu_dit.clone());
        l.push(format!("{} {}", self.code_postal, self.commune));
        l
    }

    pub fn une_ligne(&self) -> String {
        self.lignes().join(", ")
    }
}

/// Majuscules sans accents ; ponctuation remplacée par des espaces ;
/// espaces resserrés.
pub fn majuscules_sans_ponctuation(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let base = sans_accent(c);
        for u in base.to_uppercase() {
            if u.is_ascii_alphanumeric() {
                out.push(u);
            } else {
                out.push(' ');
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sans_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' => 'a',
        'À' | 'Â' | 'Ä' | 'Á' | 'Ã' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'î' | 'ï' | 'í' => 'i',
        'Î' | 'Ï' | 'Í' => 'I',
        'ô' | 'ö' | 'ó' | 'õ' => 'o',
        'Ô' | 'Ö' | 'Ó' | 'Õ' => 'O',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'Ù' | 'Û' | 'Ü' | 'Ú' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ÿ' => 'y',
        'Ÿ' => 'Y',
        'œ' => 'o',
        'Œ' => 'O',
        'æ' => 'a',
        'Æ' => 'A',
        c => c,
    }
}

/// La ligne « numéro + type + libellé de voie » selon AFNOR : majuscules,
/// sans ponctuation ; type de voie abrégé seulement au-delà de 32
/// caractères.
pub fn normaliser_voie(s: &str) -> String {
    let l = majuscules_sans_ponctuation(s);
    if l.chars().count() <= VOIE_SANS_ABREVIATION_MAX {
        return l;
    }
    l.split(' ')
        .map(|mot| ABREVIATIONS_VOIE.iter().find(|(long, _)| *long == mot).map_or(mot, |(_, court)| *court))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Valide et normalise une adresse saisie ; les erreurs sont rendues par
/// champ, préfixées (`{prefixe}.voie`…).
pub fn valider_adresse(a: &AdresseSaisie, prefixe: &str) -> Result<AdresseNormalisee, Vec<ChampErreur>> {
    let mut erreurs = Vec::new();
    let champ = |n: &str| format!("{prefixe}.{n}");
    let voie = normaliser_voie(&a.voie);
    if voie.is_empty() {
        erreurs.push(ChampErreur::new(champ("voie"), "Veuillez saisir le numéro et le libellé de la voie."));
    } else if voie.chars().count() > LIGNE_MAX {
        erreurs.push(ChampErreur::new(champ("voie"), format!("La voie compte au plus {LIGNE_MAX} caractères une fois normalisée.")));
    }
    let optionnel = |s: &str, n: &str, erreurs: &mut Vec<ChampErreur>| {
        let l = majuscules_sans_ponctuation(s);
        if l.chars().count() > LIGNE_MAX {
            erreurs.push(ChampErreur::new(champ(n), format!("Ce champ compte au plus {LIGNE_MAX} caractères.")));
        }
        (!l.is_empty()).then_some(l)
    };
    let complement = optionnel(&a.complement, "complement", &mut erreurs);
    let lieu_dit = optionnel(&a.lieu_dit, "lieu_dit", &mut erreurs);
    let code_postal = CodePostal::parse(&a.code_postal).map_err(|e| erreurs.push(ChampErreur::new(champ("code_postal"), e))).ok();
    let commune = majuscules_sans_ponctuation(&a.commune);
    if commune.is_empty() {
        erreurs.push(ChampErreur::new(champ("commune"), "Veuillez saisir la commune."));
    } else if commune.chars().count() > LIGNE_MAX - 6 {
        erreurs.push(ChampErreur::new(champ("commune"), "Le nom de la commune est trop long."));
    }
    match code_postal {
        Some(cp) if erreurs.is_empty() => Ok(AdresseNormalisee { voie, complement, lieu_dit, code_postal: cp.to_string(), commune }),
        _ => Err(erreurs),
    }
}

/// Les lignes AFNOR complètes d'un courrier : identité du destinataire puis
/// l'adresse ; au plus 6 lignes de 38 caractères, lignes vides omises.
pub fn lignes_afnor(destinataire: &str, adresse: &AdresseNormalisee) -> Vec<String> {
    let mut lignes = vec![majuscules_sans_ponctuation(destinataire)];
    lignes.extend(adresse.lignes());
    lignes.into_iter().filter(|l| !l.is_empty()).map(|l| l.chars().take(LIGNE_MAX).collect()).take(LIGNES_MAX).collect()
}

/// Le résultat de la vérification de la commune au regard du code postal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "resultat", rename_all = "snake_case")]
pub enum VerificationCommune {
    /// La commune correspond au code postal (nom officiel en majuscules).
    Conforme { commune: String },
    /// « Vouliez-vous dire : 13001 MARSEILLE ? »
    Proposition { code_postal: String, commune: String },
    /// Aucun nom de commune connu pour ce code postal.
    CodePostalInconnu,
}

/// Clé de comparaison : majuscules sans accents, SAINT abrégé en ST.
fn cle(s: &str) -> String {
    majuscules_sans_ponctuation(s)
        .split(' ')
        .map(|m| match m {
            "SAINT" => "ST",
            "SAINTE" => "STE",
            m => m,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cout = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cout);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Vérifie `commune` parmi les communes officielles du code postal.
pub fn verifier_commune(code_postal: &str, commune: &str, communes_du_code: &[&str]) -> VerificationCommune {
    let saisie = cle(commune);
    let mut meilleure: Option<(usize, &str)> = None;
    for officielle in communes_du_code {
        let d = distance(&saisie, &cle(officielle));
        if d == 0 {
            return VerificationCommune::Conforme { commune: majuscules_sans_ponctuation(officielle) };
        }
        if meilleure.is_none_or(|(m, _)| d < m) {
            meilleure = Some((d, officielle));
        }
    }
    match meilleure {
        Some((_, c)) => VerificationCommune::Proposition { code_postal: code_postal.to_owned(), commune: majuscules_sans_ponctuation(c) },
        None => VerificationCommune::CodePostalInconnu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn saisie(voie: &str, cp: &str, commune: &str) -> AdresseSaisie {
        AdresseSaisie { voie: voie.into(), code_postal: cp.into(), commune: commune.into(), ..Default::default() }
    }

    #[test]
    fn voie_en_majuscules_sans_ponctuation_ni_accents() {
        assert_eq!(normaliser_voie("12, rue de l'Église"), "12 RUE DE L EGLISE");
        assert_eq!(normaliser_voie("  3 bis   avenue  des Tilleuls "), "3 BIS AVENUE DES TILLEULS");
    }

    #[test]
    fn abreviation_seulement_au_dela_de_32_caracteres() {
        // « AVENUE DES FLEURS » reste en toutes lettres.
        assert_eq!(normaliser_voie("avenue des fleurs"), "AVENUE DES FLEURS");
        let longue = normaliser_voie("14 avenue du Président Franklin Roosevelt");
        assert_eq!(longue, "14 AV DU PRESIDENT FRANKLIN ROOSEVELT");
        assert!(longue.chars().count() <= LIGNE_MAX);
    }

    #[test]
    fn adresse_valide_et_erreurs_par_champ() {
        let a = valider_adresse(&saisie("8 place Bellecour", "69002", "Lyon"), "adresse").unwrap();
        assert_eq!(a.lignes(), ["8 PLACE BELLECOUR", "69002 LYON"]);
        let e = valider_adresse(&saisie("", "690", ""), "adresse").unwrap_err();
        let champs: Vec<&str> = e.iter().map(|c| c.champ.as_str()).collect();
        assert_eq!(champs, ["adresse.voie", "adresse.code_postal", "adresse.commune"]);
        let trop = valider_adresse(&saisie(&"1 rue ".repeat(10), "69002", "Lyon"), "a").unwrap_err();
        assert_eq!(trop[0].champ, "a.voie");
    }

    #[test]
    fn lignes_afnor_six_lignes_de_38_caracteres() {
        let a = AdresseNormalisee {
            voie: "12 RUE DE LA REPUBLIQUE".into(),
            complement: Some("BATIMENT B ESCALIER 2".into()),
            lieu_dit: Some("LIEU DIT LES VIGNES".into()),
            code_postal: "69002".into(),
            commune: "LYON".into(),
        };
        let l = lignes_afnor("M. Julien Paul", &a);
        assert_eq!(l, ["M JULIEN PAUL", "BATIMENT B ESCALIER 2", "12 RUE DE LA REPUBLIQUE", "LIEU DIT LES VIGNES", "69002 LYON"]);
        assert!(l.len() <= LIGNES_MAX);
        for ligne in &l {
            assert!(ligne.chars().count() <= LIGNE_MAX);
            assert!(ligne.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' '), "{ligne}");
        }
    }

    #[test]
    fn commune_conforme_mal_orthographiee_ou_d_un_autre_code() {
        assert_eq!(verifier_commune("13001", "marseille", &["Marseille"]), VerificationCommune::Conforme { commune: "MARSEILLE".into() });
        assert_eq!(
            verifier_commune("13001", "Marseile", &["Marseille"]),
            VerificationCommune::Proposition { code_postal: "13001".into(), commune: "MARSEILLE".into() }
        );
        // Une commune qui ne correspond pas au code : la commune du code est proposée.
        assert_eq!(
            verifier_commune("13001", "Lyon", &["Marseille"]),
            VerificationCommune::Proposition { code_postal: "13001".into(), commune: "MARSEILLE".into() }
        );
        assert_eq!(
            verifier_commune("42400", "St Chamond", &["Saint-Chamond"]),
            VerificationCommune::Conforme { commune: "SAINT CHAMOND".into() }
        );
        assert_eq!(verifier_commune("99999", "X", &[]), VerificationCommune::CodePostalInconnu);
        // Plusieurs communes pour un code : la plus proche.
        assert_eq!(
            verifier_commune("01400", "Abergement Clemencia", &["Châtillon-sur-Chalaronne", "L'Abergement-Clémenciat"]),
            VerificationCommune::Proposition { code_postal: "01400".into(), commune: "L ABERGEMENT CLEMENCIAT".into() }
        );
    }

    proptest! {
        #[test]
        fn voie_normalisee_idempotente_et_sans_ponctuation(s in "\\PC{0,60}") {
            let v = normaliser_voie(&s);
            prop_assert_eq!(normaliser_voie(&v), v.clone());
            prop_assert!(v.chars().all(|c| c.is_alphanumeric() || c == ' '));
        }
        #[test]
        fn verification_jamais_de_panique(s in "\\PC*", t in "\\PC*") {
            let _ = verifier_commune("75001", &s, &[t.as_str()]);
        }
    }
}
