//! Le catalogue de la téléprocédure complémentaire (TPC) : catégories,
//! sous-catégories et pièces à numériser, tel que le support le décrit.
//!
//! Chaque sous-catégorie demande, si la démarche est faite pour autrui, le
//! « justificatif d'identité du mandant » et le « cerfa 13757 signé ».
//! « Toutes les téléprocédures complémentaires nécessitent de fournir des
//! pièces justificatives à l'exception des TPC qui concernent des véhicules
//! diplomatiques. »

use crate::{
    api::ChampErreur,
    changement_titulaire::{TitulaireSaisie, TitulaireValide},
    compte::PourQui,
    taxes::{Energie, Genre},
    valeurs::{parse_date_fr, DateFr, Immatriculation, Vin},
};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Toujours,
    /// « si démarche pour autrui »
    SiPourAutrui,
    /// « si véhicule acquis à l'étranger »
    SiAcquisALEtranger,
    /// Le cerfa de l'opération choisie (retrait ou remise en circulation) :
    /// tant qu'aucune ne l'est, les deux sont proposés, comme dans le
    /// support ; ensuite, celui de l'opération seulement.
    SiOperation(OperationCirculation),
}

/// « retrait ou remise en circulation du véhicule » : l'opération demandée.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationCirculation {
    Retrait,
    RemiseEnCirculation,
}

impl OperationCirculation {
    pub const TOUTES: [Self; 2] = [Self::Retrait, Self::RemiseEnCirculation];
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Retrait => "Retrait de la circulation",
            Self::RemiseEnCirculation => "Remise en circulation",
        }
    }
}

