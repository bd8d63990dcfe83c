//! Le catalogue de la téléprocédure complémentaire (TPC) : catégories,
//! sous-catégories et pièces à numériser, tel que le support le décrit.
//!
//! Chaque sous-catégorie demande, si la démarche est faite pour autrui, le
//! « justificatif d'identité du mandant » et le « cerfa 13757 signé ».
//! « Toutes les téléprocédures complémentaires nécessitent de fournir des
//! pièces justificatives à l'exception des TPC qui concernent des véhicules
//! diplomatiques. »

use crate::compte::PourQui;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Toujours,
    /// « si démarche pour autrui »
    SiPourAutrui,
    /// « si véhicule acquis à l'étranger »
    SiAcquisALEtranger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub code: &'static str,
    pub libelle: &'static str,
    pub condition: Condition,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct SousCategorie {
    pub code: &'static str,
    pub libelle: &'static str,
    /// Les pièces propres à la sous-catégorie (sans celles du mandant).
    pub pieces: &'static [Piece],
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Categorie {
    pub code: &'static str,
    pub libelle: &'static str,
    pub sous_categories: &'static [SousCategorie],
}

/// Les deux pièces demandées dans toutes les sous-catégories quand la
/// démarche est faite pour quelqu'un d'autre.
pub const PIECES_MANDANT: [Piece; 2] = [
    Piece { code: "identite_mandant", libelle: "justificatif d'identité du mandant", condition: Condition::SiPourAutrui },
    Piece { code: "cerfa_13757", libelle: "cerfa 13757 signé", condition: Condition::SiPourAutrui },
];

const fn p(code: &'static str, libelle: &'static str) -> Piece {
    Piece { code, libelle, condition: Condition::Toujours }
}

const fn sc(code: &'static str, libelle: &'static str, pieces: &'static [Piece]) -> SousCategorie {
    SousCategorie { code, libelle, pieces }
}

pub static CATALOGUE: [Categorie; 7] = [
    Categorie {
        code: "premiere_immatriculation",
        libelle: "Immatriculer pour la première fois un véhicule en France",
        sous_categories: &[
            sc("vehicule_neuf", "immatriculation d'un véhicule neuf", &[
                p("justificatif_adresse", "justificatif d'adresse"),
                p("cerfa_13749", "demande d'immatriculation d'un véhicule neuf signée (Cerfa N° 13749)"),
                p("justificatif_vente", "justificatif de vente"),
                p("certificat_conformite", "certificat de conformité ou pièce équivalente justifiant les caractéristiques techniques du véhicule"),
                Piece { code: "justificatif_fiscal", libelle: "justificatif fiscal (si véhicule acquis à l'étranger)", condition: Condition::SiAcquisALEtranger },
            ]),
            sc("vehicule_etranger", "immatriculation d'un véhicule en provenance de l'étranger", &[
                p("justificatif_adresse", "justificatif d'adresse"),
                p("justificatif_vente_propriete", "justificatif de vente ou de propriété"),
                p("ci_etranger", "certificat d'immatriculation étranger ou pièce équivalente justifiant les caractéristiques techniques du véhicule"),
                p("justificatif_fiscal", "justificatif fiscal"),
                p("ci_etranger_propriete", "certificat d'immatriculation étranger ou pièces équivalentes permettant de justifier les caractéristiques techniques et la propriété du véhicule"),
            ]),
        ],
    },
    Categorie {
        code: "corriger_erreur",
        libelle: "Corriger une erreur sur mon certificat d'immatriculation ou mon dossier administratif",
        sous_categories: &[
            sc("correction_titulaire", "correction des informations du titulaire, locataire ou co-titulaire du véhicule", &[
                p("piece_correction_nominative", "pièce justificative de la correction à effectuer sur les informations nominatives du titre"),
            ]),
            sc("correction_situation", "correction des informations sur la situation administrative de mon véhicule", &[
                p("piece_correction_administrative", "pièce justificative de la correction à effectuer sur les informations administratives du véhicule"),
            ]),
            sc("correction_vehicule", "correction des informations sur mon véhicule", &[
                p("piece_correction_technique", "pièce justificative de la correction à effectuer sur les informations techniques du véhicule"),
            ]),
            sc("autre_correction", "autre demande de correction", &[
                p("piece_correction", "pièce justificative de la correction à effectuer"),
            ]),
        ],
    },
    Categorie {
        code: "situation_personnelle",
        libelle: "Signaler un changement sur ma situation personnelle",
        sous_categories: &[
            sc("deces_heritage", "actualisation du certificat d'immatriculation suite à un décès ou héritage", &[
                p("piece_succession", "pièce justificative de la succession"),
            ]),
            sc("etat_civil", "changement d'état civil, de raison sociale ou d'état matrimonial", &[
                p("piece_changement_etat", "pièce justificative du changement d'état"),
            ]),
            sc("cotitulaire", "ajout ou retrait d'un co-titulaire", &[
                p("piece_cotitulaire", "pièce justificative de l'ajout ou du retrait de cotitulaire"),
            ]),
        ],
    },
    Categorie {
        code: "situation_vehicule",
        libelle: "Signaler un changement sur la situation de mon véhicule",
        sous_categories: &[
            sc("modification_technique", "modification technique du véhicule", &[
                p("piece_modification_technique", "pièce justificative de la modification technique du véhicule"),
            ]),
            sc("mention_usage", "ajout ou retrait d'une mention d'usage sur le véhicule", &[
                p("piece_usage", "pièce justificative de l'ajout ou du retrait d'usage"),
            ]),
            sc("retrait_remise_circulation", "retrait ou remise en circulation du véhicule", &[
                p("cerfa_13756", "demande de retrait (cerfa 13756)"),
                p("cerfa_13750", "demande de remise en circulation (cerfa 13750)"),
            ]),
            sc("vehicule_dangereux", "déclaration liée à un véhicule dangereux ou à détruire", &[
                p("piece_situation_vehicule", "pièce justificative de la situation du véhicule"),
            ]),
        ],
    },
    Categorie {
        code: "justificatif",
        libelle: "Obtenir un justificatif",
        sous_categories: &[
            sc("csa_detaille", "certificat de situation administrative détaillé", &[]),
            sc("fiche_identification", "fiche d'identification du véhicule", &[
                p("piece_absence_ci", "pièce justificative de l'absence de certificat d'immatriculation"),
            ]),
            sc("autre_justificatif", "autre demande de justificatif", &[]),
        ],
    },
    Categorie {
        code: "operation_professionnelle",
        libelle: "Demander une opération non télétransmise par habilitation professionnelle au SIV",
        sous_categories: &[
            sc("commerce", "opération liée au commerce de l'automobile", &[p("pieces_operation", "pièce(s) justificative(s) de l'opération à effectuer")]),
            sc("location", "opération liée à la location de véhicules", &[p("pieces_operation", "pièce(s) justificative(s) de l'opération à effectuer")]),
            sc("expertise", "opération liée à l'expertise automobile", &[p("pieces_operation", "pièce(s) justificative(s) de l'opération à effectuer")]),
            sc("gages_saisies", "opération liée aux gages et saisies", &[p("pieces_operation", "pièce(s) justificative(s) de l'opération à effectuer")]),
            sc("destruction", "opération liée à la destruction de véhicules", &[p("pieces_operation", "pièce(s) justificative(s) de l'opération à effectuer")]),
            sc("erreur_saisie", "correction d'une erreur de saisie sur mon interface", &[p("pieces_erreur", "pièce(s) justificative(s) de l'erreur à corriger")]),
        ],
    },
    Categorie {
        code: "question",
        libelle: "Poser une question ou faire une autre demande",
        sous_categories: &[sc("champ_libre", "champ libre", &[])],
    },
];

/// Toutes les pièces du catalogue (celles du mandant d'abord).
pub fn toutes_les_pieces() -> impl Iterator<Item = &'static Piece> {
    PIECES_MANDANT.iter().chain(CATALOGUE.iter().flat_map(|c| c.sous_categories.iter()).flat_map(|s| s.pieces.iter()))
}

