//! Les démarches : démarrage commun à toutes les téléprocédures (initiateur,
//! immatriculation, code confidentiel selon le tableau du support, situation
//! du véhicule), reprise, vérification de l'adresse, validation, documents.
//! Chaque téléprocédure a son module pour ce qui lui est propre.

mod cession;
mod changement_adresse;
pub mod code_confidentiel;
mod documents;

use super::{
    auth::{AgentCert, Citoyen},
    error::*,
    limites::{exiger_non_bloque, verifier_code},
    routes::Routes,
    AppState,
};
use crate::db::{DbError, DemarcheRecord, VehiculeRecord};
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use immat_domain::{
    adresse_postale::{verifier_commune, AdresseNormalisee, AdresseSaisie, VerificationCommune},
    api::{AdressePostale, ChampErreur, TitulaireVue},
    procedures::{Acquereur, CessionSaisie, ChoixVerification, DemarcheVue, DocumentVue, NouvelleDemarche, VehiculeResume},
    regles::{elements_necessaires, peut_demarrer, Verdict},
    taxes::{taxes, ObjetTaxe, Region, TaxeError, Taxes},
    EtatDemarche, Immatriculation, Teleprocedure, CODE_ALPHABET,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

pub fn routes() -> Routes {
    Routes::new()
        .post("/demarches", demarrer)
        .get("/demarches/{numero}", lire)
        .put("/demarches/{numero}/adresse", changement_adresse::saisir_adresse)
        .put("/demarches/{numero}/cession", cession::saisir_cession)
        .put("/demarches/{numero}/verification", verification)
        .post("/demarches/{numero}/valider", valider)
        .get("/demarches/{numero}/documents/{nom}", documents::telecharger)
        .post("/code-confidentiel/demande", code_confidentiel::demander)
        .get("/cert/envois", code_confidentiel::envois)
}

/// Ce que le serveur garde d'une démarche en cours (colonne `donnees`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Donnees {
    pub avertissement: Option<String>,
    pub adresse_saisie: Option<AdresseSaisie>,
    pub cession_saisie: Option<CessionSaisie>,
    pub acquereur: Option<Acquereur>,
    pub date_cession: Option<String>,
    pub heure_cession: Option<String>,
    /// L'adresse saisie, normalisée AFNOR.
    pub adresse_normalisee: Option<AdresseNormalisee>,
    pub verification: Option<VerificationCommune>,
    /// L'adresse retenue après la vérification.
    pub adresse_retenue: Option<AdresseNormalisee>,
    pub ancienne_adresse: Option<AdresseNormalisee>,
    #[serde(default)]
    pub clu_acceptees: Vec<String>,
    pub valide_le: Option<String>,
    pub code_cession_expire_le: Option<String>,
    pub taxes: Option<Taxes>,
    /// La version du code confidentiel du véhicule quand la démarche a été
    /// ouverte avec lui : si le code change entre-temps, elle ne se valide
    /// plus (un ancien détenteur du code ne garde pas la main).
    #[serde(default)]
    pub code_confidentiel_version: Option<i64>,
}

impl Donnees {
    /// Les données stockées ; si elles ne se lisent pas, c'est une erreur
    /// (500), jamais des données vides réécrites par-dessus les vraies.
    pub fn de(d: &DemarcheRecord) -> AppResult<Self> {
        serde_json::from_value(d.donnees.clone())
            .map_err(|e| DbError::Corrupt(format!("données de la démarche {} : {e}", d.numero)).into())
    }
    pub fn json(&self) -> AppResult<serde_json::Value> {
        serde_json::to_value(self).map_err(|e| anyhow::anyhow!("données de démarche : {e}").into())
    }
}

/// Le dernier dimanche d'un mois, à 01:00 UTC (changements d'heure de l'UE).
fn dernier_dimanche_1h_utc(annee: i32, mois: time::Month) -> OffsetDateTime {
    let mut jour = time::Date::from_calendar_date(annee, mois, mois.length(annee)).unwrap_or(time::Date::MIN);
    while jour.weekday() != time::Weekday::Sunday {
        jour = jour.previous_day().unwrap_or(jour);
    }
    jour.with_hms(1, 0, 0).unwrap_or(time::PrimitiveDateTime::MIN).assume_utc()
}

