//! Les pièces jointes d'une démarche, côté usager : l'envoi (contrôlé par
//! le contenu), le téléchargement (par le titulaire de la démarche
//! seulement), et « Envoyer » la réponse à la note du CERT.

use super::{commun::charger, *};
use crate::{
    db::{Ecriture, EvenementRecord, NewEvenement, NewPiece, PieceRecord},
    http::auth::Citoyen,
};
use axum::{
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use immat_domain::{
    demarche,
    pieces::{
        nom_d_origine, valider_message, Action, Auteur, EvenementVue, InstructionVue, PieceError, PieceRequiseVue, PieceVue, ReponseUsager,
        StatutPiece, TypePiece, TAILLE_MAX_OCTETS,
    },
};

pub fn routes() -> Routes {
    Routes::new()
        .post_fichier("/demarches/{numero}/pieces/{type_piece}", deposer, TAILLE_MAX_OCTETS)
        .get("/demarches/{numero}/pieces/{type_piece}/{id}", telecharger)
        .post("/demarches/{numero}/envoyer", envoyer)
}

pub fn piece_vue(p: &PieceRecord, url: String) -> PieceVue {
    // Une taille négative en base ne se produit pas (elle vient de la
    // longueur du fichier) ; elle s'afficherait « 0 ko ».
    PieceVue {
        id: p.id,
        type_piece: p.type_piece,
        nom: p.nom_original.clone(),
        format: p.format,
        taille_octets: u64::try_from(p.taille).unwrap_or_default(),
        sha256: p.sha256.clone(),
        statut: p.statut,
        deposee_le: horodatage(p.deposee_le),
        url,
    }
}

pub fn url_usager(numero: &str, p: &PieceRecord) -> String {
    format!("/api/v1/demarches/{numero}/pieces/{}/{}", p.type_piece.code(), p.id)
}

pub fn evenement_vue(e: &EvenementRecord, pour_le_cert: bool) -> EvenementVue {
    EvenementVue {
        auteur: e.auteur,
        // L'usager ne voit pas le nom des agents.
        agent: if pour_le_cert && e.auteur == Auteur::Cert { e.nom_auteur.clone() } else { None },
        action: e.action,
        motif: e.motif,
        message: e.message.clone(),
        piece: e.piece_nom.clone(),
        le: horodatage(e.cree_le),
    }
}

/// Les pièces que la démarche peut recevoir (avec leur version active),
/// celles qui sont obligatoires selon la saisie enregistrée, et les
/// échanges avec le CERT, pour l'usager.
pub async fn instruction_vue(
    state: &AppState,
    d: &DemarcheRecord,
    acceptees: &[TypePiece],
    requises: &[TypePiece],
) -> AppResult<InstructionVue> {
    let pieces = state.repo.pieces_de(d.id).await?;
    let evenements = state.repo.evenements_de(d.id).await?;
    Ok(InstructionVue {
        pieces_requises: acceptees
            .iter()
            .map(|t| PieceRequiseVue {
                type_piece: *t,
                libelle: t.libelle().to_owned(),
                obligatoire: requises.contains(t),
                piece: active(&pieces, *t).map(|p| piece_vue(p, url_usager(&d.numero, p))),
            })
            .collect(),
        echanges: evenements.iter().filter(|e| e.action.visible_par_l_usager()).map(|e| evenement_vue(e, false)).collect(),
    })
}

/// La version active d'une pièce (ni remplacée).
pub fn active(pieces: &[PieceRecord], t: TypePiece) -> Option<&PieceRecord> {
    pieces.iter().rev().find(|p| p.type_piece == t && p.statut != StatutPiece::Remplacee)
}

/// La règle du domaine (chaque pièce obligatoire envoyée, non refusée),
/// appliquée aux pièces enregistrées.
pub fn exiger_pieces(requises: &[TypePiece], pieces: &[PieceRecord]) -> AppResult<()> {
    immat_domain::pieces::exiger_pieces(requises, |t| active(pieces, t).map(|p| p.statut)).map_err(AppError::Validation)
}

#[derive(Debug, Deserialize)]
struct NomFichier {
    #[serde(default)]
    nom: String,
}

fn erreur_piece(t: TypePiece, e: PieceError) -> AppError {
    AppError::champ(&t.champ(), e.to_string())
}

/// Envoi d'une pièce : le corps est le fichier (10 Mo au plus), le nom
/// d'origine en paramètre `nom`. L'usager, la démarche, son état et la
/// pièce sont vérifiés avant que le corps ne soit lu.
async fn deposer(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path((numero, type_piece)): Path<(String, String)>,
    Query(q): Query<NomFichier>,
    corps: Body,
) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    let p = procedure_de(d.teleprocedure)?;
    let donnees = Donnees::de(&d)?;
    let t = TypePiece::depuis_code(&type_piece)
        .filter(|t| p.pieces_acceptees(d.pour_qui, &donnees.details).contains(t))
        .ok_or_else(|| AppError::Introuvable("Cette pièce n'est pas demandée pour cette démarche.".into()))?;
    if !matches!(d.etat, EtatDemarche::Brouillon | EtatDemarche::CorrectionDemandee) {
        return Err(AppError::Conflit("Cette demande n'accepte plus de pièce : elle est en cours de contrôle ou terminée.".into()));
    }
    let octets: Bytes = match axum::body::to_bytes(corps, TAILLE_MAX_OCTETS).await {
        Ok(o) => o,
        Err(e) => {
            // Au-delà de la limite : le message au champ ; une connexion
            // coupée pendant l'envoi n'est pas un fichier trop grand.
            let trop_grand = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return Err(if trop_grand {
                erreur_piece(t, PieceError::TropGrand)
            } else {
                AppError::champ(&t.champ(), "L'envoi du fichier a été interrompu : réessayez.")
            });
        }
    };
    // Le contrôle du contenu (structure du PDF, décodage de l'image) hors du
    // fil des requêtes, deux à la fois au plus.
    let format = crate::pieces::controler_a_part(octets.clone()).await?.map_err(|e| erreur_piece(t, e))?;
    let ecrit = state.pieces.ecrire(&octets).await.map_err(|e| anyhow::anyhow!("écriture de la pièce : {e}"))?;
    let nouvelle = NewPiece {
        type_piece: t,
        nom_original: nom_d_origine(&q.nom),
        format,
        taille: i64::try_from(octets.len()).unwrap_or(i64::MAX),
        sha256: ecrit.sha256,
        fichier: ecrit.fichier.clone(),
    };
    if let Err(e) = state.repo.deposer_piece(d.id, compte.id, &nouvelle).await {
        state.pieces.effacer(&ecrit.fichier).await;
        return Err(e.into());
    }
    tracing::info!(numero = %d.numero, piece = t.code(), format = format.code(), taille = octets.len(), "pièce déposée");
    let d = state.repo.demarche(d.id).await?;
    Ok(AppJson(commun::vue(&state, &d, v.as_ref()).await?))
}

