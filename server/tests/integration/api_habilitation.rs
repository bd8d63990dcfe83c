//! L'habilitation de professionnel de l'automobile : déclarée par le compte
//! d'une société, vérifiée par le CERT ; approuvée, le compte devient celui
//! d'un professionnel habilité (certifié).

use crate::common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const SOCIETE: &str = "gestion@transports-martin.demo.immat.fr";
const AGENT: &str = "agent.cert@demo.immat.fr";
// SIREN 732 829 320 (la société de démonstration) + NIC 00074.
const SIRET: &str = "732 829 320 00074";

#[tokio::test]
async fn declaration_approbation_et_compte_certifie() {
    let app = spawn().await;
    let societe = app.login(SOCIETE).await;
    let agent = app.login(AGENT).await;
    assert_eq!(app.get("/api/v1/auth/me", Some(&societe)).await.json()["type_compte"], "classique");

    // Erreurs aux champs : SIRET d'une autre société, numéro vide.
    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": "356 000 000 00048", "numero": ""}), Some(&societe)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let champs: Vec<String> = r.json()["champs"].as_array().unwrap().iter().map(|c| c["champ"].as_str().unwrap().to_owned()).collect();
    assert_eq!(champs, ["siret", "numero"]);

    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": SIRET, "numero": "hab-75-2026-0042"}), Some(&societe)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let h = r.json();
    assert_eq!(h["etat"], "en_attente");
    assert_eq!(h["numero"], "HAB-75-2026-0042");
    assert_eq!(h["siret"], "73282932000074");
    // Une seconde déclaration pendant l'attente : 409.
    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": SIRET, "numero": "HAB-0001"}), Some(&societe)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // En attente, le compte n'est pas encore certifié.
    let compte = app.get("/api/v1/compte", Some(&societe)).await.json();
    assert_eq!(compte["habilitation"]["etat"], "en_attente");
    assert_eq!(compte["utilisateur"]["type_compte"], "classique");

    // Le CERT voit la demande et l'approuve.
    let file = app.get("/api/v1/cert/habilitations", Some(&agent)).await.json();
    let ligne = file.as_array().unwrap().iter().find(|l| l["email"] == SOCIETE).expect("demande dans la file");
    let id = ligne["id"].as_i64().unwrap();
    let r = app.post_json(&format!("/api/v1/cert/habilitations/{id}/approuver"), &json!({}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let moi = app.get("/api/v1/auth/me", Some(&societe)).await.json();
    assert_eq!(moi["profil"], "professionnel_habilite");
    assert_eq!(moi["type_compte"], "certifie");
    // Décidée : ni une seconde approbation, ni un refus.
    let r = app.post_json(&format!("/api/v1/cert/habilitations/{id}/approuver"), &json!({}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.post_json(&format!("/api/v1/cert/habilitations/{id}/refuser"), &json!({"motif": "trop tard"}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(app.get("/api/v1/cert/habilitations", Some(&agent)).await.json().as_array().unwrap().is_empty());
    // Un professionnel habilité ne redéclare pas.
    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": SIRET, "numero": "HAB-0001"}), Some(&societe)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn refus_avec_motif_puis_nouvelle_demande() {
    let app = spawn().await;
    let societe = app.login(SOCIETE).await;
    let agent = app.login(AGENT).await;
    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": SIRET, "numero": "HAB-0042"}), Some(&societe)).await;
    let id = r.json()["id"].as_i64().unwrap();
    // Le professionnel lui-même ne décide pas.
    let r = app.post_json(&format!("/api/v1/cert/habilitations/{id}/approuver"), &json!({}), Some(&societe)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post_json(&format!("/api/v1/cert/habilitations/{id}/refuser"), &json!({"motif": " "}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_json(&format!("/api/v1/cert/habilitations/{id}/refuser"), &json!({"motif": "Numéro inconnu de la préfecture."}), Some(&agent))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let compte = app.get("/api/v1/compte", Some(&societe)).await.json();
    assert_eq!(compte["habilitation"]["etat"], "refusee");
    assert_eq!(compte["habilitation"]["motif_refus"], "Numéro inconnu de la préfecture.");
    assert_eq!(compte["utilisateur"]["profil"], "personne_morale");
    // Refusée : une nouvelle demande remplace l'ancienne.
    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": SIRET, "numero": "HAB-0043"}), Some(&societe)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["etat"], "en_attente");
    assert_eq!(r.json()["motif_refus"], serde_json::Value::Null);

    // Un particulier n'a pas d'habilitation.
    let julien = app.login("julien.paul@demo.immat.fr").await;
    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": SIRET, "numero": "HAB-0042"}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn vingt_decisions_simultanees_une_seule_aboutit() {
    let app = spawn().await;
    let societe = app.login(SOCIETE).await;
    let agent = app.login(AGENT).await;
    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": SIRET, "numero": "HAB-0042"}), Some(&societe)).await;
    let id = r.json()["id"].as_i64().unwrap();
    let approuver = format!("/api/v1/cert/habilitations/{id}/approuver");
    let refuser = format!("/api/v1/cert/habilitations/{id}/refuser");
    let reponses = futures::future::join_all((0..20).map(|i| {
        let (app, agent) = (&app, &agent);
        let (approuver, refuser) = (approuver.clone(), refuser.clone());
        async move {
            if i % 2 == 0 {
                app.post_json(&approuver, &json!({}), Some(agent)).await.status
            } else {
                app.post_json(&refuser, &json!({"motif": "doublon"}), Some(agent)).await.status
            }
        }
    }))
    .await;
    assert_eq!(reponses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count(), 1, "{reponses:?}");
    assert_eq!(reponses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 19);
    // L'état et le profil s'accordent avec la décision qui a gagné.
    let compte = app.get("/api/v1/compte", Some(&societe)).await.json();
    let approuvee = compte["habilitation"]["etat"] == "approuvee";
    assert_eq!(compte["utilisateur"]["profil"] == "professionnel_habilite", approuvee);
}
