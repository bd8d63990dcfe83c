//! Le paiement des taxes d'une démarche « à payer », commun à toutes les
//! téléprocédures, avec le prestataire ([`crate::payfip`]) :
//!
//! - « Payer » écrit la tentative (référence `refdet`) **avant** de créer
//!   l'opération chez le prestataire, puis envoie l'usager sur sa page ;
//! - la notification du prestataire, le clic « Cliquer ici pour enregistrer
//!   votre paiement » et le rapprochement périodique font la même chose :
//!   interroger le prestataire et, s'il a payé, faire passer la démarche
//!   `à payer → payée → terminée` par des écritures conditionnelles. Chacun
//!   peut arriver en premier, plusieurs fois, ou jamais : le paiement est
//!   enregistré une fois.

use super::{
    commun::{charger, vue},
    *,
};
use crate::{db::PaiementRecord, http::auth::Citoyen, payfip::DemandeOperation};
use axum::extract::{Path, State};
use immat_domain::{
    api::CodeErreur,
    demarche::{enregistrer_paiement, payer as transition_payer},
    paiement::{objet_paiement, EtatPaiement, PaiementInitie, PaiementVue, DEJA_PAYE},
    Etape,
};

pub fn routes() -> Routes {
    Routes::new()
        .post("/demarches/{numero}/paiements", payer)
        .post("/demarches/{numero}/paiements/verifier", verifier)
        .post("/paiements/notification", notification)
}

pub fn paiement_vue(p: &PaiementRecord) -> PaiementVue {
    PaiementVue {
        tentative: p.tentative,
        refdet: p.refdet.clone(),
        etat: p.etat,
        montant: immat_domain::taxes::Montant(p.montant_centimes),
        carte_fin: p.carte_fin.clone(),
        numero_autorisation: p.numero_autorisation.clone(),
        regle_le: p.regle_le.map(horodatage),
    }
}

fn deja_paye() -> AppError {
    AppError::Requete { status: StatusCode::CONFLICT, code: CodeErreur::DejaPaye, message: DEJA_PAYE.into() }
}

fn indisponible() -> AppError {
    AppError::Requete {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: CodeErreur::Surcharge,
        message: "Le service de paiement est momentanément indisponible. Réessayez dans quelques minutes : rien n'a été débité.".into(),
    }
}

fn page_de_paiement(idop: &str) -> PaiementInitie {
    PaiementInitie { url: format!("/payfip/paiement?idop={idop}") }
}

