//! Les saisies des téléprocédures changement d'adresse et déclaration de
//! cession, validées ici pour le SPA (en direct) et le serveur (à nouveau).

use crate::{
    adresse_postale::{valider_adresse, AdresseNormalisee, AdresseSaisie, VerificationCommune},
    api::{ChampErreur, TitulaireVue},
    changement_titulaire::{DetailsChangementTitulaire, PreuveCession, PreuveSaisie},
    compte::PourQui,
    demarche::{Etape, EtatDemarche, Teleprocedure},
    duplicata::DetailsDuplicata,
    paiement::PaiementVue,
    regles::ElementsNecessaires,
    taxes::{Energie, Genre, Taxes},
    tpc::{DetailsComplementaire, MotifTpc},
    valeurs::{parse_date_fr, CodeConfidentiel, DateFr, Heure, Immatriculation, Nom, Prenoms, Siret},
};
use serde::{Deserialize, Serialize};
use time::Date;

/// Les conditions légales d'utilisation (CLU) à cocher avant « Valider ».
/// Leur texte officiel n'est pas public (fiche domaine §5) : rédaction
/// sobre du projet, gardée ici comme donnée. Toutes sont obligatoires (« * »).
pub const CLU: [(&str, &str); 3] = [
    ("exactitude", "Je certifie sur l'honneur l'exactitude des informations déclarées."),
    ("sanctions", "J'ai pris connaissance que toute fausse déclaration m'expose à des sanctions pénales (articles 441-1 et suivants du code pénal)."),
    ("donnees", "J'accepte que mes données soient traitées pour l'instruction de cette demande, conformément aux conditions légales d'utilisation du service."),
];

pub fn clu_toutes_cochees(cochees: &[String]) -> bool {
    CLU.iter().all(|(code, _)| cochees.iter().any(|c| c == code))
}

/// « Il est indispensable de cocher les cases décrivant les conditions
/// légales d'utilisation avant de valider la demande. »
pub fn valider_clu(cochees: &[String]) -> Result<(), ChampErreur> {
    if clu_toutes_cochees(cochees) {
        Ok(())
    } else {
        Err(ChampErreur::new("clu", "Il est indispensable de cocher les conditions légales d'utilisation marquées d'une « * »."))
    }
}

/// « Démarrer la procédure » : l'initiateur, le numéro d'immatriculation et,
/// si le tableau le demande, le code confidentiel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NouvelleDemarche {
    pub teleprocedure: Teleprocedure,
    pub pour_qui: PourQui,
    pub immatriculation: String,
    #[serde(default)]
    pub code_confidentiel: String,
    /// Changement de titulaire : le code de cession, ou le numéro de formule
    /// / la date du certificat.
    #[serde(default)]
    pub preuve: PreuveSaisie,
    /// Téléprocédure complémentaire : la catégorie et la sous-catégorie.
    #[serde(default)]
    pub motif: MotifTpc,
}

impl NouvelleDemarche {
    pub fn valider(&self, elements: &ElementsNecessaires, aujourd_hui: Date) -> Result<Demarrage, Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        // La TPC : le motif d'abord ; le numéro seulement là où il concerne
        // un véhicule immatriculé.
        let tpc = self.teleprocedure == Teleprocedure::Complementaire;
        if tpc {
            if let Err(e) = self.motif.valider() {
                erreurs.extend(e);
            }
        }
        let immat = if !tpc || self.motif.demande_une_immatriculation() {
            Immatriculation::parse(&self.immatriculation).map_err(|e| erreurs.push(ChampErreur::new("immatriculation", e))).ok().map(Some)
        } else {
            Some(None)
        };
        let code = if elements.code_confidentiel {
            CodeConfidentiel::parse(&self.code_confidentiel).map_err(|e| erreurs.push(ChampErreur::new("code_confidentiel", e))).ok()
        } else {
            None
        };
        let preuve =
            if elements.code_cession_ou_formule { self.preuve.valider(aujourd_hui).map_err(|e| erreurs.push(e)).ok() } else { None };
        match immat {
            Some(immatriculation) if erreurs.is_empty() => Ok(Demarrage { immatriculation, code_confidentiel: code, preuve }),
            _ => Err(erreurs),
        }
    }
}

