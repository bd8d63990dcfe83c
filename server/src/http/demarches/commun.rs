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
    procedures::{AdresseVerifiee, ChoixVerification, DetailsPropres, DocumentVue, ValidationDemarche, VehiculeResume},
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
        .post("/demarches/{numero}/abandonner", abandonner)
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

/// Les taxes dues par la démarche, calculées par le domaine, et la règle
/// appliquée pour Y1. La région du domicile (CIBS L421-43 ; celui du
/// nouveau titulaire pour un changement de titulaire) n'est exigée que là
/// où une taxe en dépend : une adresse en collectivité d'outre-mer
/// n'empêche pas une déclaration de cession ou un changement d'adresse.
pub fn taxes_de(
    state: &AppState,
    p: &dyn Procedure,
    details: &DetailsDemarche,
    v: Option<&VehiculeRecord>,
) -> AppResult<(Taxes, Option<String>)> {
    let incalculables =
        |message: String| AppError::Requete { status: StatusCode::UNPROCESSABLE_ENTITY, code: CodeErreur::TaxesIncalculables, message };
    let (objet, fiscal) =
        p.assiette(details, v)?.ok_or_else(|| incalculables("Les taxes se calculent une fois la demande complète.".into()))?;
    let contexte = p.contexte_fiscal(details, v);
    let region = immat_domain::CodePostal::parse(&contexte.code_postal).ok().and_then(|cp| Region::du_departement(cp.departement()));
    let fiscal = immat_domain::taxes::VehiculeFiscal { collection: contexte.collection, ..fiscal };
    let aujourd_hui = state.now().date();
    let taxes = taxes(objet, &fiscal, region, aujourd_hui).map_err(|e| match e {
        TaxeError::RegionInconnue | TaxeError::TarifInconnu => incalculables(e.to_string()),
    })?;
    let regle = region.filter(|_| !taxes.y1.est_nul()).map(|r| immat_domain::taxes::regle_y1(&fiscal, r, aujourd_hui));
    Ok((taxes, regle))
}

pub async fn vue(state: &AppState, d: &DemarcheRecord, v: Option<&VehiculeRecord>) -> AppResult<DemarcheVue> {
    let p = procedure_de(d.teleprocedure)?;
    let donnees = Donnees::de(d)?;
    let mut taxes_incalculables = None;
    let (taxes, regle_y1) = match (donnees.taxes, &donnees.regle_y1) {
        (Some(t), regle) => (t, regle.clone()),
        // Une saisie encore incomplète (une TPC) : rien d'annoncé.
        (None, _) if p.assiette(&donnees.details, v)?.is_none() => (Taxes::default(), None),
        (None, _) => match taxes_de(state, p, &donnees.details, v) {
            Ok(t) => t,
            // Des taxes pas encore figées qui ne se calculent pas (domicile
            // en collectivité d'outre-mer) : la démarche se lit toujours, et
            // le dit ; « Valider » les refusera.
            Err(AppError::Requete { code: CodeErreur::TaxesIncalculables, message, .. }) => {
                taxes_incalculables = Some(message);
                (Taxes::default(), None)
            }
            Err(e) => return Err(e),
        },
    };
    // Des taxes calculées sur le registre, que la démarche ne montre pas (une
    // TPC pour autrui) : cachées jusqu'à l'acceptation du CERT, qui a
    // contrôlé le mandat.
    let taxes_masquees = v.is_some_and(|v| !p.montre_le_registre(d, v))
        && !matches!(d.etat, EtatDemarche::APayer | EtatDemarche::Payee | EtatDemarche::Terminee);
    let (taxes, regle_y1) = if taxes_masquees { (Taxes::default(), None) } else { (taxes, regle_y1) };
    // Les documents de la téléprocédure dans son ordre, puis ceux qu'elle
    // rend disponibles en cours de route (le CSA d'un duplicata pour vol).
    let autres = immat_domain::procedures::Document::TOUS.into_iter().filter(|doc| !p.documents().contains(doc));
    let documents = p
        .documents()
        .iter()
        .copied()
        .chain(autres)
        .filter(|doc| p.document_disponible(*doc, d.etat, &donnees.details))
        .map(|doc| DocumentVue { libelle: doc.libelle().into(), url: doc.url(&d.numero) })
        .collect();
    let instruction = super::pieces::instruction_vue(
        state,
        d,
        &p.pieces_acceptees(d.pour_qui, &donnees.details),
        &p.pieces_requises(d.pour_qui, &donnees.details),
    )
    .await?;
    let paiement = state.repo.paiements_de(d.id).await?.into_iter().next().map(|p| super::paiement::paiement_vue(&p));
    Ok(DemarcheVue {
        numero: d.numero.clone(),
        teleprocedure: d.teleprocedure,
        etat: d.etat,
        etape: d.etape,
        pour_qui: d.pour_qui,
        vehicule: match v {
            Some(v) if p.montre_le_registre(d, v) => Some(vehicule_resume(v, donnees.titulaire.as_ref())?),
            _ => None,
        },
        avertissement: donnees.avertissement,
        details: donnees.details,
        nouveau_certificat: p.nouveau_certificat(&taxes),
        taxes,
        regle_y1,
        taxes_masquees,
        taxes_incalculables,
        documents,
        code_cession: None,
        paiement,
        instruction,
        cree_le: d.created_at.clone(),
        modifie_le: d.updated_at.clone(),
    })
}

