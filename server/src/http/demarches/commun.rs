//! Le cadre commun des démarches, pour toutes les téléprocédures
//! enregistrées : il ne nomme aucune d'elles.

use super::*;
use crate::http::{
    auth::Citoyen,
    limites::{exiger_non_bloque, verifier_code},
};
use axum::{
    extract::{FromRequestParts, Path, State},
    http::{request::Parts, StatusCode},
};
use immat_domain::{
    adresse_postale::{verifier_commune, AdresseNormalisee, VerificationCommune},
    api::{ChampErreur, CodeErreur, TitulaireVue},
    demarche,
    procedures::{ChoixVerification, DemarcheVue, DocumentVue, NouvelleDemarche, ValidationDemarche, VehiculeResume},
    regles::{elements_necessaires, peut_demarrer, Verdict},
    taxes::{taxes, Region, TaxeError},
    Etape, Immatriculation, PourQui, CODE_ALPHABET,
};
use rand::RngCore;
use time::OffsetDateTime;

pub fn routes_debut() -> Routes {
    Routes::new().post("/demarches", demarrer).get("/demarches/{numero}", lire)
}

pub fn routes_fin() -> Routes {
    Routes::new()
        .put("/demarches/{numero}/verification", verification)
        .post("/demarches/{numero}/valider", valider)
        .get("/demarches/{numero}/documents/{nom}", documents::telecharger)
}

pub fn adresse_du_vehicule(v: &VehiculeRecord) -> AdresseNormalisee {
    AdresseNormalisee {
        voie: v.adresse_voie.clone(),
        complement: v.adresse_complement.clone(),
        lieu_dit: v.adresse_lieu_dit.clone(),
        code_postal: v.adresse_code_postal.clone(),
        commune: v.adresse_commune.clone(),
    }
}

pub fn titulaire_vue(v: &VehiculeRecord) -> TitulaireVue {
    TitulaireVue {
        nom: v.titulaire_nom.clone(),
        prenoms: v.titulaire_prenoms.clone(),
        raison_sociale: v.titulaire_raison_sociale.clone(),
        adresse: adresse_du_vehicule(v),
    }
}

pub fn nom_titulaire(v: &VehiculeRecord) -> String {
    titulaire_vue(v).nom_complet()
}

pub fn vehicule_fiscal(v: &VehiculeRecord) -> AppResult<immat_domain::taxes::VehiculeFiscal> {
    let premiere = v.date_premiere_immatriculation.date();
    Ok(immat_domain::taxes::VehiculeFiscal {
        genre: v.genre,
        energie: v.energie,
        puissance_cv: v.puissance_cv,
        date_premiere_immatriculation: premiere,
        ptac_kg: v.ptac_kg,
        collection: false,
        fni: v.type_immatriculation.est_fni(),
    })
}

/// Les taxes dues par la démarche, calculées par le domaine. La région du
/// domicile du titulaire (CIBS L421-43) n'est exigée que là où une taxe en
/// dépend : une adresse en collectivité d'outre-mer n'empêche pas une
/// déclaration de cession ou un changement d'adresse.
pub fn taxes_de(state: &AppState, p: &dyn Procedure, v: &VehiculeRecord) -> AppResult<Taxes> {
    let region = immat_domain::CodePostal::parse(&v.adresse_code_postal).ok().and_then(|cp| Region::du_departement(cp.departement()));
    taxes(p.objet_taxe(v), &vehicule_fiscal(v)?, region, state.now().date()).map_err(|e| match e {
        TaxeError::RegionInconnue | TaxeError::TarifInconnu => {
            AppError::Requete { status: StatusCode::UNPROCESSABLE_ENTITY, code: CodeErreur::TaxesIncalculables, message: e.to_string() }
        }
    })
}

pub fn vue(state: &AppState, d: &DemarcheRecord, v: &VehiculeRecord) -> AppResult<DemarcheVue> {
    let p = procedure_de(d.teleprocedure)?;
    let donnees = Donnees::de(d)?;
    let taxes = match donnees.taxes {
        Some(t) => t,
        None => taxes_de(state, p, v)?,
    };
    let documents = if d.etat == EtatDemarche::Terminee {
        p.documents().iter().map(|doc| DocumentVue { libelle: doc.libelle().into(), url: doc.url(&d.numero) }).collect()
    } else {
        Vec::new()
    };
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
            date_premiere_immatriculation: v.date_premiere_immatriculation,
            titulaire: titulaire_vue(v),
        },
        avertissement: donnees.avertissement,
        details: donnees.details,
        nouveau_certificat: p.nouveau_certificat(&taxes),
        taxes,
        documents,
        code_cession: None,
        cree_le: d.created_at.clone(),
        modifie_le: d.updated_at.clone(),
    })
}

/// La démarche `numero` de l'usager, avec son véhicule. Celle d'un autre
/// compte répond comme une démarche qui n'existe pas.
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

/// La démarche de l'usager désignée par `{numero}`, encore brouillon, avec
/// son véhicule et ses données : l'extracteur des routes qui la modifient.
/// Sans session : 401 ; agent du CERT : 403 ; démarche d'un autre compte :
/// 404, comme une démarche qui n'existe pas ; plus brouillon : 409.
pub struct Brouillon {
    pub d: DemarcheRecord,
    pub v: VehiculeRecord,
    pub donnees: Donnees,
}

impl FromRequestParts<AppState> for Brouillon {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Citoyen(compte) = Citoyen::from_request_parts(parts, state).await?;
        let Path(params) = Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Introuvable("Cette démarche est introuvable dans votre espace.".into()))?;
        let numero = params.get("numero").map(String::as_str).unwrap_or_default();
        let (d, v) = charger(state, compte.id, numero).await?;
        exiger_brouillon(&d)?;
        let donnees = Donnees::de(&d)?;
        Ok(Self { d, v, donnees })
    }
}