/// « Démarrer la procédure », validé.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demarrage {
    /// Toujours présent, sauf pour une TPC qui ne concerne pas un véhicule
    /// déjà immatriculé.
    pub immatriculation: Option<Immatriculation>,
    pub code_confidentiel: Option<CodeConfidentiel>,
    pub preuve: Option<PreuveCession>,
}

/// « Je n'ai pas de code confidentiel ».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeCodeConfidentiel {
    pub immatriculation: String,
    pub pour_qui: PourQui,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvoiCodeConfidentiel {
    pub email: bool,
    pub courrier: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NouvelleAdresse {
    pub adresse: AdresseSaisie,
}

/// Personne physique ou morale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypePersonne {
    #[default]
    Physique,
    Morale,
}

impl TypePersonne {
    pub const TOUS: [Self; 2] = [Self::Physique, Self::Morale];

    /// La valeur du bouton radio (celle de serde).
    pub fn code(self) -> &'static str {
        match self {
            Self::Physique => "physique",
            Self::Morale => "morale",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|t| t.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Self::Physique => "Une personne physique",
            Self::Morale => "Une personne morale (société, association…)",
        }
    }
}

/// Personne physique ou morale, telle que saisie.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcquereurSaisie {
    #[serde(default)]
    pub type_personne: TypePersonne,
    #[serde(default)]
    pub nom: String,
    #[serde(default)]
    pub prenoms: String,
    #[serde(default)]
    pub date_naissance: String,
    #[serde(default)]
    pub raison_sociale: String,
    #[serde(default)]
    pub siret: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CessionSaisie {
    pub acquereur: AcquereurSaisie,
    pub adresse: AdresseSaisie,
    /// `jj/mm/aaaa` ou `aaaa-mm-jj`.
    pub date_cession: String,
    /// `hh:mm`.
    pub heure_cession: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type_personne", rename_all = "snake_case")]
pub enum Acquereur {
    Physique { nom: Nom, prenoms: Prenoms, date_naissance: DateFr },
    Morale { raison_sociale: String, siret: Siret },
}

impl Acquereur {
    /// La date de naissance d'une personne physique.
    pub fn naissance(&self) -> Option<&DateFr> {
        match self {
            Self::Physique { date_naissance, .. } => Some(date_naissance),
            Self::Morale { .. } => None,
        }
    }

    pub fn libelle(&self) -> String {
        match self {
            Self::Physique { nom, prenoms, .. } => format!("{prenoms} {}", nom.to_string().to_uppercase()),
            Self::Morale { raison_sociale, siret } => format!("{raison_sociale} (SIRET {siret})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CessionValidee {
    pub acquereur: Acquereur,
    pub adresse: AdresseNormalisee,
    pub date_cession: DateFr,
    pub heure_cession: Heure,
}

/// Une date de naissance : passée, plausible (au plus 130 ans).
pub fn date_de_naissance(saisie: &str, aujourd_hui: Date) -> Result<Date, String> {
    match parse_date_fr(saisie) {
        Ok(d) if d > aujourd_hui => Err("La date de naissance ne peut pas être dans le futur.".into()),
        Ok(d) if aujourd_hui.year() - d.year() > 130 => Err("Cette date de naissance n'est pas plausible.".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

/// Nom, prénoms et date de naissance d'une personne physique ; les erreurs
/// vont aux champs `{prefixe}.nom`, `{prefixe}.prenoms`,
/// `{prefixe}.date_naissance`.
pub fn personne_physique(
    (nom, prenoms, naissance): (&str, &str, &str),
    prefixe: &str,
    aujourd_hui: Date,
    erreurs: &mut Vec<ChampErreur>,
) -> Option<(Nom, Prenoms, DateFr)> {
    let nom = Nom::parse(nom).map_err(|e| erreurs.push(ChampErreur::new(format!("{prefixe}.nom"), e))).ok();
    let prenoms = Prenoms::parse(prenoms).map_err(|e| erreurs.push(ChampErreur::new(format!("{prefixe}.prenoms"), e))).ok();
    let naissance =
        date_de_naissance(naissance, aujourd_hui).map_err(|m| erreurs.push(ChampErreur::new(format!("{prefixe}.date_naissance"), m))).ok();
    Some((nom?, prenoms?, naissance?.into()))
}

/// Une raison sociale, espaces réduits, de 1 à 100 caractères.
pub fn raison_sociale(saisie: &str) -> Result<String, &'static str> {
    let rs = saisie.split_whitespace().collect::<Vec<_>>().join(" ");
    if rs.is_empty() {
        Err("Veuillez saisir la raison sociale.")
    } else if rs.chars().count() > 100 {
        Err("La raison sociale compte au plus 100 caractères.")
    } else {
        Ok(rs)
    }
}

impl CessionSaisie {
    /// `premiere_immatriculation` : la cession ne peut la précéder.
    pub fn valider(&self, aujourd_hui: Date, premiere_immatriculation: Option<Date>) -> Result<CessionValidee, Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        let a = &self.acquereur;
        let acquereur = match a.type_personne {
            TypePersonne::Physique => personne_physique((&a.nom, &a.prenoms, &a.date_naissance), "acquereur", aujourd_hui, &mut erreurs)
                .map(|(nom, prenoms, date_naissance)| Acquereur::Physique { nom, prenoms, date_naissance }),
            TypePersonne::Morale => {
                let rs = raison_sociale(&a.raison_sociale).map_err(|m| erreurs.push(ChampErreur::new("acquereur.raison_sociale", m))).ok();
                let siret = Siret::parse(&a.siret).map_err(|e| erreurs.push(ChampErreur::new("acquereur.siret", e))).ok();
                rs.zip(siret).map(|(raison_sociale, siret)| Acquereur::Morale { raison_sociale, siret })
            }
        };
        let adresse = valider_adresse(&self.adresse, "adresse").map_err(|e| erreurs.extend(e)).ok();
        let date = match parse_date_fr(&self.date_cession) {
            Ok(d) if d > aujourd_hui => {
                erreurs.push(ChampErreur::new("date_cession", "La date de cession ne peut pas être dans le futur."));
                None
            }
            Ok(d) if premiere_immatriculation.is_some_and(|p| d < p) => {
                erreurs.push(ChampErreur::new("date_cession", "La date de cession précède la première immatriculation du véhicule."));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                erreurs.push(ChampErreur::new("date_cession", e));
                None
            }
        };
        let heure = Heure::parse(&self.heure_cession).ok();
        if heure.is_none() {
            erreurs.push(ChampErreur::new("heure_cession", "L'heure de la cession est au format hh:mm."));
        }
        match (acquereur, adresse, date, heure) {
            (Some(acquereur), Some(adresse), Some(d), Some(h)) if erreurs.is_empty() => {
                Ok(CessionValidee { acquereur, adresse, date_cession: d.into(), heure_cession: h })
            }
            _ => Err(erreurs),
        }
    }
}

/// Réponse à la proposition de correction de l'adresse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoixVerification {
    pub accepter: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationDemarche {
    pub clu: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehiculeResume {
    pub immatriculation: Immatriculation,
    pub vin: String,
    pub marque: String,
    pub modele: String,
    pub genre: Genre,
    pub energie: Energie,
    pub puissance_cv: u16,
    pub date_premiere_immatriculation: DateFr,
    pub titulaire: TitulaireVue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVue {
    pub libelle: String,
    pub url: String,
}

/// Une adresse saisie, normalisée AFNOR, vérifiée (commune au regard du code
/// postal), puis retenue selon le choix de l'usager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdresseVerifiee {
    pub normalisee: AdresseNormalisee,
    pub verification: VerificationCommune,
    /// L'adresse retenue, une fois la proposition acceptée ou refusée.
    pub retenue: Option<AdresseNormalisee>,
}

impl AdresseVerifiee {
    pub fn new(normalisee: AdresseNormalisee, verification: VerificationCommune) -> Self {
        Self { normalisee, verification, retenue: None }
    }

    /// « Le système vérifie l'existence de l'adresse et propose une
    /// correction le cas échéant » : la commune proposée si l'usager
    /// l'accepte, la commune reconnue si elle est conforme, sinon la saisie.
    pub fn retenir(&mut self, accepter: bool) {
        let saisie = self.normalisee.clone();
        self.retenue = Some(match &self.verification {
            VerificationCommune::Proposition { commune, .. } if accepter => AdresseNormalisee { commune: commune.clone(), ..saisie },
            VerificationCommune::Conforme { commune } => AdresseNormalisee { commune: commune.clone(), ..saisie },
            _ => saisie,
        });
    }
}

/// Ce que porte un changement d'adresse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsChangementAdresse {
    /// La saisie telle quelle, même invalide : rien n'est perdu.
    pub saisie: Option<AdresseSaisie>,
    pub adresse: Option<AdresseVerifiee>,
}

/// Ce que porte une déclaration de cession.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsCession {
    /// La saisie telle quelle, même invalide : rien n'est perdu.
    pub saisie: Option<CessionSaisie>,
    /// La cession validée : l'acquéreur, la date et l'heure.
    pub cession: Option<CessionValidee>,
    pub adresse: Option<AdresseVerifiee>,
    /// Fin de validité du code de cession (heure de Paris), une fois validée.
    pub code_cession_expire_le: Option<String>,
}

/// Les données propres à chaque téléprocédure, étiquetées par elle. Une
/// téléprocédure de plus est une variante de plus : tout `match` qui l'oublie
/// ne compile pas.
// Une seule valeur par requête, lue et écrite une fois : la différence de
// taille des variantes ne coûte rien, une boîte compliquerait chaque `match`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "teleprocedure", rename_all = "snake_case")]
pub enum DetailsDemarche {
    ChangementAdresse(DetailsChangementAdresse),
    Cession(DetailsCession),
    ChangementTitulaire(DetailsChangementTitulaire),
    Duplicata(DetailsDuplicata),
    Complementaire(DetailsComplementaire),
}

impl DetailsDemarche {
    /// Le titulaire que montre le « + » du récapitulatif quand ce n'est pas
    /// celui du registre : le nouveau titulaire d'un changement de
    /// titulaire, une fois saisi (nom, adresse retenue sur une ligne).
    pub fn nouveau_titulaire_au_recapitulatif(&self) -> Option<(String, String)> {
        match self {
            Self::ChangementTitulaire(d) => d.titulaire.as_ref().map(|t| {
                let adresse = d.adresse.as_ref().and_then(|a| a.retenue.as_ref()).unwrap_or(&t.adresse);
                (t.titulaire.libelle(), adresse.une_ligne())
            }),
            _ => None,
        }
    }

    /// Les données vides d'une démarche qui commence ; `None` pour une
    /// téléprocédure pas encore construite.
    pub fn nouveau(tp: Teleprocedure) -> Option<Self> {
        match tp {
            Teleprocedure::ChangementAdresse => Some(Self::ChangementAdresse(Default::default())),
            Teleprocedure::Cession => Some(Self::Cession(Default::default())),
            Teleprocedure::ChangementTitulaire => Some(Self::ChangementTitulaire(Default::default())),
            Teleprocedure::Duplicata => Some(Self::Duplicata(Default::default())),
            Teleprocedure::Complementaire => Some(Self::Complementaire(Default::default())),
        }
    }

    pub fn teleprocedure(&self) -> Teleprocedure {
        match self {
            Self::ChangementAdresse(_) => Teleprocedure::ChangementAdresse,
            Self::Cession(_) => Teleprocedure::Cession,
            Self::ChangementTitulaire(_) => Teleprocedure::ChangementTitulaire,
            Self::Duplicata(_) => Teleprocedure::Duplicata,
            Self::Complementaire(_) => Teleprocedure::Complementaire,
        }
    }

    /// L'adresse en cours de vérification, pour les étapes communes.
    pub fn adresse(&self) -> Option<&AdresseVerifiee> {
        match self {
            Self::ChangementAdresse(d) => d.adresse.as_ref(),
            Self::Cession(d) => d.adresse.as_ref(),
            Self::ChangementTitulaire(d) => d.adresse.as_ref(),
            Self::Duplicata(_) | Self::Complementaire(_) => None,
        }
    }

    pub fn adresse_mut(&mut self) -> Option<&mut AdresseVerifiee> {
        match self {
            Self::ChangementAdresse(d) => d.adresse.as_mut(),
            Self::Cession(d) => d.adresse.as_mut(),
            Self::ChangementTitulaire(d) => d.adresse.as_mut(),
            Self::Duplicata(_) | Self::Complementaire(_) => None,
        }
    }

    /// L'adresse telle que saisie (pour rappeler la saisie à la vérification).
    pub fn adresse_saisie(&self) -> Option<&AdresseSaisie> {
        match self {
            Self::ChangementAdresse(d) => d.saisie.as_ref(),
            Self::Cession(d) => d.saisie.as_ref().map(|s| &s.adresse),
            Self::ChangementTitulaire(d) => d.saisie.as_ref().map(|s| &s.adresse),
            Self::Duplicata(_) | Self::Complementaire(_) => None,
        }
    }

    /// Le certificat provisoire émis par la démarche, s'il y en a un.
    pub fn cpi(&self) -> Option<&crate::changement_titulaire::Cpi> {
        match self {
            Self::ChangementTitulaire(d) => d.cpi.as_ref(),
            Self::Duplicata(d) => d.cpi.as_ref(),
            Self::ChangementAdresse(_) | Self::Cession(_) | Self::Complementaire(_) => None,
        }
    }

    /// L'adresse retenue après la vérification.
    pub fn adresse_retenue(&self) -> Option<&AdresseNormalisee> {
        self.adresse().and_then(|a| a.retenue.as_ref())
    }
}

/// Les détails propres à une téléprocédure, pris dans [`DetailsDemarche`]
/// (les routes de saisie de chaque téléprocédure les modifient).
pub trait DetailsPropres: Sized {
    const TELEPROCEDURE: Teleprocedure;
    fn de(d: &DetailsDemarche) -> Option<&Self>;
    fn de_mut(d: &mut DetailsDemarche) -> Option<&mut Self>;
}

macro_rules! details_propres {
    ($($ty:ty => $variante:ident),* $(,)?) => {$(
        impl DetailsPropres for $ty {
            const TELEPROCEDURE: Teleprocedure = Teleprocedure::$variante;
            fn de(d: &DetailsDemarche) -> Option<&Self> {
                match d {
                    DetailsDemarche::$variante(x) => Some(x),
                    _ => None,
                }
            }
            fn de_mut(d: &mut DetailsDemarche) -> Option<&mut Self> {
                match d {
                    DetailsDemarche::$variante(x) => Some(x),
                    _ => None,
                }
            }
        }
    )*};
}

details_propres!(
    DetailsChangementAdresse => ChangementAdresse,
    DetailsCession => Cession,
    DetailsChangementTitulaire => ChangementTitulaire,
    DetailsDuplicata => Duplicata,
    DetailsComplementaire => Complementaire,
);

/// Les documents qu'une démarche terminée peut produire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Document {
    Recapitulatif,
    CertificatSituationAdministrative,
    CertificatProvisoire,
}

impl Document {
    pub const TOUS: [Self; 3] = [Self::Recapitulatif, Self::CertificatSituationAdministrative, Self::CertificatProvisoire];

    pub fn libelle(self) -> &'static str {
        match self {
            Self::Recapitulatif => "Récapitulatif de la demande",
            Self::CertificatSituationAdministrative => "Certificat de situation administrative",
            Self::CertificatProvisoire => "Certificat provisoire d'immatriculation (CPI)",
        }
    }

    /// Le nom du fichier dans l'URL de téléchargement.
    pub fn fichier(self) -> &'static str {
        match self {
            Self::Recapitulatif => "recapitulatif.pdf",
            Self::CertificatSituationAdministrative => "certificat-situation-administrative.pdf",
            Self::CertificatProvisoire => "certificat-provisoire-immatriculation.pdf",
        }
    }

    pub fn depuis_fichier(nom: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|d| d.fichier() == nom)
    }

    /// L'URL de téléchargement pour une démarche.
    pub fn url(self, numero: &str) -> String {
        format!("/api/v1/demarches/{numero}/documents/{}", self.fichier())
    }
}