/// Le véhicule tel que le registre l'inscrit, pour un agent du CERT.
pub fn vehicule_resume_agent(v: &VehiculeRecord) -> AppResult<VehiculeResume> {
    vehicule_resume(v, None)
}

/// Le véhicule tel que la démarche le montre : le titulaire est celui du
/// démarrage (un vendeur ne voit pas le nouveau titulaire dans sa
/// déclaration de cession terminée).
fn vehicule_resume(v: &VehiculeRecord, titulaire: Option<&TitulaireVue>) -> AppResult<VehiculeResume> {
    let immatriculation = Immatriculation::parse(&v.immatriculation).map_err(|e| anyhow::anyhow!("immatriculation en base : {e}"))?;
    Ok(VehiculeResume {
        immatriculation,
        vin: v.vin.clone(),
        marque: v.marque.clone(),
        modele: v.modele.clone(),
        genre: v.genre,
        energie: v.energie,
        puissance_cv: v.puissance_cv,
        date_premiere_immatriculation: v.date_premiere_immatriculation,
        titulaire: titulaire.cloned().unwrap_or_else(|| titulaire_vue(v)),
    })
}

/// La démarche `numero` de l'usager, avec son véhicule. Celle d'un autre
/// compte répond comme une démarche qui n'existe pas.
pub async fn charger(state: &AppState, compte_id: i64, numero: &str) -> AppResult<(DemarcheRecord, Option<VehiculeRecord>)> {
    let d = state
        .repo
        .demarche_par_numero(numero)
        .await?
        .filter(|d| d.compte_id == compte_id)
        .ok_or_else(|| AppError::Introuvable("Cette démarche est introuvable dans votre espace.".into()))?;
    let v = vehicule_de(state, &d).await?;
    Ok((d, v))
}

/// Le véhicule d'une démarche, s'il y en a un (une TPC peut n'en avoir pas).
pub async fn vehicule_de(state: &AppState, d: &DemarcheRecord) -> AppResult<Option<VehiculeRecord>> {
    Ok(match d.vehicule_id {
        Some(id) => Some(state.repo.vehicule(id).await?),
        None => None,
    })
}

/// La démarche de l'usager désignée par `{numero}`, encore brouillon, avec
/// son véhicule et ses données : l'extracteur des routes qui la modifient.
/// Sans session : 401 ; agent du CERT : 403 ; démarche d'un autre compte :
/// 404, comme une démarche qui n'existe pas ; plus brouillon : 409.
pub struct Brouillon {
    pub d: DemarcheRecord,
    pub v: Option<VehiculeRecord>,
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
    v: Option<&VehiculeRecord>,
    donnees: Donnees,
    valide: AppResult<()>,
) -> AppResult<AppJson<DemarcheVue>> {
    let etape = if valide.is_ok() { d.teleprocedure.apres(Etape::Saisie) } else { Etape::Saisie };
    let d = state.repo.maj_demarche(&d, etape, &donnees.json()?).await?;
    valide?;
    Ok(AppJson(vue(state, &d, v).await?))
}

/// Ce qu'une téléprocédure saisit à son étape « Saisie » : le corps JSON de
/// sa route, et comment il se range dans ses détails.
pub trait Saisie: serde::de::DeserializeOwned + Send + 'static {
    type Details: DetailsPropres;
    /// Range la saisie dans les détails (toujours, même invalide : rien
    /// n'est perdu) et dit si elle est valide. `d` : la démarche (son
    /// initiateur…).
    fn ranger(self, state: &AppState, details: &mut Self::Details, v: Option<&VehiculeRecord>, d: &DemarcheRecord) -> AppResult<()>;
}