/// La sous-catégorie demande-t-elle de choisir une opération (ses pièces en
/// dépendent) ? Déduit du catalogue.
pub fn demande_une_operation(sc: &SousCategorie) -> bool {
    sc.pieces.iter().any(|p| matches!(p.condition, Condition::SiOperation(_)))
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
            // Le support cite deux fois le certificat étranger (« ou pièce
            // équivalente justifiant les caractéristiques techniques », puis
            // « … les caractéristiques techniques et la propriété ») : la
            // seconde couvre la première, une seule pièce est demandée.
            sc("vehicule_etranger", "immatriculation d'un véhicule en provenance de l'étranger", &[
                p("justificatif_adresse", "justificatif d'adresse"),
                p("justificatif_vente_propriete", "justificatif de vente ou de propriété"),
                p("justificatif_fiscal_import", "justificatif fiscal"),
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
                Piece {
                    code: "cerfa_13756",
                    libelle: "demande de retrait (cerfa 13756)",
                    condition: Condition::SiOperation(OperationCirculation::Retrait),
                },
                Piece {
                    code: "cerfa_13750",
                    libelle: "demande de remise en circulation (cerfa 13750)",
                    condition: Condition::SiOperation(OperationCirculation::RemiseEnCirculation),
                },
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

/// Ce que coûte une sous-catégorie, du point de vue des taxes (CIBS L421-29
/// et suivants). Le support est muet : choix du projet, écrits ici comme
/// données (fiche domaine §2.7), et dits dans le README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxesTpc {
    /// Pas de nouveau certificat : rien à payer.
    Aucune,
    /// Un certificat corrigé, réédité et acheminé : Y5 seule (la correction
    /// d'une erreur n'est pas taxée ; UNCONFIRMED).
    Acheminement,
    /// Y4 et Y5 : l'exonération de Y1 pour le changement d'état civil
    /// (L421-52) ; retenue aussi pour l'ajout ou le retrait d'un cotitulaire
    /// (UNCONFIRMED).
    TaxeFixe,
    /// Y1, Y4, Y5 : un nouveau certificat pour des caractéristiques ou un
    /// usage modifiés (Y1 est due à toute délivrance non exonérée).
    Regionale,
    /// Y1, Y2, Y4, Y5, comme un changement de titulaire (succession).
    ChangementDeTitulaire,
    /// Y1, Y2, Y4, Y5 pour une première immatriculation en France ; le
    /// malus (Y3) n'est pas calculé par ce service (son barème n'est pas
    /// intégré) : le CERT le fixe.
    PremiereImmatriculation,
}

/// Le barème de chaque sous-catégorie.
pub fn taxes_tpc(sc: &SousCategorie) -> TaxesTpc {
    match sc.code {
        "vehicule_neuf" | "vehicule_etranger" => TaxesTpc::PremiereImmatriculation,
        "correction_titulaire" | "correction_vehicule" => TaxesTpc::Acheminement,
        "deces_heritage" => TaxesTpc::ChangementDeTitulaire,
        "etat_civil" | "cotitulaire" => TaxesTpc::TaxeFixe,
        "modification_technique" | "mention_usage" => TaxesTpc::Regionale,
        _ => TaxesTpc::Aucune,
    }
}

/// La demande mène-t-elle à un nouveau certificat d'immatriculation (donc à
/// des taxes, payées par carte après l'acceptation du CERT) ?
pub fn mene_a_un_nouveau_certificat(sc: &SousCategorie) -> bool {
    taxes_tpc(sc) != TaxesTpc::Aucune
}

/// Le motif d'une TPC : la catégorie, puis la sous-catégorie qui en dépend.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotifTpc {
    #[serde(default)]
    pub categorie: String,
    #[serde(default)]
    pub sous_categorie: String,
}

impl MotifTpc {
    /// La catégorie et la sous-catégorie du catalogue, ou une erreur au champ.
    pub fn valider(&self) -> Result<(&'static Categorie, &'static SousCategorie), Vec<ChampErreur>> {
        let Some(c) = categorie(&self.categorie) else {
            return Err(vec![ChampErreur::new("motif.categorie", "Choisissez la catégorie de votre demande.")]);
        };
        match c.sous_categories.iter().find(|s| s.code == self.sous_categorie) {
            Some(sc) => Ok((c, sc)),
            None => Err(vec![ChampErreur::new("motif.sous_categorie", "Choisissez la sous-catégorie de votre demande.")]),
        }
    }

    /// Le numéro d'immatriculation est-il demandé pour ce motif ?
    pub fn demande_une_immatriculation(&self) -> bool {
        self.valider().is_ok_and(|(c, sc)| concerne_un_vehicule_immatricule(c.code, sc))
    }

    pub fn libelle(&self) -> String {
        match self.valider() {
            Ok((c, sc)) => format!("{} — {}", c.libelle, sc.libelle),
            Err(_) => "Motif non choisi".to_owned(),
        }
    }
}

/// Longueur maximale de l'objet de la demande.
pub const OBJET_MAX: usize = 2000;

/// Un véhicule à immatriculer pour la première fois en France : ce que le
/// certificat portera et ce qui fixe les taxes (saisi tel quel).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehiculeSaisie {
    #[serde(default)]
    pub vin: String,
    #[serde(default)]
    pub marque: String,
    #[serde(default)]
    pub modele: String,
    #[serde(default)]
    pub genre: Option<Genre>,
    #[serde(default)]
    pub energie: Option<Energie>,
    #[serde(default)]
    pub puissance_cv: String,
    /// Première immatriculation à l'étranger (véhicule d'occasion importé).
    #[serde(default)]
    pub date_premiere_immatriculation: String,
    /// PTAC (F.2) en kg : pour un utilitaire, un camion ou un transport en
    /// commun (il fixe Y2).
    #[serde(default)]
    pub ptac_kg: String,
}

/// Le PTAC est-il demandé pour ce genre (Y2 en dépend) ?
pub fn ptac_demande(genre: Option<Genre>) -> bool {
    matches!(genre, Some(Genre::Ctte | Genre::Camion | Genre::Tcp))
}