pub fn categorie(code: &str) -> Option<&'static Categorie> {
    CATALOGUE.iter().find(|c| c.code == code)
}

pub fn sous_categorie(categorie_code: &str, code: &str) -> Option<&'static SousCategorie> {
    categorie(categorie_code)?.sous_categories.iter().find(|s| s.code == code)
}

/// La sous-catégorie concerne-t-elle un véhicule déjà immatriculé en
/// France ? Alors son numéro d'immatriculation est demandé. (Choix du
/// projet : tout sauf la première immatriculation et la question libre.)
pub fn concerne_un_vehicule_immatricule(categorie_code: &str, sc: &SousCategorie) -> bool {
    categorie_code != "premiere_immatriculation" && sc.code != "champ_libre"
}

/// La demande mène-t-elle à un nouveau certificat d'immatriculation (donc à
/// des taxes, payées par carte après l'acceptation du CERT) ? Choix du
/// projet, le support étant muet : la première immatriculation, et les
/// changements qui modifient ce que le certificat porte (titulaire, état
/// civil, cotitulaire, caractéristiques techniques, usage, corrections du
/// titre ou du véhicule, succession).
pub fn mene_a_un_nouveau_certificat(sc: &SousCategorie) -> bool {
    matches!(
        sc.code,
        "vehicule_neuf"
            | "vehicule_etranger"
            | "correction_titulaire"
            | "correction_vehicule"
            | "deces_heritage"
            | "etat_civil"
            | "cotitulaire"
            | "modification_technique"
            | "mention_usage"
    )
}