/// Sert une pièce en pièce jointe (jamais affichée par le navigateur dans
/// la page du service).
pub async fn servir(state: &AppState, numero: &str, p: &PieceRecord, en_ligne: bool) -> AppResult<Response> {
    let octets = state.pieces.lire(&p.fichier, &p.sha256).await.map_err(|e| anyhow::anyhow!("lecture de la pièce {} : {e}", p.id))?;
    let nom = format!("{numero}-{}.{}", p.type_piece.code().replace('_', "-"), p.format.extension());
    let disposition = if en_ligne { format!("inline; filename=\"{nom}\"") } else { format!("attachment; filename=\"{nom}\"") };
    let mut resp =
        ([(header::CONTENT_TYPE, p.format.mime().to_owned()), (header::CONTENT_DISPOSITION, disposition)], octets).into_response();
    if en_ligne {
        // Affichée dans le back office (image, cadre PDF) : aucun script,
        // seulement dans une page du service.
        let h = resp.headers_mut();
        h.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(CSP_PIECE));
        h.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("SAMEORIGIN"));
    }
    Ok(resp)
}

/// La pièce `id` de la démarche `d` ; celle d'une autre démarche répond
/// comme une pièce qui n'existe pas.
pub async fn piece_de(state: &AppState, d: &DemarcheRecord, id: i64) -> AppResult<PieceRecord> {
    state.repo.piece(d.id, id).await?.ok_or_else(|| AppError::Introuvable("Cette pièce est introuvable.".into()))
}

/// La politique de sécurité d'une pièce affichée en ligne.
/// (`object-src 'self'` : la visionneuse PDF intégrée du navigateur.)
pub const CSP_PIECE: &str = "default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

async fn telecharger(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path((numero, _type_piece, id)): Path<(String, String, i64)>,
) -> AppResult<Response> {
    let (d, _) = charger(&state, compte.id, &numero).await?;
    let p = piece_de(&state, &d, id).await?;
    servir(&state, &d.numero, &p, false).await
}

/// « Envoyer » : la réponse à la note du CERT (facultative) et les pièces
/// renvoyées ; la demande repart en attente du CERT.
async fn envoyer(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path(numero): Path<String>,
    AppJson(req): AppJson<ReponseUsager>,
) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    let vers = demarche::envoyer_reponse(d.etat).map_err(|e| AppError::Conflit(e.to_string()))?;
    // Une précision demandée sur la demande elle-même (sans pièce) appelle
    // une réponse écrite.
    let evenements = state.repo.evenements_de(d.id).await?;
    let precision = evenements.iter().rev().find(|e| e.action == Action::CorrectionDemandee).is_some_and(|e| e.piece_id.is_none());
    let message = valider_message(&req.message, "message", precision).map_err(|e| AppError::Validation(vec![e]))?;
    let p = procedure_de(d.teleprocedure)?;
    let donnees = Donnees::de(&d)?;
    exiger_pieces(&p.pieces_requises(d.pour_qui, &donnees.details), &state.repo.pieces_de(d.id).await?)?;
    let evenement = NewEvenement {
        auteur: Auteur::Usager,
        compte_id: Some(compte.id),
        action: Action::ReponseUsager,
        motif: None,
        message,
        piece_id: None,
    };
    let d = state.repo.soumettre_au_cert(Ecriture { d: &d, vers, etape: d.etape, donnees: &donnees.json()? }, &evenement).await?;
    Ok(AppJson(commun::vue(&state, &d, v.as_ref()).await?))
}