/// L'heure de Paris : UTC+2 du dernier dimanche de mars au dernier dimanche
/// d'octobre (01:00 UTC), UTC+1 sinon.
pub fn heure_de_paris(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let ete = t >= dernier_dimanche_1h_utc(t.year(), time::Month::March) && t < dernier_dimanche_1h_utc(t.year(), time::Month::October);
    let decalage = time::UtcOffset::from_hms(if ete { 2 } else { 1 }, 0, 0).unwrap_or(time::UtcOffset::UTC);
    t.to_offset(decalage)
}

/// Date et heure lisibles, heure de Paris : `27/11/2026 à 15:05`.
pub fn horodatage(t: OffsetDateTime) -> String {
    let t = heure_de_paris(t);
    format!("{:02}/{:02}/{} à {:02}:{:02}", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn heure_de_paris_hiver_et_ete() {
        assert_eq!(horodatage(datetime!(2026-11-27 14:05 UTC)), "27/11/2026 à 15:05");
        assert_eq!(horodatage(datetime!(2026-07-14 10:00 UTC)), "14/07/2026 à 12:00");
        // Changements d'heure 2026 : 29 mars et 25 octobre, à 01:00 UTC.
        assert_eq!(horodatage(datetime!(2026-03-29 00:59 UTC)), "29/03/2026 à 01:59");
        assert_eq!(horodatage(datetime!(2026-03-29 01:00 UTC)), "29/03/2026 à 03:00");
        assert_eq!(horodatage(datetime!(2026-10-25 00:59 UTC)), "25/10/2026 à 02:59");
        assert_eq!(horodatage(datetime!(2026-10-25 01:00 UTC)), "25/10/2026 à 02:00");
        assert_eq!(horodatage(datetime!(2026-12-31 23:30 UTC)), "01/01/2027 à 00:30");
    }
}

pub fn adresse_du_vehicule(v: &VehiculeRecord) -> AdresseNormalisee {
    AdresseNormalisee {
        voie: v.adresse_voie.clone(),
        complement: v.adresse_complement.clone(),
        lieu_dit: None,
        code_postal: v.adresse_code_postal.clone(),
        commune: v.adresse_commune.clone(),
    }
}

pub fn titulaire_vue(v: &VehiculeRecord) -> TitulaireVue {
    TitulaireVue {
        nom: v.titulaire_nom.clone(),
        prenoms: v.titulaire_prenoms.clone(),
        raison_sociale: v.titulaire_raison_sociale.clone(),
        adresse: AdressePostale {
            ligne_voie: v.adresse_voie.clone(),
            complement: v.adresse_complement.clone(),
            code_postal: v.adresse_code_postal.clone(),
            commune: v.adresse_commune.clone(),
        },
    }
}

pub fn nom_titulaire(v: &VehiculeRecord) -> String {
    titulaire_vue(v).nom_complet()
}

pub fn vehicule_fiscal(v: &VehiculeRecord) -> AppResult<immat_domain::taxes::VehiculeFiscal> {
    let premiere = immat_domain::parse_date_fr(&v.date_premiere_immatriculation)
        .map_err(|e| DbError::Corrupt(format!("date de première immatriculation de {} : {e}", v.immatriculation)))?;
    Ok(immat_domain::taxes::VehiculeFiscal {
        genre: v.genre,
        energie: v.energie,
        puissance_cv: v.puissance_cv,
        date_premiere_immatriculation: premiere,
        ptac_kg: v.ptac_kg,
        collection: false,
        fni: v.type_immatriculation.starts_with("fni"),
    })
}

/// Les taxes dues par la démarche, calculées par le domaine. La région du
/// domicile du titulaire (CIBS L421-43) n'est exigée que là où une taxe en
/// dépend : une adresse en collectivité d'outre-mer n'empêche pas une
/// déclaration de cession ou un changement d'adresse.
pub fn taxes_de(state: &AppState, d: &DemarcheRecord, v: &VehiculeRecord) -> AppResult<Taxes> {
    let objet = match d.teleprocedure {
        Teleprocedure::ChangementAdresse => ObjetTaxe::ChangementAdresse { changements_precedents: v.changements_adresse },
        Teleprocedure::Cession => ObjetTaxe::Cession,
        Teleprocedure::Duplicata => ObjetTaxe::Duplicata,
        Teleprocedure::ChangementTitulaire => ObjetTaxe::ChangementTitulaire,
        Teleprocedure::Complementaire => return Ok(Taxes::default()),
    };
    let region =
        immat_domain::CodePostal::parse(&v.adresse_code_postal).ok().and_then(|cp| Region::du_departement(cp.departement()));
    taxes(objet, &vehicule_fiscal(v)?, region, state.now().date()).map_err(|e| match e {
        TaxeError::RegionInconnue | TaxeError::TarifInconnu => AppError::Requete {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "taxes_incalculables",
            message: e.to_string(),
        },
    })
}

pub fn vue(state: &AppState, d: &DemarcheRecord, v: &VehiculeRecord) -> AppResult<DemarcheVue> {
    let donnees = Donnees::de(d)?;
    let taxes = match donnees.taxes {
        Some(t) => t,
        None => taxes_de(state, d, v)?,
    };
    let mut documents = Vec::new();
    if d.etat == EtatDemarche::Terminee {
        documents.push(DocumentVue {
            libelle: "Récapitulatif de la demande".into(),
            url: format!("/api/v1/demarches/{}/documents/recapitulatif.pdf", d.numero),
        });
        if d.teleprocedure == Teleprocedure::Cession {
            documents.push(DocumentVue {
                libelle: "Certificat de situation administrative".into(),
                url: format!("/api/v1/demarches/{}/documents/certificat-situation-administrative.pdf", d.numero),
            });
        }
    }
    let immatriculation = Immatriculation::parse(&v.immatriculation).map_err(|e| anyhow::anyhow!("immatriculation en base : {e}"))?;
    Ok(DemarcheVue {
        numero: d.numero.clone(),
        teleprocedure: d.teleprocedure,
        etat: d.etat,
        etape: d.etape,
        pour_qui: d.pour_qui,
        vehicule: VehiculeResume {
            immatriculation,
            vin: v.vin.clone(),
            marque: v.marque.clone(),
            modele: v.modele.clone(),
            genre: v.genre,
            energie: v.energie,
            puissance_cv: v.puissance_cv,
            date_premiere_immatriculation: v.date_premiere_immatriculation.clone(),
            titulaire: titulaire_vue(v),
        },
        avertissement: donnees.avertissement.clone(),
        adresse_saisie: donnees.adresse_saisie.clone(),
        cession_saisie: donnees.cession_saisie.clone(),
        verification: donnees.verification.clone(),
        adresse_retenue: donnees.adresse_retenue.clone(),
        acquereur: donnees.acquereur.clone(),
        nouveau_certificat: d.teleprocedure == Teleprocedure::ChangementAdresse && taxes.montant_du(),
        taxes,
        documents,
        code_cession: None,
        code_cession_expire_le: donnees.code_cession_expire_le.clone(),
        cree_le: d.created_at.clone(),
        modifie_le: d.updated_at.clone(),
    })
}

/// La démarche `numero` de l'usager, avec son véhicule.
pub async fn charger(state: &AppState, compte_id: i64, numero: &str) -> AppResult<(DemarcheRecord, VehiculeRecord)> {
    let d = state
        .repo
        .demarche_par_numero(numero)
        .await?
        .filter(|d| d.compte_id == compte_id)
        .ok_or_else(|| AppError::Introuvable("Cette démarche est introuvable dans votre espace.".into()))?;
    let vid = d.vehicule_id.ok_or_else(|| AppError::Introuvable("Cette démarche n'a pas de véhicule.".into()))?;
    let v = state.repo.vehicule(vid).await?;
    Ok((d, v))
}

/// Enregistre la saisie d'une étape : toujours (rien n'est perdu), et
/// passe à l'étape de vérification si elle est valide. L'écriture est
/// conditionnée à l'état et à la version lus.
pub async fn enregistrer_saisie(
    state: &AppState,
    d: DemarcheRecord,
    v: &VehiculeRecord,
    mut donnees: Donnees,
    resultat: AppResult<impl FnOnce(&mut Donnees)>,
) -> AppResult<AppJson<DemarcheVue>> {
    let (valide, etape) = match resultat {
        Ok(appliquer) => {
            appliquer(&mut donnees);
            donnees.adresse_retenue = None;
            (Ok(()), 3)
        }
        Err(e) => (Err(e), d.etape),
    };
    let d = state.repo.maj_demarche(&d, etape, &donnees.json()?).await?;
    valide?;
    Ok(AppJson(vue(state, &d, v)?))
}

/// Refuse toute modification d'une démarche qui n'est plus un brouillon.
pub fn exiger_brouillon(d: &DemarcheRecord) -> AppResult<()> {
    if d.etat != EtatDemarche::Brouillon {
        return Err(AppError::Conflit(format!("Cette démarche ne peut plus être modifiée : elle est « {} ».", d.etat.libelle())));
    }
    Ok(())
}

fn nouveau_numero(maintenant: OffsetDateTime) -> String {
    let mut octets = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut octets);
    let suffixe: String = octets.iter().map(|b| CODE_ALPHABET[usize::from(b % 32)] as char).collect();
    format!("{}-{}", maintenant.year(), suffixe)
}