/// Les circonstances qui décident des pièces à joindre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Circonstances {
    pub pour: PourQui,
    pub acquis_a_l_etranger: bool,
    pub vehicule_diplomatique: bool,
}

/// Les pièces que le système suggère pour cette sous-catégorie.
pub fn pieces_requises(sc: &SousCategorie, c: Circonstances) -> Vec<Piece> {
    if c.vehicule_diplomatique {
        return Vec::new();
    }
    PIECES_MANDANT
        .iter()
        .chain(sc.pieces.iter())
        .filter(|p| match p.condition {
            Condition::Toujours => true,
            Condition::SiPourAutrui => c.pour == PourQui::Autrui,
            Condition::SiAcquisALEtranger => c.acquis_a_l_etranger,
        })
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOI: Circonstances = Circonstances { pour: PourQui::MoiMeme, acquis_a_l_etranger: false, vehicule_diplomatique: false };
    const AUTRUI: Circonstances = Circonstances { pour: PourQui::Autrui, ..MOI };

    /// Le support, ligne à ligne : (catégorie, sous-catégorie, pièces pour
    /// soi-même). Pour autrui s'ajoutent, en tête, « justificatif d'identité
    /// du mandant » et « cerfa 13757 signé ». Écrit depuis le support, pas
    /// depuis le catalogue.
    const SUPPORT: [(&str, &str, &[&str]); 23] = [
        ("Immatriculer pour la première fois un véhicule en France", "immatriculation d'un véhicule neuf", &[
            "justificatif d'adresse",
            "demande d'immatriculation d'un véhicule neuf signée (Cerfa N° 13749)",
            "justificatif de vente",
            "certificat de conformité ou pièce équivalente justifiant les caractéristiques techniques du véhicule",
        ]),
        ("Immatriculer pour la première fois un véhicule en France", "immatriculation d'un véhicule en provenance de l'étranger", &[
            "justificatif d'adresse",
            "justificatif de vente ou de propriété",
            "certificat d'immatriculation étranger ou pièce équivalente justifiant les caractéristiques techniques du véhicule",
            "justificatif fiscal",
            "certificat d'immatriculation étranger ou pièces équivalentes permettant de justifier les caractéristiques techniques et la propriété du véhicule",
        ]),
        ("Corriger une erreur sur mon certificat d'immatriculation ou mon dossier administratif", "correction des informations du titulaire, locataire ou co-titulaire du véhicule", &[
            "pièce justificative de la correction à effectuer sur les informations nominatives du titre",
        ]),
        ("Corriger une erreur sur mon certificat d'immatriculation ou mon dossier administratif", "correction des informations sur la situation administrative de mon véhicule", &[
            "pièce justificative de la correction à effectuer sur les informations administratives du véhicule",
        ]),
        ("Corriger une erreur sur mon certificat d'immatriculation ou mon dossier administratif", "correction des informations sur mon véhicule", &[
            "pièce justificative de la correction à effectuer sur les informations techniques du véhicule",
        ]),
        ("Corriger une erreur sur mon certificat d'immatriculation ou mon dossier administratif", "autre demande de correction", &[
            "pièce justificative de la correction à effectuer",
        ]),
        ("Signaler un changement sur ma situation personnelle", "actualisation du certificat d'immatriculation suite à un décès ou héritage", &[
            "pièce justificative de la succession",
        ]),
        ("Signaler un changement sur ma situation personnelle", "changement d'état civil, de raison sociale ou d'état matrimonial", &[
            "pièce justificative du changement d'état",
        ]),
        ("Signaler un changement sur ma situation personnelle", "ajout ou retrait d'un co-titulaire", &[
            "pièce justificative de l'ajout ou du retrait de cotitulaire",
        ]),
        ("Signaler un changement sur la situation de mon véhicule", "modification technique du véhicule", &[
            "pièce justificative de la modification technique du véhicule",
        ]),
        ("Signaler un changement sur la situation de mon véhicule", "ajout ou retrait d'une mention d'usage sur le véhicule", &[
            "pièce justificative de l'ajout ou du retrait d'usage",
        ]),
        ("Signaler un changement sur la situation de mon véhicule", "retrait ou remise en circulation du véhicule", &[
            "demande de retrait (cerfa 13756)",
            "demande de remise en circulation (cerfa 13750)",
        ]),
        ("Signaler un changement sur la situation de mon véhicule", "déclaration liée à un véhicule dangereux ou à détruire", &[
            "pièce justificative de la situation du véhicule",
        ]),
        ("Obtenir un justificatif", "certificat de situation administrative détaillé", &[]),
        ("Obtenir un justificatif", "fiche d'identification du véhicule", &[
            "pièce justificative de l'absence de certificat d'immatriculation",
        ]),
        ("Obtenir un justificatif", "autre demande de justificatif", &[]),
        ("Demander une opération non télétransmise par habilitation professionnelle au SIV", "opération liée au commerce de l'automobile", &[
            "pièce(s) justificative(s) de l'opération à effectuer",
        ]),
        ("Demander une opération non télétransmise par habilitation professionnelle au SIV", "opération liée à la location de véhicules", &[
            "pièce(s) justificative(s) de l'opération à effectuer",
        ]),
        ("Demander une opération non télétransmise par habilitation professionnelle au SIV", "opération liée à l'expertise automobile", &[
            "pièce(s) justificative(s) de l'opération à effectuer",
        ]),
        ("Demander une opération non télétransmise par habilitation professionnelle au SIV", "opération liée aux gages et saisies", &[
            "pièce(s) justificative(s) de l'opération à effectuer",
        ]),
        ("Demander une opération non télétransmise par habilitation professionnelle au SIV", "opération liée à la destruction de véhicules", &[
            "pièce(s) justificative(s) de l'opération à effectuer",
        ]),
        ("Demander une opération non télétransmise par habilitation professionnelle au SIV", "correction d'une erreur de saisie sur mon interface", &[
            "pièce(s) justificative(s) de l'erreur à corriger",
        ]),
        ("Poser une question ou faire une autre demande", "champ libre", &[]),
    ];

    fn libelles(pieces: &[Piece]) -> Vec<&'static str> {
        pieces.iter().map(|p| p.libelle).collect()
    }

    #[test]
    fn chaque_sous_categorie_du_support_libelle_par_libelle() {
        let catalogue: Vec<(&Categorie, &SousCategorie)> =
            CATALOGUE.iter().flat_map(|c| c.sous_categories.iter().map(move |sc| (c, sc))).collect();
        assert_eq!(catalogue.len(), SUPPORT.len());
        for ((c, sc), (cat, sous, pieces)) in catalogue.iter().zip(SUPPORT.iter()) {
            assert_eq!((c.libelle, sc.libelle), (*cat, *sous));
            assert_eq!(libelles(&pieces_requises(sc, MOI)), *pieces, "{sous} pour soi-même");
            let mut autrui = vec!["justificatif d'identité du mandant", "cerfa 13757 signé"];
            autrui.extend_from_slice(pieces);
            assert_eq!(libelles(&pieces_requises(sc, AUTRUI)), autrui, "{sous} pour autrui");
        }
    }

    #[test]
    fn numero_d_immatriculation_et_taxes_par_sous_categorie() {
        let sans_plaque: Vec<&str> = CATALOGUE
            .iter()
            .flat_map(|c| c.sous_categories.iter().map(move |sc| (c.code, sc)))
            .filter(|(c, sc)| !concerne_un_vehicule_immatricule(c, sc))
            .map(|(_, sc)| sc.code)
            .collect();
        assert_eq!(sans_plaque, ["vehicule_neuf", "vehicule_etranger", "champ_libre"]);
        let taxees: Vec<&str> = CATALOGUE
            .iter()
            .flat_map(|c| c.sous_categories.iter())
            .filter(|sc| mene_a_un_nouveau_certificat(sc))
            .map(|sc| sc.code)
            .collect();
        assert_eq!(taxees.len(), 9);
        for code in ["csa_detaille", "champ_libre", "commerce", "correction_situation", "retrait_remise_circulation"] {
            assert!(!taxees.contains(&code), "{code}");
        }
    }

    #[test]
    fn sept_categories_et_leurs_sous_categories() {
        let comptes: Vec<usize> = CATALOGUE.iter().map(|c| c.sous_categories.len()).collect();
        assert_eq!(comptes, [2, 4, 3, 4, 3, 6, 1]);
        assert_eq!(comptes.iter().sum::<usize>(), 23);
    }

    #[test]
    fn codes_uniques() {
        let mut codes: Vec<&str> = CATALOGUE.iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 7);
        for c in &CATALOGUE {
            let mut s: Vec<&str> = c.sous_categories.iter().map(|s| s.code).collect();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), c.sous_categories.len(), "{}", c.code);
        }
    }

    #[test]
    fn immatriculation_d_un_vehicule_neuf() {
        let sc = sous_categorie("premiere_immatriculation", "vehicule_neuf").unwrap();
        assert_eq!(pieces_requises(sc, MOI).len(), 4);
        let etranger = Circonstances { acquis_a_l_etranger: true, ..MOI };
        assert_eq!(pieces_requises(sc, etranger).len(), 5);
        let tout = Circonstances { acquis_a_l_etranger: true, ..AUTRUI };
        let pieces = pieces_requises(sc, tout);
        assert_eq!(pieces.len(), 7);
        assert_eq!(pieces[0].libelle, "justificatif d'identité du mandant");
        assert_eq!(pieces[1].libelle, "cerfa 13757 signé");
        assert!(pieces.iter().any(|p| p.libelle.contains("Cerfa N° 13749")));
    }

    #[test]
    fn immatriculation_d_un_vehicule_en_provenance_de_l_etranger() {
        let sc = sous_categorie("premiere_immatriculation", "vehicule_etranger").unwrap();
        assert_eq!(pieces_requises(sc, MOI).len(), 5);
    }

    #[test]
    fn pour_autrui_ajoute_mandant_et_cerfa_13757_partout() {
        for c in &CATALOGUE {
            for sc in c.sous_categories {
                let moi = pieces_requises(sc, MOI).len();
                let autrui = pieces_requises(sc, AUTRUI);
                assert_eq!(autrui.len(), moi + 2, "{}", sc.code);
                assert!(autrui.iter().any(|p| p.code == "cerfa_13757"));
            }
        }
    }

    #[test]
    fn justificatifs_sans_autre_piece() {
        for code in ["csa_detaille", "autre_justificatif"] {
            assert!(pieces_requises(sous_categorie("justificatif", code).unwrap(), MOI).is_empty());
        }
        assert!(pieces_requises(sous_categorie("question", "champ_libre").unwrap(), MOI).is_empty());
    }

    #[test]
    fn retrait_ou_remise_en_circulation_deux_cerfas() {
        let sc = sous_categorie("situation_vehicule", "retrait_remise_circulation").unwrap();
        let codes: Vec<&str> = pieces_requises(sc, MOI).iter().map(|p| p.code).collect();
        assert_eq!(codes, ["cerfa_13756", "cerfa_13750"]);
    }

    #[test]
    fn vehicules_diplomatiques_sans_piece_justificative() {
        let diplo = Circonstances { vehicule_diplomatique: true, ..AUTRUI };
        for c in &CATALOGUE {
            for sc in c.sous_categories {
                assert!(pieces_requises(sc, diplo).is_empty());
            }
        }
    }

    #[test]
    fn toutes_les_autres_demandent_une_piece_sauf_les_justificatifs_simples() {
        let sans_piece: Vec<&str> = CATALOGUE
            .iter()
            .flat_map(|c| c.sous_categories.iter())
            .filter(|sc| pieces_requises(sc, MOI).is_empty())
            .map(|sc| sc.code)
            .collect();
        assert_eq!(sans_piece, ["csa_detaille", "autre_justificatif", "champ_libre"]);
    }
}