/// La route de l'étape « Saisie » d'une téléprocédure (son chemin vient du
/// domaine).
pub fn route_de_saisie<S: Saisie>() -> Routes {
    Routes::new().put(<S::Details as DetailsPropres>::TELEPROCEDURE.route_de_saisie(), saisir::<S>)
}

/// `PUT` de l'étape « Saisie » : la démarche de l'usager, encore brouillon
/// et de cette téléprocédure ; la saisie rangée, la démarche écrite.
async fn saisir<S: Saisie>(
    State(state): State<AppState>,
    brouillon: Brouillon,
    AppJson(req): AppJson<S>,
) -> AppResult<AppJson<DemarcheVue>> {
    let Brouillon { d, v, mut donnees } = brouillon.de(<S::Details as DetailsPropres>::TELEPROCEDURE)?;
    let details = <S::Details as DetailsPropres>::de_mut(&mut donnees.details)
        .ok_or_else(|| DbError::Corrupt(format!("détails de la démarche {}", d.numero)))?;
    let valide = req.ranger(&state, details, v.as_ref(), &d);
    enregistrer_saisie(&state, d, v.as_ref(), donnees, valide).await
}

/// Une saisie validée par le domaine, dont l'adresse est ensuite vérifiée
/// (commune au regard du code postal) : la saisie et l'adresse à retenir.
pub fn valider_et_verifier<T>(
    state: &AppState,
    validee: Result<T, Vec<ChampErreur>>,
    adresse: impl Fn(&T) -> &AdresseNormalisee,
) -> AppResult<(T, AdresseVerifiee)> {
    let t = validee.map_err(AppError::Validation)?;
    let a = adresse(&t).clone();
    let verification = verifier_adresse(state, &a, "adresse")?;
    Ok((t, AdresseVerifiee::new(a, verification)))
}

/// Refuse toute modification d'une démarche qui n'est plus un brouillon.
pub fn exiger_brouillon(d: &DemarcheRecord) -> AppResult<()> {
    if d.etat != EtatDemarche::Brouillon {
        return Err(AppError::Conflit(format!("Cette démarche ne peut plus être modifiée : elle est « {} ».", d.etat.libelle())));
    }
    Ok(())
}

pub fn nouveau_numero(maintenant: OffsetDateTime) -> String {
    let mut octets = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut octets);
    let suffixe: String = octets.iter().map(|b| CODE_ALPHABET[usize::from(b % 32)] as char).collect();
    format!("{}-{}", maintenant.year(), suffixe)
}

/// Le registre du véhicule a changé depuis le démarrage (nouveau code
/// confidentiel, cession déclarée, autre transfert).
pub const REGISTRE_CHANGE: &str = "Le certificat de ce véhicule a changé depuis le début de cette démarche (nouveau code confidentiel, \
     cession déclarée ou autre changement de titulaire) : elle ne peut plus être validée ni payée. \
     Reprenez-la depuis « Ajouter une demande ».";

/// « Démarrer la procédure » : la téléprocédure construite, le compte qui
/// y a droit, les champs du tableau des éléments nécessaires ; la suite
/// revient à la téléprocédure.
async fn demarrer(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    AppJson(req): AppJson<NouvelleDemarche>,
) -> AppResult<(StatusCode, AppJson<DemarcheVue>)> {
    let Some(p) = procedure(req.teleprocedure) else {
        return Err(AppError::Requete {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: CodeErreur::NonDisponible,
            message: format!("La téléprocédure « {} » n'est pas encore disponible.", req.teleprocedure.libelle()),
        });
    };
    let elements =
        elements_necessaires(req.teleprocedure, compte.type_compte(), req.pour_qui).map_err(|e| AppError::Interdit(e.to_string()))?;
    let demarrage = req.valider(&elements, state.now().date()).map_err(AppError::Validation)?;
    let (status, vue) = p.demarrer(&state, &compte, &req, demarrage).await?;
    Ok((status, AppJson(vue)))
}

/// La situation du véhicule permet-elle la démarche ? Un blocage est une
/// erreur au champ de l'immatriculation ; un avertissement est rendu.
pub fn situation_permet(v: &VehiculeRecord, tp: Teleprocedure) -> AppResult<Option<String>> {
    match peut_demarrer(&v.situation, tp) {
        Verdict::Bloque(raison) => Err(AppError::Validation(vec![ChampErreur::new("immatriculation", raison)])),
        Verdict::AutoriseAvecAvertissement(m) => Ok(Some(m)),
        Verdict::Autorise => Ok(None),
    }
}

