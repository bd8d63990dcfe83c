//! « Mes véhicules » : comment un véhicule du registre rejoint un compte.
//!
//! - Par le code confidentiel (tout compte) : « Ajouter un véhicule », ou le
//!   démarrage d'une démarche « pour moi-même » (`vehicule_pour_moi_meme`).
//!   Un code juste rattache le véhicule ; un code faux compte dans les
//!   limites ; un numéro inconnu reçoit la même réponse qu'un code faux.
//! - Par l'identité (compte certifié par FranceConnect), à chaque connexion
//!   ou certification : `rattacher_par_identite`.
//!
//! Un véhicule déjà au compte d'une autre personne ne change jamais de
//! compte (écriture conditionnelle).

use super::{
    auth::Citoyen,
    error::*,
    limites::{echec_code_vehicule_inconnu, exiger_non_bloque, verifier_code},
    routes::Routes,
    AppState,
};
use crate::db::{CompteRecord, Rattachement, VehiculeRecord};
use axum::{extract::State, http::StatusCode};
use immat_domain::{
    franceconnect::IdentiteCertifiee,
    rattachement::{comparer, AjoutVehicule, Correspondance, TitulaireInscrit, VehiculeAjoute, VEHICULE_RATTACHE_AILLEURS},
    CodeConfidentiel, Immatriculation, Profil,
};

pub fn routes() -> Routes {
    Routes::new().post("/vehicules", ajouter)
}

/// La réponse à « pour moi-même » sans code sur un véhicule qui n'est pas
/// au compte (qu'il existe ou non).
pub const VEHICULE_HORS_COMPTE: &str = "Aucun véhicule de votre compte n'est immatriculé sous ce numéro. Si c'est votre véhicule, \
     ajoutez-le d'abord avec son code confidentiel (« Ajouter un véhicule » dans l'espace véhicule). Pour le véhicule d'une \
     autre personne, choisissez « Pour quelqu'un d'autre ».";

/// Un compte de professionnel habilité ne rattache aucun véhicule par code.
pub const VEHICULE_D_UN_CLIENT: &str = "Un compte de professionnel de l'automobile habilité agit pour ses clients : le code \
     confidentiel d'un client ne fait pas de son véhicule l'un des vôtres. Choisissez « Pour quelqu'un d'autre ».";

/// Un véhicule déclaré cédé attend le changement de titulaire de son
/// acquéreur : il ne rejoint plus aucun compte.
pub const VEHICULE_CEDE: &str = "Ce véhicule a été déclaré cédé : il attend le changement de titulaire de son acquéreur et ne peut \
     plus être ajouté à un compte.";

/// Le véhicule désigné « pour moi-même », la version du code confidentiel
/// qui vaut pour la démarche, et s'il vient de rejoindre le compte.
///
/// - Un véhicule du compte : le code, s'il est demandé, est vérifié.
/// - Avec un code : un code juste rattache le véhicule au compte (la preuve
///   que la personne détient le certificat) ; un code faux et un numéro
///   inconnu reçoivent la même réponse et comptent dans les mêmes limites.
/// - Sans code (compte certifié) : seulement un véhicule du compte.
pub async fn vehicule_pour_moi_meme(
    state: &AppState,
    compte: &CompteRecord,
    immatriculation: &Immatriculation,
    code: Option<&CodeConfidentiel>,
) -> AppResult<(VehiculeRecord, i64, bool)> {
    let v = state.repo.vehicule_par_immatriculation(&immatriculation.to_string()).await?;
    // Un professionnel reçoit les codes de ses clients pour agir pour eux :
    // un code ne prouve pas que le véhicule est le sien. Même réponse pour
    // tout véhicule qui n'est pas déjà au compte, avant tout essai de code.
    if compte.profil == Profil::ProfessionnelHabilite && v.as_ref().is_none_or(|v| v.compte_id != Some(compte.id)) {
        return Err(AppError::champ("immatriculation", VEHICULE_D_UN_CLIENT));
    }
    match (v, code) {
        (Some(v), Some(code)) => {
            let version = verifier_code(state, &v, compte.id, code).await?;
            let nouveau = if v.compte_id == Some(compte.id) {
                false
            } else if v.situation.cede {
                return Err(AppError::champ("immatriculation", VEHICULE_CEDE));
            } else {
                match state.repo.rattacher_vehicule(v.id, compte.id, version).await? {
                    Rattachement::Rattache => true,
                    Rattachement::DejaAuCompte => false,
                    Rattachement::Ailleurs => return Err(AppError::champ("immatriculation", VEHICULE_RATTACHE_AILLEURS)),
                }
            };
            Ok((v, version, nouveau))
        }
        (None, Some(code)) => Err(echec_code_vehicule_inconnu(state, immatriculation, compte.id, code).await),
        (Some(v), None) if v.compte_id == Some(compte.id) => {
            exiger_non_bloque(state, &v, compte.id).await?;
            let version = v.code_confidentiel_version;
            Ok((v, version, false))
        }
        (_, None) => Err(AppError::champ("immatriculation", VEHICULE_HORS_COMPTE)),
    }
}