/// Le véhicule déclaré, validé.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehiculeDeclare {
    pub vin: Vin,
    pub marque: String,
    pub modele: String,
    pub genre: Genre,
    pub energie: Energie,
    pub puissance_cv: u16,
    /// À l'étranger ; `None` pour un véhicule neuf.
    pub date_premiere_immatriculation: Option<DateFr>,
    /// La première mise en circulation qui compte pour les taxes : la date
    /// étrangère, ou le jour de la demande pour un véhicule neuf.
    pub mise_en_circulation: DateFr,
    /// PTAC en kg (utilitaires, camions, transports en commun).
    pub ptac_kg: Option<u32>,
}

fn texte_court(s: &str, champ: &str, quoi: &str, erreurs: &mut Vec<ChampErreur>) -> Option<String> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        erreurs.push(ChampErreur::new(champ, format!("Saisissez {quoi}.")));
        None
    } else if t.chars().count() > 50 || t.chars().any(char::is_control) {
        erreurs.push(ChampErreur::new(champ, format!("{} : 50 caractères au plus.", capitaliser(quoi))));
        None
    } else {
        Some(t)
    }
}

fn capitaliser(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|p| p.to_uppercase().chain(c).collect()).unwrap_or_default()
}

impl VehiculeSaisie {
    /// `importe` : un véhicule en provenance de l'étranger (sa date de
    /// première immatriculation est demandée).
    pub fn valider(&self, importe: bool, aujourd_hui: Date) -> Result<VehiculeDeclare, Vec<ChampErreur>> {
        let mut e = Vec::new();
        let vin = Vin::parse(&self.vin).map_err(|x| e.push(ChampErreur::new("vehicule.vin", x))).ok();
        let marque = texte_court(&self.marque, "vehicule.marque", "la marque", &mut e);
        let modele = texte_court(&self.modele, "vehicule.modele", "la dénomination commerciale", &mut e);
        if self.genre.is_none() {
            e.push(ChampErreur::new("vehicule.genre", "Choisissez le genre du véhicule."));
        }
        if self.energie.is_none() {
            e.push(ChampErreur::new("vehicule.energie", "Choisissez l'énergie du véhicule."));
        }
        let puissance = match self.puissance_cv.trim().parse::<u16>() {
            Ok(p @ 1..=999) => Some(p),
            _ => {
                e.push(ChampErreur::new("vehicule.puissance_cv", "La puissance fiscale est un nombre de chevaux entre 1 et 999."));
                None
            }
        };
        let ptac = if ptac_demande(self.genre) {
            match self.ptac_kg.trim().replace(' ', "").parse::<u32>() {
                Ok(p @ 100..=60_000) => Some(Some(p)),
                _ => {
                    e.push(ChampErreur::new("vehicule.ptac_kg", "Le PTAC (rubrique F.2) est un poids en kg, entre 100 et 60 000."));
                    None
                }
            }
        } else {
            Some(None)
        };
        let premiere = if importe {
            match parse_date_fr(&self.date_premiere_immatriculation) {
                Ok(d) if d > aujourd_hui => {
                    e.push(ChampErreur::new("vehicule.date_premiere_immatriculation", "Cette date ne peut pas être dans le futur."));
                    None
                }
                Ok(d) => Some(Some(DateFr::from(d))),
                Err(x) => {
                    e.push(ChampErreur::new("vehicule.date_premiere_immatriculation", x.to_string()));
                    None
                }
            }
        } else {
            Some(None)
        };
        match (vin, marque, modele, self.genre, self.energie, puissance, premiere, ptac) {
            (
                Some(vin),
                Some(marque),
                Some(modele),
                Some(genre),
                Some(energie),
                Some(puissance_cv),
                Some(date_premiere_immatriculation),
                Some(ptac_kg),
            ) if e.is_empty() => {
                let mise_en_circulation = date_premiere_immatriculation.unwrap_or_else(|| aujourd_hui.into());
                Ok(VehiculeDeclare {
                    vin,
                    marque,
                    modele,
                    genre,
                    energie,
                    puissance_cv,
                    date_premiere_immatriculation,
                    mise_en_circulation,
                    ptac_kg,
                })
            }
            _ => Err(e),
        }
    }
}

