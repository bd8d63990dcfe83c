//! Les pages du prestataire : la carte (« Numéro de la carte », « Date
//! d'expiration », « Cryptogramme », « Valider »), le défi 3-D Secure, le
//! résultat, avec le bouton « Cliquer ici pour enregistrer votre
//! paiement » qui ramène l'usager au service. HTML rendu côté serveur,
//! sans script, compatible avec la CSP du site.

use super::*;
use axum::{
    extract::{
        rejection::{FormRejection, QueryRejection},
        Form, Query, State,
    },
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use immat_domain::{
    api::ChampErreur,
    paiement::{CarteSaisie, ENREGISTRER_PAIEMENT},
    taxes::Montant,
};
use serde::Deserialize;

pub fn routes(bac: BacASable) -> Router {
    Router::new()
        .route("/paiement", get(page_carte).post(payer))
        .route("/defi", axum::routing::post(defi))
        .route("/annuler", axum::routing::post(annuler))
        .route("/style.css", get(style))
        .with_state(bac)
}

const STYLE: &str = include_str!("style.css");

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

/// Échappe le texte pour le HTML.
fn e(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            '\'' => "&#39;".into(),
            c => c.to_string(),
        })
        .collect()
}

fn page(titre: &str, corps: &str) -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} — Paiement sécurisé</title>
<link rel="stylesheet" href="/payfip/style.css">
</head>
<body>
<header class="bandeau"><p class="marque">Paiement sécurisé — environnement de test</p><p class="mention">Aucune carte réelle n'est débitée.</p></header>
<main id="contenu">
<h1>{t}</h1>
{corps}
</main>
</body>
</html>"#,
        t = e(titre)
    ))
}

fn introuvable() -> Response {
    (StatusCode::NOT_FOUND, page("Opération introuvable", "<p>Cette opération de paiement n'existe pas.</p>")).into_response()
}

fn resume(op: &OperationRecord) -> String {
    format!(
        r#"<dl class="resume"><dt>Montant</dt><dd data-testid="montant">{}</dd><dt>Objet</dt><dd>{}</dd><dt>Référence</dt><dd>{}</dd></dl>"#,
        e(&Montant(op.montant_centimes).to_string()),
        e(&op.objet),
        e(&op.refdet)
    )
}