/// « Démarrer la procédure ».
async fn demarrer(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    AppJson(req): AppJson<NouvelleDemarche>,
) -> AppResult<(StatusCode, AppJson<DemarcheVue>)> {
    if !req.teleprocedure.disponible() {
        return Err(AppError::Requete {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "non_disponible",
            message: format!("La téléprocédure « {} » n'est pas encore disponible.", req.teleprocedure.libelle()),
        });
    }
    let elements = elements_necessaires(req.teleprocedure, compte.type_compte(), req.pour_qui)
        .map_err(|e| AppError::Interdit(e.to_string()))?;
    let (immat, code) = req.valider(&elements).map_err(AppError::Validation)?;
    let v = state.repo.vehicule_par_immatriculation(&immat.to_string()).await?;
    // « Pour moi-même » : seulement un véhicule du compte. Un véhicule
    // d'autrui et un numéro inconnu reçoivent la même réponse.
    let v = match (req.pour_qui, v) {
        (immat_domain::PourQui::MoiMeme, Some(v)) if v.compte_id == Some(compte.id) => v,
        (immat_domain::PourQui::MoiMeme, _) => {
            return Err(AppError::champ("immatriculation", VEHICULE_HORS_COMPTE));
        }
        (immat_domain::PourQui::Autrui, Some(v)) => v,
        (immat_domain::PourQui::Autrui, None) => {
            return Err(AppError::champ("immatriculation", "Aucun véhicule n'est immatriculé sous ce numéro."));
        }
    };
    let version_du_code = match &code {
        Some(code) => Some(verifier_code(&state, &v, compte.id, code).await?),
        None => {
            exiger_non_bloque(&state, &v, compte.id).await?;
            None
        }
    };
    let avertissement = match peut_demarrer(&v.situation, req.teleprocedure) {
        Verdict::Bloque(raison) => return Err(AppError::Validation(vec![ChampErreur::new("immatriculation", raison)])),
        Verdict::AutoriseAvecAvertissement(m) => Some(m),
        Verdict::Autorise => None,
    };
    // « Reprendre la demande en cours » plutôt qu'un doublon (l'index unique
    // tient aussi sous deux démarrages simultanés).
    let (d, cree) =
        state.repo.creer_demarche(&nouveau_numero(state.now()), compte.id, v.id, req.teleprocedure, req.pour_qui).await?;
    if !cree {
        // Reprise : avec un code vérifié à l'instant, la démarche vaut pour
        // la version actuelle du code.
        let mut donnees = Donnees::de(&d)?;
        let d = match version_du_code {
            Some(version) if donnees.code_confidentiel_version != Some(version) => {
                donnees.code_confidentiel_version = Some(version);
                state.repo.maj_demarche(&d, d.etape, &donnees.json()?).await?
            }
            _ => d,
        };
        return Ok((StatusCode::OK, AppJson(vue(&state, &d, &v)?)));
    }
    let donnees = Donnees {
        avertissement,
        ancienne_adresse: Some(adresse_du_vehicule(&v)),
        code_confidentiel_version: version_du_code,
        ..Default::default()
    };
    let d = state.repo.maj_demarche(&d, d.etape, &donnees.json()?).await?;
    Ok((StatusCode::CREATED, AppJson(vue(&state, &d, &v)?)))
}