/// Les parties 1 et 2 de la TPC, telles que saisies (rien n'est perdu).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpcSaisie {
    /// Partie 1 : l'objet de la demande.
    #[serde(default)]
    pub objet: String,
    #[serde(default)]
    pub vehicule_diplomatique: bool,
    /// Véhicule neuf : acquis à l'étranger (le justificatif fiscal).
    #[serde(default)]
    pub acquis_a_l_etranger: bool,
    /// Retrait ou remise en circulation : l'opération demandée.
    #[serde(default)]
    pub operation_circulation: Option<OperationCirculation>,
    /// Partie 2 : l'identité du titulaire (et son adresse).
    pub titulaire: TitulaireSaisie,
    /// Première immatriculation : le véhicule.
    #[serde(default)]
    pub vehicule: VehiculeSaisie,
}

/// La TPC validée.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeTpc {
    pub objet: String,
    pub vehicule_diplomatique: bool,
    pub acquis_a_l_etranger: bool,
    pub titulaire: TitulaireValide,
    pub vehicule: Option<VehiculeDeclare>,
    #[serde(default)]
    pub operation_circulation: Option<OperationCirculation>,
}

impl TpcSaisie {
    pub fn circonstances(&self, pour: PourQui) -> Circonstances {
        Circonstances {
            pour,
            acquis_a_l_etranger: self.acquis_a_l_etranger,
            vehicule_diplomatique: self.vehicule_diplomatique,
            operation_circulation: self.operation_circulation,
        }
    }

    /// Les parties 1 et 2, pour ce motif ; les erreurs vont aux champs
    /// `objet`, `titulaire.*`, `adresse.*`, `vehicule.*`.
    pub fn valider(&self, sc: &SousCategorie, aujourd_hui: Date) -> Result<DemandeTpc, Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        let objet = match crate::pieces::valider_message(&self.objet, "objet", false) {
            Ok(Some(o)) => Some(o),
            Ok(None) => {
                erreurs.push(ChampErreur::new("objet", "Décrivez l'objet de votre demande."));
                None
            }
            Err(_) => {
                erreurs.push(ChampErreur::new("objet", format!("L'objet de la demande ne doit pas dépasser {OBJET_MAX} caractères.")));
                None
            }
        };
        // La partie 2 : l'identité du titulaire ; le cotitulaire et le gage
        // ne la concernent pas.
        let titulaire = TitulaireSaisie { avec_cotitulaire: false, gage_pris_connaissance: false, ..self.titulaire.clone() }
            .valider(aujourd_hui, false)
            .map_err(|e| erreurs.extend(e))
            .ok();
        let vehicule = match sc.code {
            "vehicule_neuf" => self.vehicule.valider(false, aujourd_hui).map(Some),
            "vehicule_etranger" => self.vehicule.valider(true, aujourd_hui).map(Some),
            _ => Ok(None),
        }
        .map_err(|e| erreurs.extend(e))
        .ok();
        let operation = if demande_une_operation(sc) { self.operation_circulation } else { None };
        if demande_une_operation(sc) && operation.is_none() {
            erreurs.push(ChampErreur::new("operation_circulation", "Choisissez l'opération : retrait ou remise en circulation."));
        }
        match (objet, titulaire, vehicule) {
            (Some(objet), Some(titulaire), Some(vehicule)) if erreurs.is_empty() => Ok(DemandeTpc {
                objet,
                vehicule_diplomatique: self.vehicule_diplomatique,
                acquis_a_l_etranger: self.acquis_a_l_etranger && sc.code == "vehicule_neuf",
                titulaire,
                vehicule,
                operation_circulation: operation,
            }),
            _ => Err(erreurs),
        }
    }
}