/// Le véhicule désigné au démarrage, sans code confidentiel. « Pour
/// moi-même » : seulement un véhicule du compte (un véhicule d'autrui et un
/// numéro inconnu reçoivent la même réponse) ; pour autrui : un véhicule
/// inscrit.
pub async fn charger_vehicule_demarrage(
    state: &AppState,
    compte: &crate::db::CompteRecord,
    pour_qui: PourQui,
    immatriculation: &Immatriculation,
) -> AppResult<VehiculeRecord> {
    let v = state.repo.vehicule_par_immatriculation(&immatriculation.to_string()).await?;
    match (pour_qui, v) {
        (PourQui::MoiMeme, Some(v)) if v.compte_id == Some(compte.id) => Ok(v),
        (PourQui::MoiMeme, _) => Err(AppError::champ("immatriculation", VEHICULE_HORS_COMPTE)),
        (PourQui::Autrui, Some(v)) => Ok(v),
        (PourQui::Autrui, None) => Err(AppError::champ("immatriculation", "Aucun véhicule n'est immatriculé sous ce numéro.")),
    }
}

/// Le démarrage commun : le véhicule du compte (« pour moi-même ») ou d'un
/// tiers, avec son code confidentiel là où le tableau le demande.
pub async fn demarrer_sur_son_vehicule(
    state: &AppState,
    compte: &crate::db::CompteRecord,
    req: &NouvelleDemarche,
    demarrage: Demarrage,
) -> AppResult<(StatusCode, DemarcheVue)> {
    let Some(details) = DetailsDemarche::nouveau(req.teleprocedure) else {
        return Err(AppError::Introuvable(format!("La téléprocédure « {} » n'est pas disponible.", req.teleprocedure.libelle())));
    };
    let immatriculation =
        demarrage.immatriculation.as_ref().ok_or_else(|| AppError::champ("immatriculation", "Saisissez le numéro d'immatriculation."))?;
    // La version du registre lue ici est celle que la validation, le
    // paiement et l'écriture du nouveau certificat exigent encore : un
    // changement de titulaire, une cession ou un nouveau code l'incrémentent.
    // « Pour moi-même », un code juste rattache le véhicule au compte.
    let (v, version_du_code) = match req.pour_qui {
        PourQui::MoiMeme => {
            let (v, version, _) =
                crate::http::vehicules::vehicule_pour_moi_meme(state, compte, immatriculation, demarrage.code_confidentiel.as_ref())
                    .await?;
            (v, version)
        }
        PourQui::Autrui => {
            let v = charger_vehicule_demarrage(state, compte, req.pour_qui, immatriculation).await?;
            let version = match &demarrage.code_confidentiel {
                Some(code) => verifier_code(state, &v, compte.id, code).await?,
                None => {
                    exiger_non_bloque(state, &v, compte.id).await?;
                    v.code_confidentiel_version
                }
            };
            (v, version)
        }
    };
    let avertissement = situation_permet(&v, req.teleprocedure)?;
    // « Reprendre la demande en cours » plutôt qu'un doublon (l'index unique
    // tient aussi sous deux démarrages simultanés).
    let nouvelles = Donnees {
        avertissement,
        ancienne_adresse: Some(adresse_du_vehicule(&v)),
        titulaire: Some(titulaire_vue(&v)),
        code_confidentiel_version: Some(version_du_code),
        ..Donnees::nouvelles(details)
    };
    let (d, cree) = state
        .repo
        .creer_demarche(&nouveau_numero(state.now()), compte.id, v.id, req.teleprocedure, req.pour_qui, &nouvelles.json()?)
        .await?;
    if !cree {
        // Reprise d'un brouillon : le code vient d'être vérifié (ou le
        // véhicule est au compte), la démarche vaut pour la version actuelle.
        let mut donnees = Donnees::de(&d)?;
        let d = if d.etat == EtatDemarche::Brouillon && donnees.code_confidentiel_version != Some(version_du_code) {
            donnees.code_confidentiel_version = Some(version_du_code);
            state.repo.maj_demarche(&d, d.etape, &donnees.json()?).await?
        } else {
            d
        };
        return Ok((StatusCode::OK, vue(state, &d, Some(&v)).await?));
    }
    Ok((StatusCode::CREATED, vue(state, &d, Some(&v)).await?))
}