/// La réponse à « pour moi-même » sur un véhicule qui n'est pas au compte
/// (qu'il existe ou non).
pub const VEHICULE_HORS_COMPTE: &str = "Aucun véhicule de votre compte n'est immatriculé sous ce numéro. Pour le véhicule d'une autre personne, choisissez « Pour quelqu'un d'autre ».";

async fn lire(State(state): State<AppState>, Citoyen(compte): Citoyen, Path(numero): Path<String>) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    Ok(AppJson(vue(&state, &d, &v)?))
}

/// Vérifie la commune de l'adresse saisie ; rend l'adresse normalisée et le
/// résultat, ou une erreur au champ du code postal.
pub fn verifier_adresse(state: &AppState, a: &AdresseNormalisee, prefixe: &str) -> AppResult<VerificationCommune> {
    let communes = state.communes.du_code_postal(&a.code_postal);
    match verifier_commune(&a.code_postal, &a.commune, communes) {
        VerificationCommune::CodePostalInconnu => Err(AppError::champ(
            &format!("{prefixe}.code_postal"),
            format!("Le code postal {} ne correspond à aucune commune.", a.code_postal),
        )),
        v => Ok(v),
    }
}

/// « Le système vérifie l'existence de l'adresse et propose une correction le
/// cas échéant » : l'usager accepte ou refuse la proposition.
async fn verification(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path(numero): Path<String>,
    AppJson(choix): AppJson<ChoixVerification>,
) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    exiger_brouillon(&d)?;
    let mut donnees = Donnees::de(&d)?;
    let (Some(saisie), Some(verif)) = (donnees.adresse_normalisee.clone(), donnees.verification.clone()) else {
        return Err(AppError::Conflit("Saisissez d'abord l'adresse.".into()));
    };
    donnees.adresse_retenue = Some(match verif {
        VerificationCommune::Proposition { commune, .. } if choix.accepter => AdresseNormalisee { commune, ..saisie },
        VerificationCommune::Conforme { commune } => AdresseNormalisee { commune, ..saisie },
        _ => saisie,
    });
    let d = state.repo.maj_demarche(&d, 4, &donnees.json()?).await?;
    Ok(AppJson(vue(&state, &d, &v)?))
}