/// Toutes les pièces qu'une TPC de cette sous-catégorie peut recevoir,
/// quelles que soient les circonstances (celles du mandant pour autrui).
pub fn pieces_possibles(sc: &SousCategorie, pour: PourQui) -> Vec<Piece> {
    PIECES_MANDANT.iter().filter(|_| pour == PourQui::Autrui).chain(sc.pieces.iter()).copied().collect()
}

/// Ce que porte une TPC.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsComplementaire {
    /// Le motif choisi au démarrage.
    pub motif: MotifTpc,
    /// L'initiateur (les pièces du mandant, pour autrui).
    pub pour_qui: PourQui,
    /// Le véhicule immatriculé concerné, là où le motif le demande.
    pub immatriculation: Option<Immatriculation>,
    /// La saisie telle quelle, même invalide : rien n'est perdu.
    pub saisie: Option<TpcSaisie>,
    pub demande: Option<DemandeTpc>,
}

impl DetailsComplementaire {
    pub fn sous_categorie(&self) -> Option<&'static SousCategorie> {
        self.motif.valider().ok().map(|(_, sc)| sc)
    }

    /// Les pièces demandées, selon la saisie enregistrée.
    pub fn pieces_requises(&self, pour: PourQui) -> Vec<Piece> {
        let Some(sc) = self.sous_categorie() else { return Vec::new() };
        let c = self.saisie.as_ref().map(|s| s.circonstances(pour)).unwrap_or(Circonstances {
            pour,
            acquis_a_l_etranger: false,
            vehicule_diplomatique: false,
            operation_circulation: None,
        });
        pieces_requises(sc, c)
    }
}

/// Les circonstances qui décident des pièces à joindre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Circonstances {
    pub pour: PourQui,
    pub acquis_a_l_etranger: bool,
    pub vehicule_diplomatique: bool,
    /// L'opération choisie (retrait ou remise en circulation), s'il y en a une.
    pub operation_circulation: Option<OperationCirculation>,
}