/// Une démarche telle que le SPA l'affiche et la reprend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemarcheVue {
    pub numero: String,
    pub teleprocedure: Teleprocedure,
    pub etat: EtatDemarche,
    /// L'étape atteinte ; `Fin` une fois terminée.
    pub etape: Etape,
    pub pour_qui: PourQui,
    /// Le véhicule inscrit au registre, tel que la démarche peut le montrer :
    /// absent pour une TPC sans véhicule immatriculé, ou faite pour autrui
    /// sans code confidentiel (rien du registre n'est montré).
    pub vehicule: Option<VehiculeResume>,
    pub avertissement: Option<String>,
    pub details: DetailsDemarche,
    pub taxes: Taxes,
    /// La règle appliquée pour la taxe régionale (Y1), en clair.
    pub regle_y1: Option<String>,
    /// Les taxes ne sont pas montrées : elles dépendent du véhicule inscrit,
    /// que la démarche (une TPC pour autrui) ne montre pas avant le contrôle
    /// du mandat par le CERT.
    #[serde(default)]
    pub taxes_masquees: bool,
    /// Pourquoi les taxes ne se calculent pas (un domicile hors du SIV) :
    /// le récapitulatif le dit au lieu d'un montant nul.
    #[serde(default)]
    pub taxes_incalculables: Option<String>,
    pub nouveau_certificat: bool,
    pub documents: Vec<DocumentVue>,
    /// Le code de cession, rendu une seule fois (à la validation).
    pub code_cession: Option<String>,
    /// Le dernier paiement (tentative) de la démarche.
    pub paiement: Option<PaiementVue>,
    /// Les pièces demandées et les échanges avec le CERT (mode itératif).
    #[serde(default)]
    pub instruction: crate::pieces::InstructionVue,
    pub cree_le: String,
    pub modifie_le: String,
}