async fn lire(State(state): State<AppState>, Citoyen(compte): Citoyen, Path(numero): Path<String>) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    Ok(AppJson(vue(&state, &d, v.as_ref()).await?))
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
    Ok(AppJson(vue(&state, &d, v.as_ref()).await?))
}

/// « Abandonner la demande » : un brouillon, ou une demande dont le CERT
/// attend une correction (rien n'y est payé ni en cours d'examen). La
/// transition vient du cycle de vie ; l'écriture est conditionnée à l'état
/// et à la version lus.
/// La réponse est vide (204) : la démarche abandonnée n'est pas relue (des
/// données devenues illisibles n'empêchent pas l'abandon d'aboutir).
async fn abandonner(State(state): State<AppState>, Citoyen(compte): Citoyen, Path(numero): Path<String>) -> AppResult<StatusCode> {
    let (d, _) = charger(&state, compte.id, &numero).await?;
    if !matches!(d.etat, EtatDemarche::Brouillon | EtatDemarche::CorrectionDemandee) {
        return Err(AppError::Conflit(format!("Cette demande ne peut plus être abandonnée : elle est « {} ».", d.etat.libelle())));
    }
    let vers = demarche::abandonner(d.etat).map_err(|e| AppError::Conflit(e.to_string()))?;
    let evenement = crate::db::NewEvenement {
        auteur: immat_domain::pieces::Auteur::Usager,
        compte_id: Some(compte.id),
        action: immat_domain::pieces::Action::DemarcheAbandonnee,
        motif: None,
        message: None,
        piece_id: None,
    };
    // Les données telles qu'enregistrées : même illisibles, la démarche
    // s'abandonne (et libère sa place).
    let donnees = d.donnees.clone();
    state.repo.abandonner(crate::db::Ecriture { d: &d, vers, etape: d.etape, donnees: &donnees }, &evenement).await?;
    Ok(StatusCode::NO_CONTENT)
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
    if let Some(v) = v.as_ref().filter(|v| p.controle_le_registre(&d, v)) {
        if !donnees.registre_inchange(v) {
            return Err(AppError::Conflit(REGISTRE_CHANGE.into()));
        }
        // La situation du véhicule a pu changer depuis le démarrage.
        if let Verdict::Bloque(raison) = peut_demarrer(&v.situation, d.teleprocedure) {
            return Err(AppError::Conflit(raison));
        }
    }
    let (taxes, regle_y1) = taxes_de(&state, p, &donnees.details, v.as_ref())?;
    let requises = p.pieces_requises(d.pour_qui, &donnees.details);
    donnees.clu_acceptees = req.clu;
    donnees.valide_le = Some(horodatage(state.now()));
    donnees.taxes = Some(taxes);
    donnees.regle_y1 = regle_y1;
    if p.instruite_par_le_cert(d.pour_qui, &donnees.details) {
        // Le mode itératif : les pièces envoyées, la demande attend le
        // contrôle du CERT (les taxes sont figées maintenant).
        super::pieces::exiger_pieces(&requises, &state.repo.pieces_de(d.id).await?)?;
        let vers = demarche::soumettre_au_cert(d.etat).map_err(|e| AppError::Conflit(e.to_string()))?;
        let evenement = crate::db::NewEvenement {
            auteur: immat_domain::pieces::Auteur::Usager,
            compte_id: Some(d.compte_id),
            action: immat_domain::pieces::Action::EnvoiAuCert,
            motif: None,
            message: None,
            piece_id: None,
        };
        let d = state
            .repo
            .soumettre_au_cert(
                crate::db::Ecriture { d: &d, vers, etape: demarche::etape_apres_validation(vers), donnees: &donnees.json()? },
                &evenement,
            )
            .await?;
        return Ok(AppJson(vue(&state, &d, v.as_ref()).await?));
    }
    let vers = demarche::valider(d.etat, taxes.montant_du()).map_err(|e| AppError::Conflit(e.to_string()))?;
    let (d, secret) = p.terminer(Validation { state: &state, d: &d, v: v.as_ref(), donnees, vers }).await?;
    if d.etat == EtatDemarche::Terminee {
        super::code_confidentiel::courrier_nouveau_certificat(&state, d.id).await;
    }
    let v = vehicule_de(&state, &d).await?;
    let mut vue = vue(&state, &d, v.as_ref()).await?;
    vue.code_cession = secret;
    Ok(AppJson(vue))
}