fn retour(op: &OperationRecord, libelle: &str) -> String {
    format!(r#"<p><a class="bouton" href="{}">{}</a></p>"#, e(&op.urlredirect), e(libelle))
}

/// La page de résultat d'une opération conclue.
fn page_resultat(op: &OperationRecord) -> Response {
    match op.resultrans {
        Some(ResultatTransaction::Paye) => page(
            "Paiement accepté",
            &format!(
                r#"<div class="succes" role="status"><p>Votre paiement de {} a été accepté (carte se terminant par {}, autorisation n° {}).</p></div>
<p class="attention"><strong>Attention : pour finaliser la procédure, il est impératif d'appuyer sur le bouton « {b} ».</strong></p>
{}"#,
                e(&Montant(op.montant_centimes).to_string()),
                e(op.carte_fin.as_deref().unwrap_or("—")),
                e(op.numauto.as_deref().unwrap_or("—")),
                retour(op, ENREGISTRER_PAIEMENT),
                b = ENREGISTRER_PAIEMENT
            ),
        )
        .into_response(),
        Some(ResultatTransaction::Refuse) => page(
            "Paiement refusé",
            &format!(
                r#"<div class="erreur" role="alert"><p>Votre banque a refusé le paiement. Aucune somme n'a été débitée.</p></div>{}"#,
                retour(op, "Retourner au service pour payer avec une autre carte")
            ),
        )
        .into_response(),
        Some(ResultatTransaction::Abandonne) => page(
            "Paiement abandonné",
            &format!(r#"<p>Vous avez abandonné le paiement. Aucune somme n'a été débitée.</p>{}"#, retour(op, "Retourner au service")),
        )
        .into_response(),
        None => page("Paiement en attente", "<p>Ce paiement n'est pas encore conclu.</p>").into_response(),
    }
}

fn champ(id: &str, libelle: &str, aide: &str, valeur: &str, erreur: Option<&str>, extra: &str) -> String {
    let (classe, invalide, desc) = match erreur {
        Some(_) => ("champ champ--erreur", r#" aria-invalid="true""#, format!(r#" aria-describedby="{id}-aide {id}-erreur""#)),
        None => ("champ", "", format!(r#" aria-describedby="{id}-aide""#)),
    };
    let message = erreur.map(|m| format!(r#"<p class="message-erreur" id="{id}-erreur">{}</p>"#, e(m))).unwrap_or_default();
    format!(
        r#"<div class="{classe}"><label for="{id}">{l}</label><p class="aide" id="{id}-aide">{a}</p><input id="{id}" name="{id}" value="{v}" required{invalide}{desc} {extra}>{message}</div>"#,
        l = e(libelle),
        a = e(aide),
        v = e(valeur),
    )
}

/// Le formulaire de carte ; après une erreur de saisie, les valeurs
/// reviennent (jamais le cryptogramme) avec le message au champ.
fn formulaire(op: &OperationRecord, saisie: &CarteSaisie, erreurs: &[ChampErreur]) -> Html<String> {
    let err = |c: &str| erreurs.iter().find(|x| x.champ == c).map(|x| x.message.as_str());
    let alerte = if erreurs.is_empty() {
        String::new()
    } else {
        r#"<div class="erreur" role="alert"><p>La carte n'a pas été acceptée : corrigez les champs signalés.</p></div>"#.into()
    };
    page(
        "Paiement par carte bancaire",
        &format!(
            r#"{resume}{alerte}
<form method="post" action="/payfip/paiement" novalidate>
<input type="hidden" name="idop" value="{idop}">
{numero}{expiration}{crypto}
<p><button type="submit" class="bouton">Valider</button></p>
</form>
<form method="post" action="/payfip/annuler"><input type="hidden" name="idop" value="{idop}"><p><button type="submit" class="bouton bouton--secondaire">Annuler le paiement</button></p></form>"#,
            resume = resume(op),
            idop = e(&op.idop),
            numero = champ(
                "numero",
                "Numéro de la carte",
                "16 chiffres, sur le recto de la carte",
                &saisie.numero,
                err("numero"),
                r#"inputmode="numeric" autocomplete="cc-number""#
            ),
            expiration =
                champ("expiration", "Date d'expiration", "Format MM/AA", &saisie.expiration, err("expiration"), r#"autocomplete="cc-exp""#),
            crypto = champ(
                "cryptogramme",
                "Cryptogramme",
                "3 chiffres, au dos de la carte",
                "",
                err("cryptogramme"),
                r#"inputmode="numeric" autocomplete="cc-csc""#
            ),
        ),
    )
}

fn formulaire_defi(op: &OperationRecord, erreur: Option<&str>) -> Html<String> {
    page(
        "Authentification 3-D Secure",
        &format!(
            r#"{resume}<p>Votre banque vous demande de confirmer ce paiement. Saisissez le code à usage unique reçu par SMS (bac à sable : {code}).</p>
<form method="post" action="/payfip/defi" novalidate>
<input type="hidden" name="idop" value="{idop}">
{champ}
<p><button type="submit" class="bouton">Valider</button></p>
</form>"#,
            resume = resume(op),
            code = CODE_3DS,
            idop = e(&op.idop),
            champ = champ("code", "Code reçu par SMS", "6 chiffres", "", erreur, r#"inputmode="numeric" autocomplete="one-time-code""#),
        ),
    )
}

#[derive(Deserialize)]
struct IdOp {
    #[serde(default)]
    idop: String,
}

async fn page_carte(State(bac): State<BacASable>, q: Result<Query<IdOp>, QueryRejection>) -> Response {
    let Ok(Query(q)) = q else { return introuvable() };
    match bac.operation(&q.idop).await {
        Ok(Some(op)) if op.resultrans.is_some() => page_resultat(&op),
        Ok(Some(op)) if op.defi => formulaire_defi(&op, None).into_response(),
        Ok(Some(op)) => formulaire(&op, &CarteSaisie::default(), &[]).into_response(),
        Ok(None) => introuvable(),
        Err(err) => panne(err),
    }
}

fn panne(err: anyhow::Error) -> Response {
    tracing::error!(error = %err, "prestataire de paiement");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        page("Service indisponible", "<p>Le service de paiement est momentanément indisponible. Réessayez dans quelques instants.</p>"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct FormCarte {
    #[serde(default)]
    idop: String,
    #[serde(default)]
    numero: String,
    #[serde(default)]
    expiration: String,
    #[serde(default)]
    cryptogramme: String,
}

/// Un formulaire illisible : une page, pas une erreur brute.
fn formulaire_illisible() -> Response {
    (
        StatusCode::BAD_REQUEST,
        page("Formulaire illisible", "<p>Le formulaire envoyé n'a pas pu être lu. Revenez au service et relancez le paiement.</p>"),
    )
        .into_response()
}

async fn payer(State(bac): State<BacASable>, f: Result<Form<FormCarte>, FormRejection>) -> Response {
    let Ok(Form(f)) = f else { return formulaire_illisible() };
    let op = match bac.operation(&f.idop).await {
        Ok(Some(op)) => op,
        Ok(None) => return introuvable(),
        Err(err) => return panne(err),
    };
    if op.resultrans.is_some() {
        // Déjà conclue (second onglet, double envoi) : aucun second débit.
        return page_resultat(&op);
    }
    let saisie = CarteSaisie { numero: f.numero, expiration: f.expiration, cryptogramme: f.cryptogramme };
    let carte = match saisie.valider(bac.clock.now().date()) {
        Ok(c) => c,
        Err(erreurs) => return (StatusCode::UNPROCESSABLE_ENTITY, formulaire(&op, &saisie, &erreurs)).into_response(),
    };
    let fin = carte.numero.quatre_derniers().to_owned();
    let resultat = match issue(carte.numero.as_str()) {
        Issue::Acceptee => ResultatTransaction::Paye,
        Issue::Refusee => ResultatTransaction::Refuse,
        Issue::Defi3ds => {
            return match bac.repo.payfip_defi(&op.idop).await {
                Ok(true) => formulaire_defi(&op, None).into_response(),
                // Conclue entre-temps (autre onglet) : son résultat.
                Ok(false) => match bac.operation(&op.idop).await {
                    Ok(Some(op)) => page_resultat(&op),
                    Ok(None) => introuvable(),
                    Err(err) => panne(err),
                },
                Err(err) => panne(err.into()),
            };
        }
    };
    conclure_et_afficher(&bac, &op, resultat, Some(&fin)).await
}

async fn conclure_et_afficher(bac: &BacASable, op: &OperationRecord, r: ResultatTransaction, fin: Option<&str>) -> Response {
    if let Err(err) = bac.conclure(op, r, fin).await {
        return panne(err);
    }
    match bac.operation(&op.idop).await {
        Ok(Some(op)) => page_resultat(&op),
        Ok(None) => introuvable(),
        Err(err) => panne(err),
    }
}

#[derive(Deserialize)]
struct FormDefi {
    #[serde(default)]
    idop: String,
    #[serde(default)]
    code: String,
}

async fn defi(State(bac): State<BacASable>, f: Result<Form<FormDefi>, FormRejection>) -> Response {
    let Ok(Form(f)) = f else { return formulaire_illisible() };
    let op = match bac.operation(&f.idop).await {
        Ok(Some(op)) => op,
        Ok(None) => return introuvable(),
        Err(err) => return panne(err),
    };
    if op.resultrans.is_some() || !op.defi {
        return page_resultat(&op);
    }
    let code = f.code.trim();
    if code.is_empty() {
        return (StatusCode::UNPROCESSABLE_ENTITY, formulaire_defi(&op, Some("Veuillez saisir le code reçu par SMS."))).into_response();
    }
    // Un code faux : la banque refuse le paiement (aucun débit).
    let r = if code == CODE_3DS { ResultatTransaction::Paye } else { ResultatTransaction::Refuse };
    conclure_et_afficher(&bac, &op, r, Some(&CARTE_3DS[CARTE_3DS.len() - 4..])).await
}

async fn annuler(State(bac): State<BacASable>, f: Result<Form<IdOp>, FormRejection>) -> Response {
    let Ok(Form(f)) = f else { return formulaire_illisible() };
    match bac.operation(&f.idop).await {
        Ok(Some(op)) if op.resultrans.is_none() => conclure_et_afficher(&bac, &op, ResultatTransaction::Abandonne, None).await,
        Ok(Some(op)) => page_resultat(&op),
        Ok(None) => introuvable(),
        Err(err) => panne(err),
    }
}
