//! Le back office du CERT : la file des démarches à instruire, le dossier
//! (données de l'usager, pièces, échanges, historique) et les actions
//! (prendre en charge, accepter la pièce, demander une correction, refuser
//! la démarche). Réservé aux agents (extracteur [`AgentCert`]) ; chaque
//! action passe par le cycle de vie du domaine, s'écrit sous condition
//! (état, version, agent) et laisse une entrée d'historique.

use super::{
    pieces::{evenement_vue, piece_de, piece_vue, servir},
    *,
};
use crate::{
    db::{ActionAgent, Ecriture, NewEnvoi, NewEvenement, PieceRecord},
    http::auth::AgentCert,
};
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use immat_domain::{
    api::Canal,
    demarche,
    pieces::{
        AcceptationPiece, Action, Auteur, DemandeCorrection, DossierCert, FileCert, LigneFileCert, RefusDemarche, StatutPiece, UsagerVue,
    },
};

/// Une démarche prise en charge et laissée sans action plus longtemps que
/// cela peut être reprise par un autre agent.
pub const PRISE_EN_CHARGE_MINUTES: i64 = 30;

pub fn routes() -> Routes {
    Routes::new()
        .get("/cert/demarches", file)
        .get("/cert/demarches/{numero}", dossier)
        .post("/cert/demarches/{numero}/prendre", prendre)
        .post("/cert/demarches/{numero}/liberer", liberer)
        .post("/cert/demarches/{numero}/accepter", accepter)
        .post("/cert/demarches/{numero}/correction", correction)
        .post("/cert/demarches/{numero}/refuser", refuser)
        .get("/cert/demarches/{numero}/pieces/{id}", piece)
}

#[derive(Debug, Deserialize)]
struct Filtres {
    etat: Option<String>,
    teleprocedure: Option<String>,
}