impl Brouillon {
    /// Exige que la démarche soit de cette téléprocédure (routes de saisie).
    pub fn de(self, tp: Teleprocedure) -> AppResult<Self> {
        if self.d.teleprocedure != tp {
            return Err(AppError::Conflit(format!("Cette démarche n'est pas : « {} ».", tp.libelle())));
        }
        Ok(self)
    }
}

/// Enregistre la saisie de l'étape « Saisie » : toujours (rien n'est perdu),
/// et passe à l'étape suivante si elle est valide. L'écriture est
/// conditionnée à l'état et à la version lus.
pub async fn enregistrer_saisie(
    state: &AppState,
    d: DemarcheRecord,
    v: &VehiculeRecord,
    donnees: Donnees,
    valide: AppResult<()>,
) -> AppResult<AppJson<DemarcheVue>> {
    let etape = if valide.is_ok() { d.teleprocedure.apres(Etape::Saisie) } else { Etape::Saisie };
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

/// La réponse à « pour moi-même » sur un véhicule qui n'est pas au compte
/// (qu'il existe ou non).
pub const VEHICULE_HORS_COMPTE: &str = "Aucun véhicule de votre compte n'est immatriculé sous ce numéro. Pour le véhicule d'une autre personne, choisissez « Pour quelqu'un d'autre ».";

/// « Démarrer la procédure ».
async fn demarrer(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    AppJson(req): AppJson<NouvelleDemarche>,
) -> AppResult<(StatusCode, AppJson<DemarcheVue>)> {
    let (Some(_), Some(details)) = (procedure(req.teleprocedure), DetailsDemarche::nouveau(req.teleprocedure)) else {
        return Err(AppError::Requete {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: CodeErreur::NonDisponible,
            message: format!("La téléprocédure « {} » n'est pas encore disponible.", req.teleprocedure.libelle()),
        });
    };
    let elements =
        elements_necessaires(req.teleprocedure, compte.type_compte(), req.pour_qui).map_err(|e| AppError::Interdit(e.to_string()))?;
    let (immat, code) = req.valider(&elements).map_err(AppError::Validation)?;
    let v = state.repo.vehicule_par_immatriculation(&immat.to_string()).await?;
    // « Pour moi-même » : seulement un véhicule du compte. Un véhicule
    // d'autrui et un numéro inconnu reçoivent la même réponse.
    let v = match (req.pour_qui, v) {
        (PourQui::MoiMeme, Some(v)) if v.compte_id == Some(compte.id) => v,
        (PourQui::MoiMeme, _) => return Err(AppError::champ("immatriculation", VEHICULE_HORS_COMPTE)),
        (PourQui::Autrui, Some(v)) => v,
        (PourQui::Autrui, None) => {
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
    let nouvelles = Donnees {
        avertissement,
        ancienne_adresse: Some(adresse_du_vehicule(&v)),
        code_confidentiel_version: version_du_code,
        ..Donnees::nouvelles(details)
    };
    let (d, cree) = state
        .repo
        .creer_demarche(&nouveau_numero(state.now()), compte.id, v.id, req.teleprocedure, req.pour_qui, &nouvelles.json()?)
        .await?;
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
    Ok((StatusCode::CREATED, AppJson(vue(&state, &d, &v)?)))
}

async fn lire(State(state): State<AppState>, Citoyen(compte): Citoyen, Path(numero): Path<String>) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    Ok(AppJson(vue(&state, &d, &v)?))
}

/// Vérifie la commune de l'adresse saisie ; rend le résultat, ou une erreur
/// au champ du code postal.
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
    Brouillon { d, v, mut donnees }: Brouillon,
    AppJson(choix): AppJson<ChoixVerification>,
) -> AppResult<AppJson<DemarcheVue>> {
    let Some(adresse) = donnees.details.adresse_mut() else {
        return Err(AppError::Conflit("Saisissez d'abord l'adresse.".into()));
    };
    adresse.retenir(choix.accepter);
    let d = state.repo.maj_demarche(&d, d.teleprocedure.apres(Etape::Verification), &donnees.json()?).await?;
    Ok(AppJson(vue(&state, &d, &v)?))
}

/// « Valider » au récapitulatif, CLU cochées : la transition vient du cycle de
/// vie du domaine, l'écriture de la téléprocédure.
async fn valider(
    State(state): State<AppState>,
    Brouillon { d, v, mut donnees }: Brouillon,
    AppJson(req): AppJson<ValidationDemarche>,
) -> AppResult<AppJson<DemarcheVue>> {
    let p = procedure_de(d.teleprocedure)?;
    immat_domain::procedures::valider_clu(&req.clu).map_err(|e| AppError::Validation(vec![e]))?;
    if d.etape != Etape::Recapitulatif || !p.prete(&donnees.details) {
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
    let taxes = taxes_de(&state, p, &v)?;
    let vers = demarche::valider(d.etat, taxes.montant_du()).map_err(|e| AppError::Conflit(e.to_string()))?;
    donnees.clu_acceptees = req.clu;
    donnees.valide_le = Some(horodatage(state.now()));
    donnees.taxes = Some(taxes);
    let (d, secret) = p.terminer(Validation { state: &state, d: &d, v: &v, donnees, vers }).await?;
    let v = state.repo.vehicule(v.id).await?;
    let mut vue = vue(&state, &d, &v)?;
    vue.code_cession = secret;
    Ok(AppJson(vue))
}