/// « Valider » au récapitulatif, CLU cochées.
async fn valider(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path(numero): Path<String>,
    AppJson(req): AppJson<immat_domain::procedures::ValidationDemarche>,
) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    exiger_brouillon(&d)?;
    immat_domain::procedures::valider_clu(&req.clu).map_err(|e| AppError::Validation(vec![e]))?;
    let donnees = Donnees::de(&d)?;
    if d.etape < 4 || donnees.adresse_retenue.is_none() {
        return Err(AppError::Conflit("La demande n'est pas complète : reprenez les étapes précédentes.".into()));
    }
    if donnees.code_confidentiel_version.is_some_and(|version| version != v.code_confidentiel_version) {
        return Err(AppError::Conflit(
            "Le code confidentiel de ce véhicule a changé depuis le début de cette démarche : elle ne peut plus être validée. \
             Reprenez-la depuis « Ajouter une demande » avec le nouveau code."
                .into(),
        ));
    }
    // La situation du véhicule a pu changer depuis le démarrage.
    if let Verdict::Bloque(raison) = peut_demarrer(&v.situation, d.teleprocedure) {
        return Err(AppError::Conflit(raison));
    }
    match d.teleprocedure {
        Teleprocedure::ChangementAdresse => changement_adresse::terminer(&state, d, v, req.clu).await,
        Teleprocedure::Cession => cession::terminer(&state, d, v, req.clu).await,
        _ => Err(AppError::Conflit("Cette téléprocédure n'est pas encore disponible.".into())),
    }
}