/// Les pièces que le système suggère pour cette sous-catégorie. Un véhicule
/// diplomatique n'en demande aucune qui justifie la demande ; fait pour
/// autrui, le mandat (identité du mandant, cerfa 13757) reste exigé : il
/// prouve le droit d'agir, pas la demande (choix du projet : la case est
/// déclarée par l'usager, sans code confidentiel).
pub fn pieces_requises(sc: &SousCategorie, c: Circonstances) -> Vec<Piece> {
    let justificatives: &[Piece] = if c.vehicule_diplomatique { &[] } else { sc.pieces };
    PIECES_MANDANT
        .iter()
        .chain(justificatives.iter())
        .filter(|p| match p.condition {
            Condition::Toujours => true,
            Condition::SiPourAutrui => c.pour == PourQui::Autrui,
            Condition::SiAcquisALEtranger => c.acquis_a_l_etranger,
            Condition::SiOperation(op) => c.operation_circulation.is_none_or(|choisie| choisie == op),
        })
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOI: Circonstances =
        Circonstances { pour: PourQui::MoiMeme, acquis_a_l_etranger: false, vehicule_diplomatique: false, operation_circulation: None };
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
            // (le support cite aussi « certificat d'immatriculation étranger
            // ou pièce équivalente justifiant les caractéristiques
            // techniques », que la pièce suivante couvre)
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

    fn saisie() -> TpcSaisie {
        TpcSaisie {
            objet: "Immatriculer ma voiture achetée en Allemagne".into(),
            titulaire: TitulaireSaisie {
                nom: "Paul".into(),
                prenoms: "Julien".into(),
                date_naissance: "12/03/1985".into(),
                adresse: crate::adresse_postale::AdresseSaisie {
                    voie: "12 rue de la Paix".into(),
                    code_postal: "75002".into(),
                    commune: "Paris".into(),
                    ..Default::default()
                },
                ..Default::default()
            },
            vehicule: VehiculeSaisie {
                vin: "WVWZZZ1JZXW000001".into(),
                marque: "Volkswagen".into(),
                modele: "Golf".into(),
                genre: Some(Genre::Vp),
                energie: Some(Energie::Essence),
                puissance_cv: "6".into(),
                date_premiere_immatriculation: "15/06/2019".into(),
                ptac_kg: String::new(),
            },
            ..Default::default()
        }
    }

    const AUJ: Date = time::macros::date!(2026 - 11 - 28);

    fn champs(r: Result<DemandeTpc, Vec<ChampErreur>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.champ).collect()
    }

    #[test]
    fn saisie_d_une_premiere_immatriculation() {
        let etranger = sous_categorie("premiere_immatriculation", "vehicule_etranger").unwrap();
        let d = saisie().valider(etranger, AUJ).unwrap();
        let v = d.vehicule.unwrap();
        assert_eq!((v.puissance_cv, v.date_premiere_immatriculation.map(|d| d.to_string())), (6, Some("15/06/2019".into())));
        let mut s = saisie();
        s.vehicule.date_premiere_immatriculation = "15/06/2030".into();
        s.vehicule.puissance_cv = "0".into();
        s.vehicule.genre = None;
        s.objet = "   ".into();
        assert_eq!(
            champs(s.valider(etranger, AUJ)),
            ["objet", "vehicule.genre", "vehicule.puissance_cv", "vehicule.date_premiere_immatriculation"]
        );
        // Un véhicule neuf n'a pas de date de première immatriculation.
        let neuf = sous_categorie("premiere_immatriculation", "vehicule_neuf").unwrap();
        let mut s = saisie();
        s.vehicule.date_premiere_immatriculation.clear();
        s.acquis_a_l_etranger = true;
        let d = s.valider(neuf, AUJ).unwrap();
        assert!(d.acquis_a_l_etranger);
        assert_eq!(d.vehicule.unwrap().date_premiere_immatriculation, None);
    }

    #[test]
    fn ptac_demande_pour_un_utilitaire() {
        let etranger = sous_categorie("premiere_immatriculation", "vehicule_etranger").unwrap();
        let mut s = saisie();
        s.vehicule.genre = Some(Genre::Camion);
        assert_eq!(champs(s.valider(etranger, AUJ)), ["vehicule.ptac_kg"]);
        s.vehicule.ptac_kg = "7 500".into();
        assert_eq!(s.valider(etranger, AUJ).unwrap().vehicule.unwrap().ptac_kg, Some(7500));
        s.vehicule.genre = Some(Genre::Vp);
        assert_eq!(s.valider(etranger, AUJ).unwrap().vehicule.unwrap().ptac_kg, None, "sans objet pour une voiture");
    }

    #[test]
    fn saisie_sur_un_vehicule_immatricule_sans_caracteristiques() {
        let sc = sous_categorie("corriger_erreur", "correction_titulaire").unwrap();
        let mut s = saisie();
        s.vehicule = VehiculeSaisie::default();
        s.acquis_a_l_etranger = true;
        let d = s.valider(sc, AUJ).unwrap();
        assert_eq!(d.vehicule, None);
        assert!(!d.acquis_a_l_etranger, "sans objet hors véhicule neuf");
        s.objet = "x".repeat(OBJET_MAX + 1);
        s.titulaire.nom.clear();
        assert_eq!(champs(s.valider(sc, AUJ)), ["objet", "titulaire.nom"]);
    }

    #[test]
    fn pieces_possibles_et_requises_selon_la_saisie() {
        let sc = sous_categorie("premiere_immatriculation", "vehicule_neuf").unwrap();
        assert_eq!(pieces_possibles(sc, PourQui::MoiMeme).len(), 5);
        assert_eq!(pieces_possibles(sc, PourQui::Autrui).len(), 7);
        let mut d = DetailsComplementaire {
            motif: MotifTpc { categorie: "premiere_immatriculation".into(), sous_categorie: "vehicule_neuf".into() },
            ..Default::default()
        };
        assert_eq!(d.pieces_requises(PourQui::MoiMeme).len(), 4);
        d.saisie = Some(TpcSaisie { acquis_a_l_etranger: true, ..saisie() });
        assert_eq!(d.pieces_requises(PourQui::MoiMeme).len(), 5);
        d.saisie = Some(TpcSaisie { vehicule_diplomatique: true, ..saisie() });
        assert!(d.pieces_requises(PourQui::MoiMeme).is_empty(), "véhicule diplomatique : aucune pièce");
        assert_eq!(d.pieces_requises(PourQui::Autrui).len(), 2, "pour autrui : le mandat");
    }

    /// Un code désigne une seule pièce (un libellé) dans tout le catalogue.
    #[test]
    fn un_code_un_libelle() {
        let mut vus: std::collections::HashMap<&str, &str> = Default::default();
        for p in toutes_les_pieces() {
            assert_eq!(*vus.entry(p.code).or_insert(p.libelle), p.libelle, "{}", p.code);
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
        // Le certificat étranger une seule fois (le support le cite deux fois).
        assert_eq!(pieces_requises(sc, MOI).len(), 4);
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
    fn retrait_ou_remise_en_circulation_le_cerfa_de_l_operation_choisie() {
        let sc = sous_categorie("situation_vehicule", "retrait_remise_circulation").unwrap();
        let codes = |c: Circonstances| pieces_requises(sc, c).iter().map(|p| p.code).collect::<Vec<_>>();
        // Avant le choix, les deux (comme le support) ; ensuite, un seul.
        assert_eq!(codes(MOI), ["cerfa_13756", "cerfa_13750"]);
        let retrait = Circonstances { operation_circulation: Some(OperationCirculation::Retrait), ..MOI };
        assert_eq!(codes(retrait), ["cerfa_13756"]);
        let remise = Circonstances { operation_circulation: Some(OperationCirculation::RemiseEnCirculation), ..AUTRUI };
        assert_eq!(codes(remise), ["identite_mandant", "cerfa_13757", "cerfa_13750"]);
        // La saisie exige le choix, au champ.
        let sans_choix = TpcSaisie { vehicule: VehiculeSaisie::default(), ..saisie() };
        let e = sans_choix.valider(sc, time::macros::date!(2026 - 12 - 06)).unwrap_err();
        assert_eq!(e.iter().map(|c| c.champ.as_str()).collect::<Vec<_>>(), ["operation_circulation"]);
        let avec = TpcSaisie { operation_circulation: Some(OperationCirculation::Retrait), ..sans_choix };
        let d = avec.valider(sc, time::macros::date!(2026 - 12 - 06)).unwrap();
        assert_eq!(d.operation_circulation, Some(OperationCirculation::Retrait));
        assert!(demande_une_operation(sc));
        let seules: Vec<&str> =
            CATALOGUE.iter().flat_map(|c| c.sous_categories.iter()).filter(|s| demande_une_operation(s)).map(|s| s.code).collect();
        assert_eq!(seules, ["retrait_remise_circulation"]);
        // Une autre sous-catégorie ignore l'opération.
        let autre = sous_categorie("situation_vehicule", "modification_technique");
        if let Some(autre) = autre {
            assert_eq!(avec.valider(autre, time::macros::date!(2026 - 12 - 06)).unwrap().operation_circulation, None);
        }
    }

    #[test]
    fn vehicules_diplomatiques_sans_piece_justificative() {
        let diplo = Circonstances { vehicule_diplomatique: true, ..MOI };
        let diplo_autrui = Circonstances { vehicule_diplomatique: true, ..AUTRUI };
        for c in &CATALOGUE {
            for sc in c.sous_categories {
                assert!(pieces_requises(sc, diplo).is_empty());
                // Pour autrui, le mandat reste exigé.
                assert_eq!(libelles(&pieces_requises(sc, diplo_autrui)), ["justificatif d'identité du mandant", "cerfa 13757 signé"]);
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