impl DemarcheVue {
    /// « véhicule AB-123-CD », ou ce qui en tient lieu.
    pub fn designation_vehicule(&self) -> String {
        let tpc = DetailsComplementaire::de(&self.details);
        match (&self.vehicule, tpc.and_then(|t| t.immatriculation.as_ref())) {
            (Some(v), _) => format!("véhicule {}", v.immatriculation),
            (None, Some(i)) => format!("véhicule {i}"),
            (None, None) => "véhicule à immatriculer".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const AUJ: Date = date!(2026 - 11 - 27);

    fn cession() -> CessionSaisie {
        CessionSaisie {
            acquereur: AcquereurSaisie {
                type_personne: TypePersonne::Physique,
                nom: "Martin".into(),
                prenoms: "Léa".into(),
                date_naissance: "14/07/1990".into(),
                ..Default::default()
            },
            adresse: AdresseSaisie {
                voie: "4 rue Nationale".into(),
                code_postal: "59000".into(),
                commune: "Lille".into(),
                ..Default::default()
            },
            date_cession: "2026-11-20".into(),
            heure_cession: "14:30".into(),
        }
    }

    #[test]
    fn cession_personne_physique_valide() {
        let v = cession().valider(AUJ, Some(date!(2021 - 03 - 15))).unwrap();
        assert_eq!(v.acquereur.libelle(), "Léa MARTIN");
        assert_eq!(v.date_cession.to_string(), "20/11/2026");
        assert_eq!(v.heure_cession.to_string(), "14:30");
    }

    #[test]
    fn cession_erreurs_par_champ() {
        let mut c = cession();
        c.date_cession = "28/11/2026".into();
        c.heure_cession = "25:00".into();
        c.acquereur.nom = String::new();
        let e = c.valider(AUJ, None).unwrap_err();
        let champs: Vec<&str> = e.iter().map(|c| c.champ.as_str()).collect();
        assert_eq!(champs, ["acquereur.nom", "date_cession", "heure_cession"]);
        let mut c = cession();
        c.date_cession = "01/01/2020".into();
        assert_eq!(c.valider(AUJ, Some(date!(2021 - 03 - 15))).unwrap_err()[0].champ, "date_cession");
    }

    #[test]
    fn cession_personne_morale_siret() {
        let mut c = cession();
        c.acquereur = AcquereurSaisie {
            type_personne: TypePersonne::Morale,
            raison_sociale: "Garage du Centre".into(),
            siret: "732 829 320 00074".into(),
            ..Default::default()
        };
        assert_eq!(c.valider(AUJ, None).unwrap().acquereur.libelle(), "Garage du Centre (SIRET 732 829 320 00074)");
        c.acquereur.siret = "73282932000075".into();
        assert_eq!(c.valider(AUJ, None).unwrap_err()[0].champ, "acquereur.siret");
    }

    /// La TPC : le motif est exigé ; le numéro seulement pour un véhicule
    /// déjà immatriculé en France (pas pour sa première immatriculation).
    #[test]
    fn demarrer_une_tpc_motif_puis_numero_selon_le_motif() {
        let rien =
            ElementsNecessaires { immatriculation: false, code_confidentiel: false, carte_bancaire: false, code_cession_ou_formule: false };
        let mut d = NouvelleDemarche {
            teleprocedure: Teleprocedure::Complementaire,
            pour_qui: PourQui::MoiMeme,
            immatriculation: String::new(),
            code_confidentiel: String::new(),
            preuve: Default::default(),
            motif: Default::default(),
        };
        let champs = |d: &NouvelleDemarche| d.valider(&rien, AUJ).unwrap_err().into_iter().map(|e| e.champ).collect::<Vec<_>>();
        assert_eq!(champs(&d), ["motif.categorie"]);
        d.motif.categorie = "premiere_immatriculation".into();
        assert_eq!(champs(&d), ["motif.sous_categorie"]);
        d.motif.sous_categorie = "correction_titulaire".into();
        assert_eq!(champs(&d), ["motif.sous_categorie"], "une sous-catégorie d'une autre catégorie");
        d.motif.sous_categorie = "vehicule_etranger".into();
        assert_eq!(d.valider(&rien, AUJ).unwrap().immatriculation, None);
        d.motif = MotifTpc { categorie: "corriger_erreur".into(), sous_categorie: "correction_titulaire".into() };
        assert_eq!(champs(&d), ["immatriculation"]);
        d.immatriculation = "ab-123-cd".into();
        assert_eq!(d.valider(&rien, AUJ).unwrap().immatriculation.map(|i| i.to_string()).as_deref(), Some("AB-123-CD"));
    }

    #[test]
    fn demarrer_la_procedure_code_confidentiel_selon_le_tableau() {
        let avec_code =
            ElementsNecessaires { immatriculation: true, code_confidentiel: true, carte_bancaire: false, code_cession_ou_formule: false };
        let sans_code = ElementsNecessaires { code_confidentiel: false, ..avec_code };
        let d = NouvelleDemarche {
            teleprocedure: Teleprocedure::Cession,
            pour_qui: PourQui::MoiMeme,
            immatriculation: "ab123cd".into(),
            code_confidentiel: String::new(),
            preuve: Default::default(),
            motif: Default::default(),
        };
        assert_eq!(d.valider(&avec_code, AUJ).unwrap_err()[0].champ, "code_confidentiel");
        let dem = d.valider(&sans_code, AUJ).unwrap();
        assert_eq!(dem.immatriculation.map(|i| i.to_string()).as_deref(), Some("AB-123-CD"));
        assert!(dem.code_confidentiel.is_none());
        assert!(dem.preuve.is_none());
        // Changement de titulaire : la preuve de la cession est exigée.
        let avec_preuve = ElementsNecessaires { code_cession_ou_formule: true, ..sans_code };
        assert_eq!(d.valider(&avec_preuve, AUJ).unwrap_err()[0].champ, "preuve.code_cession");
    }

    #[test]
    fn clu_toutes_obligatoires() {
        let toutes: Vec<String> = CLU.iter().map(|(c, _)| c.to_string()).collect();
        assert!(clu_toutes_cochees(&toutes));
        assert!(!clu_toutes_cochees(&toutes[..2]));
        assert!(valider_clu(&toutes).is_ok());
        assert_eq!(valider_clu(&toutes[1..]).unwrap_err().champ, "clu");
    }
}

#[cfg(test)]
mod tests_details {
    use super::*;

    fn normalisee(commune: &str) -> AdresseNormalisee {
        AdresseNormalisee {
            voie: "5 PLACE DE L EGLISE".into(),
            complement: None,
            lieu_dit: None,
            code_postal: "13001".into(),
            commune: commune.into(),
        }
    }

    #[test]
    fn adresse_retenue_selon_le_choix() {
        let proposition = VerificationCommune::Proposition { code_postal: "13001".into(), commune: "MARSEILLE".into() };
        let mut a = AdresseVerifiee::new(normalisee("MARSEILE"), proposition.clone());
        a.retenir(true);
        assert_eq!(a.retenue.as_ref().map(|r| r.commune.as_str()), Some("MARSEILLE"));
        a.retenir(false);
        assert_eq!(a.retenue.as_ref().map(|r| r.commune.as_str()), Some("MARSEILE"), "refus : la saisie est gardée");
        let mut c = AdresseVerifiee::new(normalisee("marseille"), VerificationCommune::Conforme { commune: "MARSEILLE".into() });
        c.retenir(false);
        assert_eq!(c.retenue.map(|r| r.commune), Some("MARSEILLE".to_owned()));
    }

    #[test]
    fn details_etiquetes_par_la_teleprocedure() {
        let d = DetailsDemarche::nouveau(Teleprocedure::Cession).unwrap();
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["teleprocedure"], "cession");
        assert_eq!(serde_json::from_value::<DetailsDemarche>(json).unwrap(), d);
        assert!(DetailsDemarche::nouveau(Teleprocedure::Complementaire).is_some());
        for tp in Teleprocedure::TOUTES {
            if let Some(d) = DetailsDemarche::nouveau(tp) {
                assert_eq!(d.teleprocedure(), tp);
                assert!(tp.disponible(), "{tp:?}");
            } else {
                assert!(!tp.disponible(), "{tp:?}");
            }
        }
        // Une étiquette inconnue ne se lit pas (et ne devient pas des données vides).
        assert!(serde_json::from_value::<DetailsDemarche>(serde_json::json!({"teleprocedure": "inconnue"})).is_err());
    }

    #[test]
    fn documents_par_nom_de_fichier() {
        for d in Document::TOUS {
            assert_eq!(Document::depuis_fichier(d.fichier()), Some(d));
        }
        assert_eq!(Document::depuis_fichier("../../etc/passwd"), None);
        assert_eq!(Document::Recapitulatif.url("2026-AB"), "/api/v1/demarches/2026-AB/documents/recapitulatif.pdf");
    }
}