async fn file(State(state): State<AppState>, AgentCert(_): AgentCert, Query(f): Query<Filtres>) -> AppResult<AppJson<FileCert>> {
    let etat = match f.etat.as_deref().filter(|e| !e.is_empty()) {
        None => None,
        Some(code) => Some(EtatDemarche::depuis_code(code).ok_or_else(|| AppError::champ("etat", "État inconnu."))?),
    };
    let tp = match f.teleprocedure.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(slug) => Some(Teleprocedure::depuis_slug(slug).ok_or_else(|| AppError::champ("teleprocedure", "Téléprocédure inconnue."))?),
    };
    let lignes = state.repo.file_cert(etat, tp).await?;
    let demarches = lignes
        .into_iter()
        .map(|l| {
            let brut = l.demarche.en_attente_depuis.clone().unwrap_or_default();
            let depuis = time::OffsetDateTime::parse(&brut, &time::format_description::well_known::Rfc3339)
                .map(horodatage)
                .map_err(|e| DbError::Corrupt(format!("en_attente_depuis « {brut} » : {e}")))?;
            Ok(LigneFileCert {
                numero: l.demarche.numero,
                teleprocedure: l.demarche.teleprocedure,
                etat: l.demarche.etat,
                immatriculation: l.immatriculation,
                usager: l.usager,
                en_attente_depuis: depuis,
                agent: l.agent,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(AppJson(FileCert { compteurs: state.repo.compteurs_cert().await?, demarches }))
}

/// La démarche `numero` (de n'importe quel usager) et son véhicule (une
/// TPC peut n'en avoir pas).
async fn charger(state: &AppState, numero: &str) -> AppResult<(DemarcheRecord, Option<VehiculeRecord>)> {
    let d = state
        .repo
        .demarche_par_numero(numero)
        .await?
        .filter(|d| d.en_attente_depuis.is_some())
        .ok_or_else(|| AppError::Introuvable("Cette démarche n'est pas dans la file du CERT.".into()))?;
    let v = commun::vehicule_de(state, &d).await?;
    Ok((d, v))
}

fn url_agent(numero: &str, p: &PieceRecord) -> String {
    format!("/api/v1/cert/demarches/{numero}/pieces/{}", p.id)
}

async fn vue_dossier(state: &AppState, agent_id: i64, d: &DemarcheRecord, v: Option<&VehiculeRecord>) -> AppResult<DossierCert> {
    let usager = state.repo.compte(d.compte_id).await?;
    let agent = match d.agent_id {
        Some(id) => Some(state.repo.compte(id).await.map(|c| format!("{} {}", c.prenom, c.nom))?),
        None => None,
    };
    let pieces = state.repo.pieces_de(d.id).await?;
    let historique = state.repo.evenements_de(d.id).await?;
    Ok(DossierCert {
        // Le CERT voit le registre, même là où l'usager ne le voit pas.
        demarche: DemarcheVue { vehicule: v.map(commun::vehicule_resume_agent).transpose()?, ..commun::vue(state, d, v).await? },
        usager: UsagerVue {
            nom: usager.raison_sociale.clone().unwrap_or_else(|| format!("{} {}", usager.prenom, usager.nom)),
            email: usager.email.clone(),
            compte: usager.type_compte().libelle().to_owned(),
        },
        agent,
        pris_par_moi: d.agent_id == Some(agent_id),
        pieces: pieces.iter().map(|p| piece_vue(p, url_agent(&d.numero, p))).collect(),
        historique: historique.iter().map(|e| evenement_vue(e, true)).collect(),
    })
}

async fn dossier(
    State(state): State<AppState>,
    AgentCert(agent): AgentCert,
    Path(numero): Path<String>,
) -> AppResult<AppJson<DossierCert>> {
    let (d, v) = charger(&state, &numero).await?;
    Ok(AppJson(vue_dossier(&state, agent.id, &d, v.as_ref()).await?))
}

async fn prendre(
    State(state): State<AppState>,
    AgentCert(agent): AgentCert,
    Path(numero): Path<String>,
) -> AppResult<AppJson<DossierCert>> {
    let (d, v) = charger(&state, &numero).await?;
    let reprise_avant = state.now() - time::Duration::minutes(PRISE_EN_CHARGE_MINUTES);
    let d = state.repo.prendre(d.id, agent.id, reprise_avant).await?;
    Ok(AppJson(vue_dossier(&state, agent.id, &d, v.as_ref()).await?))
}

async fn liberer(
    State(state): State<AppState>,
    AgentCert(agent): AgentCert,
    Path(numero): Path<String>,
) -> AppResult<AppJson<DossierCert>> {
    let (d, v) = charger(&state, &numero).await?;
    let d = state.repo.liberer(d.id, agent.id).await?;
    Ok(AppJson(vue_dossier(&state, agent.id, &d, v.as_ref()).await?))
}

/// L'agent doit avoir pris la démarche avant d'agir.
fn exiger_prise(d: &DemarcheRecord, agent_id: i64) -> AppResult<()> {
    match d.agent_id {
        Some(id) if id == agent_id => Ok(()),
        Some(_) => Err(AppError::Conflit("Cette démarche est prise en charge par un autre agent.".into())),
        None => Err(AppError::Conflit("Prenez d'abord cette démarche en charge.".into())),
    }
}

/// La pièce `id` de la démarche, encore à contrôler.
async fn piece_a_controler(state: &AppState, d: &DemarcheRecord, id: i64) -> AppResult<PieceRecord> {
    let p = piece_de(state, d, id).await?;
    if p.statut != StatutPiece::Deposee {
        return Err(AppError::Conflit(format!("Cette pièce a déjà été contrôlée : « {} ».", p.statut.libelle())));
    }
    Ok(p)
}

fn evenement(agent_id: i64, action: Action) -> NewEvenement {
    NewEvenement { auteur: Auteur::Cert, compte_id: Some(agent_id), action, motif: None, message: None, piece_id: None }
}

/// Dit à l'usager que sa demande a été examinée : la boîte d'envoi (vue par
/// les agents) et le relais SMTP s'il est configuré.
async fn notifier(state: &AppState, d: &DemarcheRecord, objet: &str, corps: &str) {
    // L'action est déjà enregistrée : un échec de l'e-mail est journalisé,
    // il ne la fait pas passer pour ratée (le panier, lui, dit l'état).
    if let Err(e) = notifier_ou_echouer(state, d, objet, corps).await {
        tracing::error!(error = %e, numero = %d.numero, "notification de l'usager impossible");
    }
}

async fn notifier_ou_echouer(state: &AppState, d: &DemarcheRecord, objet: &str, corps: &str) -> AppResult<()> {
    let usager = state.repo.compte(d.compte_id).await?;
    let corps = format!(
        "Bonjour,\n\n{corps}\n\nRetrouvez votre demande n° {} dans votre espace véhicule : « Reprendre la demande en cours ».\n\n\
         Ce message est envoyé par un environnement de démonstration.",
        d.numero
    );
    state
        .repo
        .enregistrer_envoi(&NewEnvoi {
            canal: Canal::Email,
            destinataire: usager.email.clone(),
            objet: objet.to_owned(),
            corps: corps.clone(),
            vehicule_id: d.vehicule_id,
        })
        .await?;
    if let Err(e) = crate::mail::envoyer(&state.config, &usager.email, objet, &corps).await {
        tracing::warn!(error = %e, "envoi SMTP de la notification impossible");
    }
    Ok(())
}

/// « Accepter la pièce » : quand toutes les pièces demandées sont
/// acceptées, la demande l'est (à payer, ou terminée si rien n'est dû) et
/// l'usager est prévenu.
async fn accepter(
    State(state): State<AppState>,
    AgentCert(agent): AgentCert,
    Path(numero): Path<String>,
    AppJson(req): AppJson<AcceptationPiece>,
) -> AppResult<AppJson<DossierCert>> {
    let (d, v) = charger(&state, &numero).await?;
    exiger_prise(&d, agent.id)?;
    let piece = match req.piece_id {
        Some(id) => Some(piece_a_controler(&state, &d, id).await?),
        None => None,
    };
    let p = procedure_de(d.teleprocedure)?;
    let donnees = Donnees::de(&d)?;
    let pieces = state.repo.pieces_de(d.id).await?;
    let courante = |x: &PieceRecord| piece.as_ref().is_some_and(|p| p.id == x.id);
    // La demande est acceptée quand chaque pièce demandée l'est, et qu'aucune
    // autre pièce envoyée n'attend encore son contrôle.
    let toutes = p
        .pieces_requises(d.pour_qui, &donnees.details)
        .iter()
        .all(|t| super::pieces::active(&pieces, *t).is_some_and(|x| x.statut == StatutPiece::Acceptee || courante(x)))
        && !pieces.iter().any(|x| x.statut == StatutPiece::Deposee && !courante(x));
    if piece.is_none() && !toutes {
        return Err(AppError::Conflit("Contrôlez d'abord chacune des pièces envoyées (accepter ou demander une correction).".into()));
    }
    // La demande n'accepte une décision que dans l'état où le CERT l'examine.
    if d.etat != EtatDemarche::EnAttenteCert {
        return Err(AppError::Conflit(format!("Cette demande n'est pas en attente du CERT : elle est « {} ».", d.etat.libelle())));
    }
    let mut evenements = Vec::new();
    if let Some(piece) = &piece {
        evenements.push(NewEvenement { piece_id: Some(piece.id), ..evenement(agent.id, Action::PieceAcceptee) });
    }
    if toutes {
        evenements.push(evenement(agent.id, Action::DemarcheAcceptee));
    }
    let (vers, etape) = if toutes {
        let taxes = donnees.taxes.ok_or_else(|| anyhow::anyhow!("démarche {} en attente sans taxes figées", d.numero))?;
        let vers = demarche::accepter(d.etat, taxes.montant_du()).map_err(|e| AppError::Conflit(e.to_string()))?;
        if vers == EtatDemarche::Terminee && p.nouveau_certificat(&taxes) {
            return Err(anyhow::anyhow!("démarche {} : un nouveau certificat sans paiement n'est pas prévu", d.numero).into());
        }
        (vers, demarche::etape_apres_validation(vers))
    } else {
        (d.etat, d.etape)
    };
    let d2 = state
        .repo
        .action_agent(&ActionAgent {
            ecriture: Ecriture { d: &d, vers, etape, donnees: &donnees.json()? },
            agent_id: agent.id,
            piece: piece.as_ref().map(|p| (p.id, StatutPiece::Acceptee)),
            liberer: toutes,
            evenements,
        })
        .await?;
    if toutes {
        let suite = if vers == EtatDemarche::APayer {
            "Le CERT a accepté votre demande : vous pouvez maintenant payer les taxes et obtenir votre certificat provisoire d'immatriculation."
        } else {
            "Le CERT a accepté votre demande : elle est terminée."
        };
        notifier(&state, &d2, &format!("Votre demande n° {} a été acceptée", d2.numero), suite).await;
    }
    Ok(AppJson(vue_dossier(&state, agent.id, &d2, v.as_ref()).await?))
}

/// « Refuser la pièce jointe » : la pièce est refusée avec un motif et un
/// message ; la demande attend la réponse de l'usager.
async fn correction(
    State(state): State<AppState>,
    AgentCert(agent): AgentCert,
    Path(numero): Path<String>,
    AppJson(req): AppJson<DemandeCorrection>,
) -> AppResult<AppJson<DossierCert>> {
    let (motif, message) = req.valider().map_err(AppError::Validation)?;
    let (d, v) = charger(&state, &numero).await?;
    exiger_prise(&d, agent.id)?;
    let piece = match req.piece_id {
        Some(id) => Some(piece_a_controler(&state, &d, id).await?),
        None => None,
    };
    let vers = demarche::demander_correction(d.etat).map_err(|e| AppError::Conflit(e.to_string()))?;
    let donnees = Donnees::de(&d)?;
    let e = NewEvenement {
        motif: Some(motif),
        message: Some(message.clone()),
        piece_id: piece.as_ref().map(|p| p.id),
        ..evenement(agent.id, Action::CorrectionDemandee)
    };
    let d2 = state
        .repo
        .action_agent(&ActionAgent {
            ecriture: Ecriture { d: &d, vers, etape: d.etape, donnees: &donnees.json()? },
            agent_id: agent.id,
            piece: piece.as_ref().map(|p| (p.id, StatutPiece::Refusee)),
            liberer: true,
            evenements: vec![e],
        })
        .await?;
    let corps = format!(
        "Le CERT a examiné votre demande et vous demande une correction ({}) :\n\n« {message} »\n\n\
         Lisez la note du CERT, répondez et envoyez de nouveau la pièce si nécessaire, puis cliquez sur « Envoyer ».",
        motif.libelle().to_lowercase()
    );
    notifier(&state, &d2, &format!("Votre demande n° {} : une correction est demandée", d2.numero), &corps).await;
    Ok(AppJson(vue_dossier(&state, agent.id, &d2, v.as_ref()).await?))
}

/// « Refuser la démarche », avec un message : elle s'arrête là.
async fn refuser(
    State(state): State<AppState>,
    AgentCert(agent): AgentCert,
    Path(numero): Path<String>,
    AppJson(req): AppJson<RefusDemarche>,
) -> AppResult<AppJson<DossierCert>> {
    let message = req.valider().map_err(AppError::Validation)?;
    let (d, v) = charger(&state, &numero).await?;
    exiger_prise(&d, agent.id)?;
    let vers = demarche::refuser(d.etat).map_err(|e| AppError::Conflit(e.to_string()))?;
    let donnees = Donnees::de(&d)?;
    let e = NewEvenement { message: Some(message.clone()), ..evenement(agent.id, Action::DemarcheRefusee) };
    let d2 = state
        .repo
        .action_agent(&ActionAgent {
            ecriture: Ecriture { d: &d, vers, etape: d.etape, donnees: &donnees.json()? },
            agent_id: agent.id,
            piece: None,
            liberer: true,
            evenements: vec![e],
        })
        .await?;
    let corps = format!("Le CERT a refusé votre demande :\n\n« {message} »");
    notifier(&state, &d2, &format!("Votre demande n° {} a été refusée", d2.numero), &corps).await;
    Ok(AppJson(vue_dossier(&state, agent.id, &d2, v.as_ref()).await?))
}

/// Une pièce, affichée dans le back office (image, cadre PDF).
async fn piece(State(state): State<AppState>, AgentCert(_): AgentCert, Path((numero, id)): Path<(String, i64)>) -> AppResult<Response> {
    let (d, _) = charger(&state, &numero).await?;
    let p = piece_de(&state, &d, id).await?;
    servir(&state, &d.numero, &p, true).await
}