/// « Payer » : une tentative écrite, puis l'opération chez le prestataire.
async fn payer(State(state): State<AppState>, Citoyen(compte): Citoyen, Path(numero): Path<String>) -> AppResult<AppJson<PaiementInitie>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    match d.etat {
        EtatDemarche::APayer => {}
        EtatDemarche::Payee | EtatDemarche::Terminee => {
            finaliser(&state, d.id).await?;
            return Err(deja_paye());
        }
        autre => return Err(AppError::Conflit(format!("Cette démarche n'est pas à payer : elle est « {} ».", autre.libelle()))),
    }
    // Un paiement déjà réglé dont l'enregistrement a été interrompu : on le
    // termine, rien n'est redemandé.
    let tentatives = state.repo.paiements_de(d.id).await?;
    if tentatives.iter().any(|p| p.etat == EtatPaiement::Paye) {
        finaliser(&state, d.id).await?;
        return Err(deja_paye());
    }
    // Rien n'est encaissé pour une démarche qui ne pourrait plus aboutir : le
    // registre et la situation du véhicule sont revus avant chaque tentative.
    let donnees = Donnees::de(&d)?;
    let p = procedure_de(d.teleprocedure)?;
    if let Some(v) = v.as_ref().filter(|v| p.controle_le_registre(&d, v)) {
        if !donnees.registre_inchange(v) {
            return Err(AppError::Conflit(super::commun::REGISTRE_CHANGE.into()));
        }
        if let immat_domain::regles::Verdict::Bloque(raison) = immat_domain::regles::peut_demarrer(&v.situation, d.teleprocedure) {
            return Err(AppError::Conflit(raison));
        }
    }
    // Une tentative en cours : le prestataire dit où elle en est. Payée, la
    // démarche est mise à jour et rien n'est redemandé ; encore ouverte,
    // l'usager y retourne (deux onglets ne font qu'un débit).
    if let Some(en_cours) = tentatives.into_iter().find(|p| p.etat == EtatPaiement::EnCours) {
        match constater(&state, &en_cours).await? {
            EtatPaiement::Paye => return Err(deja_paye()),
            EtatPaiement::EnCours => {
                if let Some(idop) = &en_cours.idop {
                    return Ok(AppJson(page_de_paiement(idop)));
                }
            }
            EtatPaiement::Refuse | EtatPaiement::Abandonne => {}
        }
    }
    let montant = donnees.taxes.ok_or_else(|| anyhow::anyhow!("démarche {} à payer sans taxes figées", d.numero))?.y6();
    let tentative = match state.repo.creer_paiement(d.id, &d.numero, montant.centimes()).await {
        Ok(p) => p,
        // Un autre « Payer » simultané a créé la tentative : la même page.
        // (Elle reçoit son opération dans l'instant : on l'attend un peu.)
        Err(DbError::Conflict(_)) => {
            for _ in 0..20 {
                let p = state.repo.paiements_de(d.id).await?.into_iter().find(|p| p.etat == EtatPaiement::EnCours);
                if let Some(idop) = p.and_then(|p| p.idop) {
                    return Ok(AppJson(page_de_paiement(&idop)));
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            return Err(AppError::Conflit("Un paiement est en cours de création : réessayez dans un instant.".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let demande = DemandeOperation {
        refdet: tentative.refdet.clone(),
        montant_centimes: tentative.montant_centimes,
        objet: objet_paiement(&d.numero, v.as_ref().map_or("", |v| v.immatriculation.as_str())),
        urlnotif: state.config.url_interne.as_ref().map(|u| format!("{}/api/v1/paiements/notification", u.trim_end_matches('/'))),
        urlredirect: format!("/espace-vehicule/demarche/{}/{}?paiement=retour", d.teleprocedure.slug(), d.numero),
    };
    let idop = match state.prestataire.creer(demande).await {
        Ok(idop) => idop,
        Err(e) => {
            // Rien n'a été créé chez le prestataire : la tentative tombe.
            state.repo.regler_paiement(tentative.id, EtatPaiement::Abandonne, None, None, state.now()).await?;
            tracing::error!(error = %e, refdet = %tentative.refdet, "création de l'opération de paiement impossible");
            return Err(indisponible());
        }
    };
    if let Err(e) = state.repo.attacher_idop(tentative.id, &idop).await {
        // L'opération créée chez le prestataire reste orpheline : l'usager n'y
        // est pas envoyé, elle expire sans débit.
        tracing::error!(error = %e, refdet = %tentative.refdet, %idop, "opération non rattachée à sa tentative");
        return Err(indisponible());
    }
    tracing::info!(refdet = %tentative.refdet, %idop, montant = tentative.montant_centimes, "paiement créé");
    Ok(AppJson(page_de_paiement(&idop)))
}

/// « Cliquer ici pour enregistrer votre paiement » : aller voir.
async fn verifier(State(state): State<AppState>, Citoyen(compte): Citoyen, Path(numero): Path<String>) -> AppResult<AppJson<DemarcheVue>> {
    let (d, _) = charger(&state, compte.id, &numero).await?;
    for p in state.repo.paiements_de(d.id).await? {
        if p.etat == EtatPaiement::EnCours {
            constater(&state, &p).await?;
        }
    }
    finaliser(&state, d.id).await?;
    let (d, v) = charger(&state, compte.id, &numero).await?;
    Ok(AppJson(vue(&state, &d, v.as_ref()).await?))
}

#[derive(serde::Deserialize)]
struct Notification {
    idop: String,
}

/// La notification du prestataire (de serveur à serveur) : seul l'`idop`
/// est lu ; le résultat vient du prestataire lui-même.
async fn notification(State(state): State<AppState>, AppJson(n): AppJson<Notification>) -> AppResult<StatusCode> {
    let p = state.repo.paiement_par_idop(&n.idop).await?.ok_or_else(|| AppError::Introuvable("Opération de paiement inconnue.".into()))?;
    constater(&state, &p).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Interroge le prestataire sur une tentative en cours et la règle ; une
/// tentative payée fait avancer la démarche jusqu'au bout.
pub async fn constater(state: &AppState, p: &PaiementRecord) -> AppResult<EtatPaiement> {
    if p.etat != EtatPaiement::EnCours {
        if p.etat == EtatPaiement::Paye {
            finaliser(state, p.demarche_id).await?;
        }
        return Ok(p.etat);
    }
    let Some(idop) = &p.idop else {
        // Écrite sans opération (arrêt entre les deux) : personne n'a pu
        // payer ; après une minute, elle tombe.
        if state.now() - p.cree_le > time::Duration::minutes(1) {
            state.repo.regler_paiement(p.id, EtatPaiement::Abandonne, None, None, state.now()).await?;
            return Ok(EtatPaiement::Abandonne);
        }
        return Ok(EtatPaiement::EnCours);
    };
    let detail = state.prestataire.detail(idop).await.map_err(|e| {
        tracing::error!(error = %e, %idop, "détail du paiement impossible");
        AppError::Requete {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: CodeErreur::Surcharge,
            message: "Nous ne pouvons pas joindre le service de paiement pour vérifier votre paiement. S'il a été accepté, \
                      il sera enregistré automatiquement : revenez dans quelques minutes."
                .into(),
        }
    })?;
    let Some(detail) = detail else {
        return Err(anyhow::anyhow!("opération {idop} inconnue du prestataire").into());
    };
    let Some(resultat) = detail.resultrans else {
        return Ok(EtatPaiement::EnCours);
    };
    if detail.refdet != p.refdet || detail.montant_centimes != p.montant_centimes {
        tracing::error!(%idop, refdet = %p.refdet, "le prestataire répond pour une autre dette ou un autre montant");
        return Err(anyhow::anyhow!("paiement {idop} incohérent").into());
    }
    let etat = EtatPaiement::depuis_resultat(resultat);
    let quand = detail.traite_le.unwrap_or_else(|| state.now());
    if state.repo.regler_paiement(p.id, etat, detail.carte_fin.as_deref(), detail.numauto.as_deref(), quand).await? {
        tracing::info!(refdet = %p.refdet, etat = etat.code(), "paiement réglé");
    }
    if etat == EtatPaiement::Paye {
        finaliser(state, p.demarche_id).await?;
    }
    Ok(etat)
}

/// La démarche d'un paiement réussi : `à payer → payée`, puis `payée →
/// terminée` avec ce que la téléprocédure change au registre. Chaque pas
/// est une écriture conditionnelle ; un pas déjà fait par un autre appel
/// simultané n'est pas une erreur.
pub async fn finaliser(state: &AppState, demarche_id: i64) -> AppResult<()> {
    for _ in 0..5 {
        let d = state.repo.demarche(demarche_id).await?;
        let paye = state.repo.paiements_de(d.id).await?.iter().any(|p| p.etat == EtatPaiement::Paye);
        let resultat = match d.etat {
            EtatDemarche::APayer if paye => {
                let vers = transition_payer(d.etat).map_err(|e| AppError::Conflit(e.to_string()))?;
                let json = Donnees::de(&d)?.json()?;
                state.repo.changer_etat(&d, vers, Etape::Paiement, &json).await.map(|_| ())
            }
            EtatDemarche::Payee => {
                let vers = enregistrer_paiement(d.etat).map_err(|e| AppError::Conflit(e.to_string()))?;
                let p = procedure_de(d.teleprocedure)?;
                let v = super::commun::vehicule_de(state, &d).await?;
                let donnees = Donnees::de(&d)?;
                match p.terminer(Validation { state, d: &d, v: v.as_ref(), donnees, vers }).await {
                    Ok(_) => {
                        tracing::info!(numero = %d.numero, "paiement enregistré, démarche terminée");
                        // Cette écriture-ci a terminé la démarche : le
                        // courrier du nouveau certificat part une fois.
                        super::code_confidentiel::courrier_nouveau_certificat(state, d.id).await;
                        Ok(())
                    }
                    Err(AppError::Db(DbError::Conflict(m))) => {
                        // Personne d'autre n'a écrit la démarche : c'est le
                        // registre qui refuse (il a changé après le paiement).
                        if state.repo.demarche(demarche_id).await?.version == d.version {
                            tracing::error!(numero = %d.numero, raison = %m, "démarche payée que le registre refuse : à reprendre par le CERT (remboursement)");
                            return Err(AppError::Conflit(PAYEE_NON_ENREGISTRABLE.into()));
                        }
                        Err(DbError::Conflict(m))
                    }
                    Err(e) => return Err(e),
                }
            }
            _ => return Ok(()),
        };
        match resultat {
            Ok(()) => continue,
            // Un autre appel a écrit entre-temps : relire.
            Err(DbError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    tracing::warn!(demarche_id, "enregistrement du paiement interrompu par des écritures concurrentes : le rapprochement reprendra");
    Ok(())
}

/// Ce que lit l'usager dont le paiement est accepté mais que le registre
/// refuse d'enregistrer (le véhicule a changé de situation entre-temps).
pub const PAYEE_NON_ENREGISTRABLE: &str = "Votre paiement a bien été reçu, mais le certificat de ce véhicule a changé depuis le début de \
     votre démarche : elle ne peut pas être terminée en ligne. Elle reste « Paiement à enregistrer » ; le CERT la reprend et vous \
     rembourse si elle ne peut aboutir.";

/// Le rapprochement : chaque tentative en cours est demandée au
/// prestataire, chaque démarche payée est terminée. Au démarrage du serveur
/// et périodiquement ; rend le nombre de paiements réglés.
pub async fn rapprocher(state: &AppState) -> AppResult<usize> {
    // Plusieurs instances sur une même base : une seule rapproche à la fois.
    let Some(_verrou) = state.repo.tache_exclusive(crate::db::TacheDeFond::Rapprochement).await? else {
        return Ok(0);
    };
    let mut regles = 0;
    for p in state.repo.paiements_en_cours().await? {
        match constater(state, &p).await {
            Ok(EtatPaiement::EnCours) => {}
            Ok(_) => regles += 1,
            Err(e) => tracing::warn!(error = %e, refdet = %p.refdet, "rapprochement impossible pour ce paiement"),
        }
    }
    for d in state.repo.demarches_a_finaliser().await? {
        if let Err(e) = finaliser(state, d.id).await {
            tracing::warn!(error = %e, numero = %d.numero, "démarche payée non terminée");
        }
    }
    Ok(regles)
}