/// `POST /vehicules` — « Ajouter un véhicule » : le numéro et le code
/// confidentiel. 201 : le véhicule rejoint « Mes véhicules » ; 200 : il y
/// était déjà.
async fn ajouter(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    AppJson(req): AppJson<AjoutVehicule>,
) -> AppResult<(StatusCode, AppJson<VehiculeAjoute>)> {
    let (immatriculation, code) = req.valider().map_err(AppError::Validation)?;
    let (v, _, nouveau) = vehicule_pour_moi_meme(&state, &compte, &immatriculation, Some(&code)).await?;
    let deja = !nouveau;
    let immatriculation = Immatriculation::parse(&v.immatriculation).map_err(|e| anyhow::anyhow!("immatriculation en base : {e}"))?;
    let (status, message) = if deja {
        (StatusCode::OK, format!("Le véhicule {immatriculation} est déjà dans « Mes véhicules »."))
    } else {
        (StatusCode::CREATED, format!("Le véhicule {immatriculation} a été ajouté à « Mes véhicules »."))
    };
    Ok((status, AppJson(VehiculeAjoute { immatriculation, ajoute: !deja, message })))
}

/// Ce que le rattachement par l'identité a trouvé.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rattachements {
    pub ajoutes: usize,
    /// Des titulaires inscrits qui ressemblent à l'identité sans lui
    /// correspondre : rien n'est rattaché, l'usager est prévenu.
    pub partiels: usize,
}

/// Les véhicules sans compte dont le titulaire inscrit est la personne
/// certifiée rejoignent son compte (une personne physique seulement).
pub async fn rattacher_par_identite(state: &AppState, compte_id: i64, identite: &IdentiteCertifiee) -> AppResult<Rattachements> {
    let compte = state.repo.compte(compte_id).await?;
    if compte.profil != Profil::PersonnePhysique {
        return Ok(Rattachements::default());
    }
    let mut r = Rattachements::default();
    for v in state.repo.vehicules_sans_compte_nes_le(&identite.date_naissance.to_string()).await? {
        // Une personne morale inscrite n'a pas d'état civil.
        if v.titulaire_raison_sociale.is_some() {
            continue;
        }
        let inscrit = TitulaireInscrit {
            nom: &v.titulaire_nom,
            prenoms: v.titulaire_prenoms.as_deref(),
            date_naissance: v.titulaire_date_naissance.as_deref(),
            lieu_naissance: v.titulaire_lieu_naissance.as_deref(),
        };
        match comparer(identite, &inscrit) {
            Correspondance::Exacte => {
                if state.repo.rattacher_vehicule(v.id, compte_id, v.code_confidentiel_version).await? == Rattachement::Rattache {
                    r.ajoutes += 1;
                }
            }
            Correspondance::Partielle => r.partiels += 1,
            Correspondance::Aucune => {}
        }
    }
    if r.ajoutes > 0 || r.partiels > 0 {
        tracing::info!(compte_id, ajoutes = r.ajoutes, partiels = r.partiels, "rattachement par l'identité");
    }
    Ok(r)
}
