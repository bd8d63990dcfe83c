//! Suite adverse : chaque route essayée par un anonyme, un autre usager, un
//! agent du CERT et le propriétaire ; essais parallèles sur les compteurs et
//! les états ; le scénario de prise de contrôle d'un véhicule ; limites de
//! connexion ; en-têtes et origine. Application en mémoire sur un vrai fichier
//! SQLite, horloge fixée par le test.

use crate::common;

use axum::{
    body::Body,
    http::{header, Method, Request, StatusCode},
};
use common::{json_request, login_depuis, Resp, TestApp};
use immat_server::clock::Clock;
use immat_server::http::{api_routes, TEST_TOKEN_HEADER};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tower::ServiceExt;

const CLU: [&str; 3] = ["exactitude", "sanctions", "donnees"];
const MARIE: &str = "marie.dupont@demo.immat.fr";
const JULIEN: &str = "julien.paul@demo.immat.fr";
const AGENT: &str = "agent.cert@demo.immat.fr";

fn demarrage(tp: &str, pour_qui: &str, immat: &str, code: &str) -> Value {
    json!({"teleprocedure": tp, "pour_qui": pour_qui, "immatriculation": immat, "code_confidentiel": code})
}

/// Envoie `n` fois la même requête en parallèle (vraies tâches tokio).
async fn en_parallele(app: &TestApp, n: usize, fabrique: impl Fn() -> Request<Body>) -> Vec<Resp> {
    let mut taches = Vec::new();
    for _ in 0..n {
        let router = app.router.clone();
        let req = fabrique();
        taches.push(tokio::spawn(async move {
            use http_body_util::BodyExt;
            let resp = router.oneshot(req).await.expect("réponse");
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = resp.into_body().collect().await.expect("corps").to_bytes().to_vec();
            Resp { status, headers, body }
        }));
    }
    let mut out = Vec::new();
    for t in taches {
        out.push(t.await.expect("tâche"));
    }
    out
}

fn compte(resps: &[Resp], status: StatusCode) -> usize {
    resps.iter().filter(|r| r.status == status).count()
}

/// Prépare un changement d'adresse de Marie jusqu'au récapitulatif.
async fn changement_adresse_pret(app: &TestApp, cookie: &str, commune: (&str, &str)) -> String {
    let r = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "moi_meme", "EF-789-GH", ""), Some(cookie)).await;
    assert!(r.status.is_success(), "{}", r.text());
    let numero = r.json()["numero"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/demarches/{numero}");
    let adresse = json!({"adresse": {"voie": "3 rue Nationale", "code_postal": commune.0, "commune": commune.1}});
    let r = app.put_json(&format!("{base}/adresse"), &adresse, cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    numero
}

// --- Balayage des autorisations ---------------------------------------------

/// Les statuts attendus : (anonyme, autre usager, agent du CERT, propriétaire).
fn attendu(method: &Method, path: &str) -> Option<[u16; 4]> {
    Some(match (method.as_str(), path) {
        ("GET", "/health") => [200, 200, 200, 200],
        ("GET", "/config") => [200, 200, 200, 200],
        // Sans le jeton : la route n'existe pas, pour personne.
        ("POST", "/demo/reinitialiser") => [404, 404, 404, 404],
        // Route publique ; le mot de passe envoyé est faux.
        ("POST", "/auth/login") => [401, 401, 401, 401],
        ("POST", "/auth/logout") => [401, 204, 204, 204],
        ("GET", "/auth/me") => [401, 200, 200, 200],
        // Routes publiques, corps vide : erreurs aux champs, ou lien périmé.
        ("POST", "/auth/inscription") => [422, 422, 422, 422],
        ("POST", "/auth/confirmation") => [410, 410, 410, 410],
        ("POST", "/auth/mot-de-passe-oublie") => [422, 422, 422, 422],
        ("POST", "/auth/mot-de-passe") => [410, 410, 410, 410],
        ("POST", "/auth/confirmation-adresse") => [410, 410, 410, 410],
        // Corps vide : erreurs aux champs ; les agents n'en changent pas ici.
        ("POST", "/compte/adresse-electronique") => [401, 422, 403, 422],
        // FranceConnect n'est pas configuré ici : 503 ; le retour renvoie
        // toujours vers une page du SPA (état inconnu).
        ("POST", "/auth/franceconnect") => [503, 503, 503, 503],
        ("GET", "/auth/franceconnect/retour") => [303, 303, 303, 303],
        ("POST", "/compte/franceconnect") => [401, 503, 403, 503],
        // Marie et Julien sont des particuliers : pas d'habilitation.
        ("POST", "/compte/habilitation") => [401, 403, 403, 403],
        ("GET", "/cert/habilitations") => [401, 403, 200, 403],
        ("POST", "/cert/habilitations/{id}/approuver") => [401, 403, 409, 403],
        ("POST", "/cert/habilitations/{id}/refuser") => [401, 403, 422, 403],
        ("GET", "/espace") => [401, 200, 403, 200],
        // « Ajouter un véhicule », corps vide : erreurs aux champs.
        ("POST", "/vehicules") => [401, 422, 403, 422],
        ("POST", "/demarches") => [401, 422, 403, 200],
        ("GET", "/demarches/{numero}") => [401, 404, 403, 200],
        ("PUT", "/demarches/{numero}/adresse") => [401, 404, 403, 200],
        ("PUT", "/demarches/{numero}/cession") => [401, 404, 403, 409],
        // La démarche du propriétaire est un changement d'adresse.
        ("PUT", "/demarches/{numero}/titulaire") => [401, 404, 403, 409],
        ("PUT", "/demarches/{numero}/duplicata") => [401, 404, 403, 409],
        ("PUT", "/demarches/{numero}/complementaire") => [401, 404, 403, 409],
        // Gratuite, elle n'est jamais à payer.
        ("POST", "/demarches/{numero}/paiements") => [401, 404, 403, 409],
        ("POST", "/demarches/{numero}/paiements/verifier") => [401, 404, 403, 200],
        // De serveur à serveur, sans session : une opération inconnue.
        ("POST", "/paiements/notification") => [404, 404, 404, 404],
        ("PUT", "/demarches/{numero}/verification") => [401, 404, 403, 200],
        ("POST", "/demarches/{numero}/valider") => [401, 404, 403, 200],
        // Après « Valider », la démarche du propriétaire est terminée.
        ("POST", "/demarches/{numero}/abandonner") => [401, 404, 403, 409],
        ("GET", "/demarches/{numero}/documents/{nom}") => [401, 404, 403, 200],
        ("POST", "/code-confidentiel/demande") => [401, 422, 403, 200],
        ("GET", "/cert/envois") => [401, 403, 200, 403],
        // Un envoi désigné par un numéro illisible : aucun courrier.
        ("GET", "/cert/envois/{envoi}/courrier") => [401, 403, 404, 403],
        // Un changement d'adresse ne demande aucune pièce.
        ("POST", "/demarches/{numero}/pieces/{type_piece}") => [401, 404, 403, 404],
        ("GET", "/demarches/{numero}/pieces/{type_piece}/{id}") => [401, 404, 403, 404],
        // « Envoyer » seulement quand le CERT demande une correction.
        ("POST", "/demarches/{numero}/envoyer") => [401, 404, 403, 409],
        // Le back office : les agents seuls ; la démarche du propriétaire
        // n'est jamais passée par le CERT.
        ("GET", "/cert/demarches") => [401, 403, 200, 403],
        ("GET", "/cert/demarches/{numero}") => [401, 403, 404, 403],
        ("POST", "/cert/demarches/{numero}/prendre") => [401, 403, 404, 403],
        ("POST", "/cert/demarches/{numero}/liberer") => [401, 403, 404, 403],
        ("POST", "/cert/demarches/{numero}/accepter") => [401, 403, 404, 403],
        ("POST", "/cert/demarches/{numero}/correction") => [401, 403, 404, 403],
        ("POST", "/cert/demarches/{numero}/refuser") => [401, 403, 404, 403],
        ("GET", "/cert/demarches/{numero}/pieces/{id}") => [401, 403, 404, 403],
        // « Mon compte » : chacun le sien ; la suppression avec un mauvais
        // mot de passe n'aboutit pas ; les agents ne suppriment pas leur compte.
        ("GET", "/compte") => [401, 200, 200, 200],
        ("POST", "/compte/suppression") => [401, 422, 403, 422],
        // La dernière route du tableau : elle ferme toutes les sessions.
        ("POST", "/compte/deconnexion-partout") => [401, 204, 204, 204],
        _ => return None,
    })
}

fn corps_de(method: &Method, path: &str) -> Option<Value> {
    match (method.as_str(), path) {
        ("POST", "/auth/login") => Some(json!({"email": MARIE, "password": "pas-le-bon"})),
        ("POST", "/auth/logout") => Some(json!({})),
        // Marie (certifiée) n'a pas besoin de code ; Julien (classique) en
        // donne un, pour atteindre le contrôle du propriétaire.
        ("POST", "/demarches") => Some(demarrage("changement_adresse", "moi_meme", "EF-789-GH", "ZZZZ-ZZZZ")),
        ("PUT", "/demarches/{numero}/adresse") => {
            Some(json!({"adresse": {"voie": "3 rue Nationale", "code_postal": "59000", "commune": "Lille"}}))
        }
        ("PUT", "/demarches/{numero}/cession") => Some(json!({
            "acquereur": {"type_personne": "physique", "nom": "Martin", "prenoms": "Léa", "date_naissance": "1990-07-14"},
            "adresse": {"voie": "4 rue Nationale", "code_postal": "59000", "commune": "Lille"},
            "date_cession": "01/01/2026", "heure_cession": "10:15"
        })),
        ("PUT", "/demarches/{numero}/titulaire") => Some(json!({
            "nom": "Martin", "prenoms": "Léa", "date_naissance": "14/07/1990",
            "adresse": {"voie": "4 rue Nationale", "code_postal": "59000", "commune": "Lille"}
        })),
        ("PUT", "/demarches/{numero}/duplicata") => Some(json!({"motif": "perte", "personne_concernee": "titulaire"})),
        ("PUT", "/demarches/{numero}/complementaire") => Some(json!({"objet": "Une question.", "titulaire": {
            "nom": "Martin", "prenoms": "Léa", "date_naissance": "14/07/1990",
            "adresse": {"voie": "4 rue Nationale", "code_postal": "59000", "commune": "Lille"}
        }})),
        ("PUT", "/demarches/{numero}/verification") => Some(json!({"accepter": true})),
        ("POST", "/demarches/{numero}/valider") => Some(json!({"clu": CLU})),
        ("POST", "/code-confidentiel/demande") => Some(json!({"immatriculation": "EF-789-GH", "pour_qui": "moi_meme"})),
        ("POST", "/paiements/notification") => Some(json!({"idop": "00000000-0000-0000-0000-000000000000"})),
        ("POST", "/cert/demarches/{numero}/accepter") => Some(json!({"piece_id": 1})),
        ("POST", "/cert/demarches/{numero}/correction") => Some(json!({"piece_id": 1, "motif": "illisible", "message": "Illisible."})),
        ("POST", "/cert/demarches/{numero}/refuser") => Some(json!({"message": "Refusée.", "confirme": true})),
        ("POST", "/compte/suppression") => Some(json!({"mot_de_passe": "pas-le-bon"})),
        ("POST", _) | ("PUT", _) => Some(json!({})),
        _ => None,
    }
}

fn requete(method: &Method, path: &str, numero: &str, cookie: Option<&str>) -> Request<Body> {
    let uri = format!(
        "/api/v1{}",
        path.replace("{numero}", numero)
            .replace("{nom}", "recapitulatif.pdf")
            .replace("{type_piece}", "declaration_vol")
            .replace("{id}", "1")
    );
    match corps_de(method, path) {
        Some(body) => json_request(method.clone(), &uri, &body, cookie),
        None => {
            let mut b = Request::builder().method(method.clone()).uri(uri);
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            b.body(Body::empty()).unwrap()
        }
    }
}

#[tokio::test]
async fn balayage_des_autorisations_sur_chaque_route() {
    // Avec le drapeau de test : la réinitialisation est dans la table, et doit
    // répondre 404 à quiconque n'a pas le jeton.
    let app = common::spawn_with(|c| c.test_reset_token = Some("jeton-du-balayage".into())).await;
    let table: Vec<(Method, &str)> = api_routes(&app.config).table().to_vec();
    // Une route ajoutée au routeur sans ligne dans `attendu` fait échouer ce test.
    let sans_attendu: Vec<_> = table.iter().filter(|(m, p)| attendu(m, p).is_none()).collect();
    assert!(sans_attendu.is_empty(), "routes sans ligne dans le tableau d'autorisations : {sans_attendu:?}");
    let declarees: BTreeSet<_> = table.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(declarees.len(), table.len(), "route déclarée deux fois");
    assert!(declarees.contains(&("POST".to_owned(), "/demo/reinitialiser".to_owned())));

    let marie = app.login(MARIE).await;
    let julien = app.login(JULIEN).await;
    let agent = app.login(AGENT).await;
    let d = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "moi_meme", "EF-789-GH", ""), Some(&marie)).await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
    let numero = d.json()["numero"].as_str().unwrap().to_owned();

    // Ce qu'un inconnu obtient d'une démarche ou d'un véhicule qui n'existent pas.
    let absente = app.get("/api/v1/demarches/2026-AAAAAAAA", Some(&julien)).await;
    assert_eq!(absente.status, StatusCode::NOT_FOUND);
    let plaque_inconnue =
        app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "moi_meme", "ZZ-999-ZZ", "ZZZZ-ZZZZ"), Some(&julien)).await;
    assert_eq!(plaque_inconnue.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut echecs = Vec::new();
    // Anonyme, autre usager, agent d'abord (rien ne doit changer), puis le propriétaire.
    for (role, nom) in ["anonyme", "autre usager", "agent du CERT", "propriétaire"].iter().enumerate() {
        for (method, path) in &table {
            let attendu = attendu(method, path).unwrap()[role];
            let cookie = match (role, path.ends_with("/logout")) {
                (0, _) => None,
                // La déconnexion détruit la session : une session à part.
                (1, true) => Some(app.login(JULIEN).await),
                (2, true) => Some(app.login(AGENT).await),
                (3, true) => Some(app.login(MARIE).await),
                (1, false) => Some(julien.clone()),
                (2, false) => Some(agent.clone()),
                _ => Some(marie.clone()),
            };
            let r = app.send(requete(method, path, &numero, cookie.as_deref())).await;
            if r.status.as_u16() != attendu {
                echecs.push(format!("{nom} {method} {path} : {} au lieu de {attendu} ({})", r.status, r.text()));
            }
            // L'autre usager n'apprend rien : même réponse que pour ce qui n'existe pas.
            if role == 1 && path.contains("{numero}") && !path.starts_with("/cert/") {
                assert_eq!(r.body, absente.body, "{method} {path} révèle quelque chose");
            }
            if role == 1 && *path == "/demarches" {
                assert_eq!(r.body, plaque_inconnue.body, "le véhicule d'autrui répond comme un numéro inconnu");
            }
            if role != 3 {
                let texte = r.text();
                for secret in ["DUPONT", "Dupont", "TILLEULS", "RENNES", &numero] {
                    if attendu >= 400 && !secret.is_empty() {
                        assert!(!texte.contains(secret), "{nom} {method} {path} révèle « {secret} » : {texte}");
                    }
                }
            }
        }
    }
    assert!(echecs.is_empty(), "{}", echecs.join("\n"));
    assert_eq!(table.last().map(|(_, p)| *p), Some("/compte/deconnexion-partout"), "elle ferme les sessions : la dernière");
    // Rien n'a bougé pour les non-propriétaires ; le propriétaire a terminé.
    let marie = app.login(MARIE).await;
    let d = app.get(&format!("/api/v1/demarches/{numero}"), Some(&marie)).await.json();
    assert_eq!(d["etat"], "terminee");
}

// --- Concurrence ------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn vingt_codes_errones_en_parallele_puis_le_blocage_tient() {
    let app = common::spawn().await;
    let julien = app.login(JULIEN).await;
    let corps = demarrage("changement_adresse", "moi_meme", "AB-123-CD", "ZZZZ-ZZZZ");
    let resps = en_parallele(&app, 20, || json_request(Method::POST, "/api/v1/demarches", &corps, Some(&julien))).await;
    let refus = compte(&resps, StatusCode::UNPROCESSABLE_ENTITY);
    let bloques = compte(&resps, StatusCode::TOO_MANY_REQUESTS);
    assert!(refus <= 4, "au plus 4 codes vérifiés et refusés avant blocage, pas {refus}");
    assert_eq!(refus + bloques, 20, "{:?}", resps.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in resps.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS) {
        assert!(r.headers.get(header::RETRY_AFTER).is_some(), "Retry-After");
    }
    // Le blocage tient : même le bon code est refusé, et un succès tardif ne l'efface pas.
    let bon = demarrage("changement_adresse", "moi_meme", "AB-123-CD", "AB2C-D3EF");
    assert_eq!(app.post_json("/api/v1/demarches", &bon, Some(&julien)).await.status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(time::Duration::minutes(14));
    assert_eq!(app.post_json("/api/v1/demarches", &bon, Some(&julien)).await.status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(time::Duration::minutes(2));
    let r = app.post_json("/api/v1/demarches", &bon, Some(&julien)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dix_valider_en_parallele_une_seule_validation() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let numero = changement_adresse_pret(&app, &marie, ("59000", "Lille")).await;
    let uri = format!("/api/v1/demarches/{numero}/valider");
    let resps = en_parallele(&app, 10, || json_request(Method::POST, &uri, &json!({"clu": CLU}), Some(&marie))).await;
    assert_eq!(compte(&resps, StatusCode::OK), 1, "{:?}", resps.iter().map(|r| (r.status, r.text())).collect::<Vec<_>>());
    assert_eq!(compte(&resps, StatusCode::CONFLICT), 9);
    let e = app.get("/api/v1/espace", Some(&marie)).await.json();
    let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "EF-789-GH").unwrap().clone();
    assert_eq!(v["changements_adresse"], 1, "le registre n'a changé qu'une fois");
    assert_eq!(v["titulaire"]["adresse"]["commune"], "LILLE");
    // Un « Valider » de plus, plus tard : refusé, rien ne change.
    let r = app.post_json(&uri, &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let e = app.get("/api/v1/espace", Some(&marie)).await.json();
    let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "EF-789-GH").unwrap().clone();
    assert_eq!(v["changements_adresse"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn une_saisie_qui_croise_valider_ne_fait_jamais_reculer_l_etat() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let mut validations = 0;
    for tour in 0..6 {
        let numero = changement_adresse_pret(&app, &marie, ("59000", "Lille")).await;
        let base = format!("/api/v1/demarches/{numero}");
        let (valider, saisie) = {
            let r1 = app.router.clone();
            let r2 = app.router.clone();
            let v = json_request(Method::POST, &format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie));
            let nouvelle = json!({"adresse": {"voie": "5 place de l'Église", "code_postal": "13001", "commune": "Marseille"}});
            let s = json_request(Method::PUT, &format!("{base}/adresse"), &nouvelle, Some(&marie));
            let (a, b) = tokio::join!(tokio::spawn(r1.oneshot(v)), tokio::spawn(r2.oneshot(s)));
            (a.unwrap().unwrap().status(), b.unwrap().unwrap().status())
        };
        let d = app.get(&base, Some(&marie)).await.json();
        let e = app.get("/api/v1/espace", Some(&marie)).await.json();
        let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "EF-789-GH").unwrap().clone();
        if valider == StatusCode::OK {
            validations += 1;
            assert_eq!(d["etat"], "terminee", "tour {tour} : validée puis revenue en arrière");
            assert_eq!(saisie, StatusCode::CONFLICT, "tour {tour} : une saisie après validation a été acceptée");
            assert_eq!(v["titulaire"]["adresse"]["commune"], "LILLE");
        } else {
            assert_eq!(valider, StatusCode::CONFLICT, "tour {tour}");
            assert_eq!(d["etat"], "brouillon", "tour {tour}");
            assert_eq!(saisie, StatusCode::OK);
            // Terminer ce brouillon pour que le tour suivant en démarre un neuf.
            let r = app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), &marie).await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await.status, StatusCode::OK);
            validations += 1;
        }
        // Le registre a changé exactement une fois par validation réussie.
        let e = app.get("/api/v1/espace", Some(&marie)).await.json();
        let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "EF-789-GH").unwrap().clone();
        assert_eq!(v["changements_adresse"].as_u64().unwrap() as usize, validations, "tour {tour} : valider {valider}, saisie {saisie}");
        if validations >= 3 {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deux_demarrages_simultanes_un_seul_brouillon() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let corps = demarrage("cession", "moi_meme", "EF-789-GH", "");
    let resps = en_parallele(&app, 8, || json_request(Method::POST, "/api/v1/demarches", &corps, Some(&marie))).await;
    let numeros: BTreeSet<String> = resps.iter().map(|r| r.json()["numero"].as_str().unwrap().to_owned()).collect();
    assert_eq!(numeros.len(), 1, "{numeros:?}");
    assert_eq!(compte(&resps, StatusCode::CREATED), 1);
    assert_eq!(compte(&resps, StatusCode::OK), 7);
}

// --- Prise de contrôle d'un véhicule ------------------------------------------

#[tokio::test]
async fn prise_de_controle_du_vehicule_d_autrui_refusee_a_chaque_etape() {
    let app = common::spawn().await;
    let julien = app.login(JULIEN).await;
    let agent = app.login(AGENT).await;
    // 1. « Je n'ai pas de code confidentiel », pour moi-même, sur la voiture de Marie.
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "EF-789-GH", "pour_qui": "moi_meme"}), Some(&julien))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("Aucun véhicule de votre compte"));
    // 2. Pour quelqu'un d'autre : le code part par courrier chez Marie, pas chez Julien.
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "EF-789-GH", "pour_qui": "autrui"}), Some(&julien))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["email"], false);
    assert!(!r.text().contains("julien"), "{}", r.text());
    assert!(!r.text().contains("DUPONT"), "{}", r.text());
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    let envois = envois.as_array().unwrap();
    assert_eq!(envois.len(), 1);
    assert_eq!(envois[0]["canal"], "courrier");
    assert!(envois[0]["destinataire"].as_str().unwrap().starts_with("MARIE ANNE DUPONT"), "{}", envois[0]);
    // Le code du titulaire n'a pas changé (pas de déni de service) : avec lui,
    // un mandataire ouvre encore une démarche.
    let morale = app.login("gestion@transports-martin.demo.immat.fr").await;
    let r = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "autrui", "EF-789-GH", "UV8W-X9YZ"), Some(&morale)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // 3. Les demandes répétées sont limitées.
    let mut derniere = StatusCode::OK;
    for _ in 0..3 {
        derniere = app
            .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "EF-789-GH", "pour_qui": "autrui"}), Some(&julien))
            .await
            .status;
    }
    assert_eq!(derniere, StatusCode::TOO_MANY_REQUESTS);
    // 4. Une cession « pour moi-même » avec un code faux : refusée au champ
    //    du code, comme un numéro inconnu ; l'essai compte.
    let r = app.post_json("/api/v1/demarches", &demarrage("cession", "moi_meme", "EF-789-GH", "ZZZZ-ZZZZ"), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "code_confidentiel", "{}", r.text());
    // 5. « Pour quelqu'un d'autre », en devinant : avec l'essai de l'étape 4,
    //    4 refus puis blocage, et jamais l'identité ni l'adresse de Marie.
    let mut statuts = Vec::new();
    for essai in ["AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD", "EEEE-EEEE", "FFFF-FFFF"] {
        let r = app.post_json("/api/v1/demarches", &demarrage("cession", "autrui", "EF-789-GH", essai), Some(&julien)).await;
        assert!(!r.text().contains("DUPONT") && !r.text().contains("Dupont"), "{}", r.text());
        statuts.push(r.status.as_u16());
    }
    assert_eq!(statuts, [422, 422, 422, 429, 429, 429]);
    // 6. Marie, elle, n'est pas bloquée.
    let marie = app.login(MARIE).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("cession", "moi_meme", "EF-789-GH", ""), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // 7. Julien n'a obtenu aucune démarche sur ce véhicule.
    let e = app.get("/api/v1/espace", Some(&julien)).await.json();
    assert!(!e.to_string().contains("EF-789-GH"), "{e}");
}

#[tokio::test]
async fn un_etranger_ne_bloque_ni_le_titulaire_ni_un_mandataire() {
    let app = common::spawn().await;
    let faux = demarrage("changement_adresse", "autrui", "AB-123-CD", "ZZZZ-ZZZZ");
    // Deux comptes étrangers épuisent leurs essais sur la voiture de Julien :
    // 2 × 10 échecs (par séries de 5, le blocage de 15 minutes passé).
    for email in [MARIE, "gestion@transports-martin.demo.immat.fr"] {
        let c = app.login(email).await;
        let mut statuts = Vec::new();
        for serie in 0..2 {
            for _ in 0..5 {
                statuts.push(app.post_json("/api/v1/demarches", &faux, Some(&c)).await.status.as_u16());
            }
            if serie == 0 {
                app.clock.advance(time::Duration::minutes(16));
            }
        }
        assert_eq!(statuts, [422, 422, 422, 422, 429, 422, 422, 422, 422, 429], "{email}");
        // Ce compte est maintenant bloqué partout (10 échecs en 24 heures).
        let r = app.post_json("/api/v1/demarches", &demarrage("cession", "autrui", "LM-890-NP", "ZZZZ-ZZZZ"), Some(&c)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{email} : {}", r.text());
    }
    // 20 échecs étrangers sur ce véhicule : ni le titulaire ni un mandataire
    // qui a le bon code ne sont bloqués (aucun compteur commun aux comptes).
    let julien = app.login(JULIEN).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "moi_meme", "AB-123-CD", "AB2C-D3EF"), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let garage = app.login("garage.central@demo.immat.fr").await;
    let r = app.post_json("/api/v1/demarches", &demarrage("cession", "autrui", "AB-123-CD", "AB2C-D3EF"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn les_demandes_des_tiers_n_epuisent_pas_celles_du_titulaire() {
    let app = common::spawn().await;
    let demande = |pour_qui: &str| json!({"immatriculation": "AB-123-CD", "pour_qui": pour_qui});
    let marie = app.login(MARIE).await;
    let gestion = app.login("gestion@transports-martin.demo.immat.fr").await;
    let garage = app.login("garage.central@demo.immat.fr").await;
    for c in [&marie, &marie, &gestion] {
        let r = app.post_json("/api/v1/code-confidentiel/demande", &demande("autrui"), Some(c)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = app.post_json("/api/v1/code-confidentiel/demande", &demande("autrui"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "3 demandes de tiers par jour pour ce véhicule");
    assert!(r.json()["message"].as_str().unwrap().contains("Vous pourrez en demander un autre dans"));
    let julien = app.login(JULIEN).await;
    let r = app.post_json("/api/v1/code-confidentiel/demande", &demande("moi_meme"), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::OK, "le titulaire garde ses demandes : {}", r.text());
    // Un compte qui sonde des numéros : 3 demandes par jour, numéros connus
    // ou non (le garage en a déjà fait une), puis 429.
    let sonde = |immat: &str| json!({"immatriculation": immat, "pour_qui": "autrui"});
    for immat in ["ZZ-001-ZZ", "ZZ-002-ZZ"] {
        let r = app.post_json("/api/v1/code-confidentiel/demande", &sonde(immat), Some(&garage)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app.post_json("/api/v1/code-confidentiel/demande", &sonde("ZZ-003-ZZ"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "le compteur du compte compte aussi les numéros inconnus");
}

/// Un code envoyé au titulaire reste bon quand un tiers en demande un autre ;
/// le premier qui sert remplace l'ancien, les autres tombent, et une démarche
/// ouverte avec l'ancien code ne se valide plus.
#[tokio::test]
async fn codes_en_attente_et_demarche_ouverte_avec_un_ancien_code() {
    use immat_server::hachage::hash_password;
    let app = common::spawn().await;
    let v = app.repo.vehicule_par_immatriculation("AB-123-CD").await.unwrap().unwrap();
    // Un mandataire ouvre un changement d'adresse avec le code actuel.
    let gestion = app.login("gestion@transports-martin.demo.immat.fr").await;
    let r = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "autrui", "AB-123-CD", "AB2C-D3EF"), Some(&gestion)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let adresse = json!({"adresse": {"voie": "1 place du Capitole", "code_postal": "31000", "commune": "Toulouse"}});
    assert_eq!(app.put_json(&format!("{base}/adresse"), &adresse, &gestion).await.status, StatusCode::OK);
    assert_eq!(app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), &gestion).await.status, StatusCode::OK);
    // Le titulaire a reçu un nouveau code (écrit ici comme l'aurait fait
    // l'envoi), puis un tiers en demande un autre.
    let expire = app.clock.now() + time::Duration::days(30);
    app.repo.proposer_code_confidentiel(v.id, &hash_password("KKKK-MMMM".replace('-', "").as_str()).unwrap(), expire, 5).await.unwrap();
    let marie = app.login(MARIE).await;
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "AB-123-CD", "pour_qui": "autrui"}), Some(&marie))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.repo.codes_en_attente(v.id, app.clock.now()).await.unwrap().len(), 2);
    // Le code du titulaire sert : il remplace l'ancien, l'autre code tombe.
    let julien = app.login(JULIEN).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("cession", "moi_meme", "AB-123-CD", "KKKK-MMMM"), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(app.repo.codes_en_attente(v.id, app.clock.now()).await.unwrap().is_empty());
    let r = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "moi_meme", "AB-123-CD", "AB2C-D3EF"), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "l'ancien code ne vaut plus");
    // La démarche ouverte avec l'ancien code ne se valide plus.
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&gestion)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("Le certificat de ce véhicule a changé depuis le début de cette démarche"));
    let e = app.get("/api/v1/espace", Some(&julien)).await.json();
    assert!(e.to_string().contains("12 RUE DE LA REPUBLIQUE"), "le registre n'a pas changé");
    // Un code en attente expire au bout de 30 jours.
    app.repo
        .proposer_code_confidentiel(v.id, &hash_password("PPPPQQQQ").unwrap(), app.clock.now() + time::Duration::days(30), 5)
        .await
        .unwrap();
    app.clock.advance(time::Duration::days(31));
    assert!(app.repo.codes_en_attente(v.id, app.clock.now()).await.unwrap().is_empty());
}

#[tokio::test]
async fn une_surcharge_du_hachage_ne_compte_pas_comme_un_echec() {
    use immat_server::hachage::Hacheur;
    let app = common::spawn_with_hacheur(Hacheur::new(1, std::time::Duration::from_millis(20))).await;
    let julien_ok = || login_depuis(JULIEN, immat_server::demo::DEMO_PASSWORD, [10, 9, 9, 9]);
    // Le seul calcul possible est pris : toute vérification attend puis 503.
    let verrou = app.hacheur.occuper().await;
    for _ in 0..7 {
        let r = app.send(login_depuis(JULIEN, "mauvais", [10, 9, 9, 9])).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.headers.get(header::RETRY_AFTER).is_some());
        assert_eq!(r.json()["code"], "surcharge");
    }
    drop(verrou);
    let r = app.send(julien_ok()).await;
    assert_eq!(r.status, StatusCode::OK, "7 surcharges n'ont pas bloqué le compte : {}", r.text());
}

// --- Connexion ------------------------------------------------------------------

#[tokio::test]
async fn connexion_limitee_par_compte_avec_retry_after() {
    let app = common::spawn().await;
    let mut inconnu = Vec::new();
    let mut connu = Vec::new();
    for _ in 0..5 {
        connu.push(app.send(login_depuis(JULIEN, "mauvais", [10, 0, 0, 1])).await);
        inconnu.push(app.send(login_depuis("personne@demo.immat.fr", "mauvais", [10, 0, 0, 2])).await);
    }
    for (a, b) in connu.iter().zip(&inconnu) {
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_eq!(a.body, b.body, "adresse inconnue et mauvais mot de passe indiscernables");
    }
    let r = app.send(login_depuis(JULIEN, "mauvais", [10, 0, 0, 1])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(r.json()["message"].as_str().unwrap().starts_with("Trop de tentatives de connexion"));
    let r2 = app.send(login_depuis("personne@demo.immat.fr", "mauvais", [10, 0, 0, 2])).await;
    assert_eq!(r2.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body, r2.body, "blocage indiscernable");
    // Le bon mot de passe pendant le blocage : refusé.
    let r = app.send(login_depuis(JULIEN, immat_server::demo::DEMO_PASSWORD, [10, 0, 0, 3])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.session_cookie().is_none());
    // Après 15 minutes, il passe.
    app.clock.advance(time::Duration::minutes(15) + time::Duration::seconds(1));
    let r = app.send(login_depuis(JULIEN, immat_server::demo::DEMO_PASSWORD, [10, 0, 0, 3])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn connexion_limitee_par_client() {
    let app = common::spawn().await;
    for i in 0..20 {
        let r = app.send(login_depuis(&format!("inconnu{i}@exemple.fr"), "mauvais", [192, 0, 2, 7])).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "essai {i}");
    }
    let r = app.send(login_depuis(MARIE, immat_server::demo::DEMO_PASSWORD, [192, 0, 2, 7])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Un autre client n'est pas concerné.
    let r = app.send(login_depuis(MARIE, immat_server::demo::DEMO_PASSWORD, [192, 0, 2, 8])).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trente_mots_de_passe_errones_en_parallele() {
    let app = common::spawn().await;
    let resps = en_parallele(&app, 30, || login_depuis(JULIEN, "mauvais", [10, 1, 1, 1])).await;
    assert!(compte(&resps, StatusCode::UNAUTHORIZED) <= 5, "au plus 5 mots de passe vérifiés");
    assert_eq!(compte(&resps, StatusCode::UNAUTHORIZED) + compte(&resps, StatusCode::TOO_MANY_REQUESTS), 30);
}

// --- En-têtes, origine, réinitialisation -----------------------------------------

fn en_tete(r: &Resp, nom: header::HeaderName) -> &str {
    r.headers.get(&nom).unwrap_or_else(|| panic!("en-tête {nom} absent")).to_str().unwrap()
}

#[tokio::test]
async fn en_tetes_de_securite_sur_le_spa_l_api_et_les_pdf() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let numero = changement_adresse_pret(&app, &marie, ("59000", "Lille")).await;
    let base = format!("/api/v1/demarches/{numero}");
    assert_eq!(app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await.status, StatusCode::OK);
    let spa = app.get("/mon-espace", None).await;
    let api = app.get("/api/v1/espace", Some(&marie)).await;
    let pdf = app.get(&format!("{base}/documents/recapitulatif.pdf"), Some(&marie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    for r in [&spa, &api, &pdf] {
        let csp = en_tete(r, header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(en_tete(r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(en_tete(r, header::REFERRER_POLICY), "same-origin");
        assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "pas de HSTS sans HTTPS");
    }
    assert_eq!(en_tete(&api, header::CACHE_CONTROL), "no-store");
    assert_eq!(en_tete(&pdf, header::CACHE_CONTROL), "no-store");
    assert!(en_tete(&pdf, header::CONTENT_DISPOSITION).starts_with("attachment"));
    assert_eq!(en_tete(&spa, header::CACHE_CONTROL), "no-cache");
    // Derrière HTTPS : HSTS.
    let https = common::spawn_with(|c| c.secure_cookies = true).await;
    let r = https.get("/api/v1/health", None).await;
    assert!(en_tete(&r, header::STRICT_TRANSPORT_SECURITY).starts_with("max-age="));
}

#[tokio::test]
async fn fichiers_du_spa_compresses_d_avance_et_gardes_selon_leur_nom() {
    let app = common::spawn().await;
    let dist = app.dir.path().join("dist");
    let wasm = "immat-web-0123456789abcdef_bg.wasm";
    std::fs::write(dist.join(wasm), b"\0asm brut").unwrap();
    std::fs::write(dist.join(format!("{wasm}.br")), b"version brotli").unwrap();
    std::fs::write(dist.join(format!("{wasm}.gz")), b"version gzip").unwrap();
    std::fs::write(dist.join("dsfr.min.css"), b"body{}").unwrap();
    let avec = |encodages: &'static str| {
        axum::http::Request::get(format!("/{wasm}")).header(header::ACCEPT_ENCODING, encodages).body(axum::body::Body::empty()).unwrap()
    };
    // Brotli quand le navigateur l'accepte, gzip sinon, brut en dernier.
    let r = app.send(avec("gzip, deflate, br")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(en_tete(&r, header::CONTENT_ENCODING), "br");
    assert_eq!(r.body, b"version brotli");
    assert_eq!(en_tete(&r, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert!(en_tete(&r, header::VARY).to_ascii_lowercase().contains("accept-encoding"));
    let r = app.send(avec("gzip")).await;
    assert_eq!(en_tete(&r, header::CONTENT_ENCODING), "gzip");
    assert_eq!(r.body, b"version gzip");
    let r = app.send(avec("identity")).await;
    assert!(r.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(r.body, b"\0asm brut");
    // Revalidé (304) : la même politique, le même Vary.
    let r = app.send(avec("br")).await;
    let date = en_tete(&r, header::LAST_MODIFIED).to_owned();
    let req = axum::http::Request::get(format!("/{wasm}"))
        .header(header::ACCEPT_ENCODING, "br")
        .header(header::IF_MODIFIED_SINCE, date)
        .body(axum::body::Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert_eq!(en_tete(&r, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert!(en_tete(&r, header::VARY).to_ascii_lowercase().contains("accept-encoding"));
    // Un nom fixe se revalide ; la page aussi. Servis compressés d'avance eux
    // aussi : Vary, une seule fois.
    std::fs::write(dist.join("dsfr.min.css.br"), b"css brotli").unwrap();
    let r = app
        .send(axum::http::Request::get("/dsfr.min.css").header(header::ACCEPT_ENCODING, "br").body(axum::body::Body::empty()).unwrap())
        .await;
    assert_eq!(en_tete(&r, header::CONTENT_ENCODING), "br");
    assert_eq!(en_tete(&r, header::CACHE_CONTROL), "no-cache");
    let vary: Vec<_> = r.headers.get_all(header::VARY).iter().map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect();
    assert_eq!(vary.iter().filter(|v| v.contains("accept-encoding")).count(), 1, "{vary:?}");
    let r = app.get("/", None).await;
    assert!(en_tete(&r, header::VARY).to_ascii_lowercase().contains("accept-encoding"));
    let r = app.get("/immat-web-0123456789abcdef.js", None).await;
    assert_eq!(r.status, StatusCode::OK, "repli vers la page");
    assert_eq!(en_tete(&r, header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn le_code_de_cession_n_est_jamais_mis_en_cache() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let d = app.post_json("/api/v1/demarches", &demarrage("cession", "moi_meme", "EF-789-GH", ""), Some(&marie)).await.json();
    let base = format!("/api/v1/demarches/{}", d["numero"].as_str().unwrap());
    let cession = json!({
        "acquereur": {"type_personne": "physique", "nom": "Martin", "prenoms": "Léa", "date_naissance": "1990-07-14"},
        "adresse": {"voie": "4 rue Nationale", "code_postal": "59000", "commune": "Lille"},
        "date_cession": "01/01/2026", "heure_cession": "10:15"
    });
    assert_eq!(app.put_json(&format!("{base}/cession"), &cession, &marie).await.status, StatusCode::OK);
    assert_eq!(app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), &marie).await.status, StatusCode::OK);
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["code_cession"].is_string());
    assert_eq!(en_tete(&r, header::CACHE_CONTROL), "no-store");
}

#[tokio::test]
async fn requete_d_un_autre_site_refusee_sans_etre_traitee() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let mut req = json_request(Method::POST, "/api/v1/auth/logout", &json!({}), Some(&marie));
    req.headers_mut().insert(header::ORIGIN, "https://pirate.example".parse().unwrap());
    req.headers_mut().insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "origine_refusee");
    assert_eq!(app.get("/api/v1/auth/me", Some(&marie)).await.status, StatusCode::OK, "la session n'a pas été touchée");
    let mut req = json_request(Method::POST, "/api/v1/demarches", &demarrage("cession", "moi_meme", "EF-789-GH", ""), Some(&marie));
    req.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    let e = app.get("/api/v1/espace", Some(&marie)).await.json();
    assert!(e["vehicules"].as_array().unwrap().iter().all(|v| v["demarches"].as_array().unwrap().is_empty()));
    // La même requête, du même site : acceptée.
    let mut req = json_request(Method::POST, "/api/v1/demarches", &demarrage("cession", "moi_meme", "EF-789-GH", ""), Some(&marie));
    req.headers_mut().insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
    req.headers_mut().insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
    req.headers_mut().insert("sec-fetch-site", "same-origin".parse().unwrap());
    assert_eq!(app.send(req).await.status, StatusCode::CREATED);
}

fn reinitialiser(jeton: Option<&str>) -> Request<Body> {
    let mut b = Request::post("/api/v1/demo/reinitialiser");
    if let Some(j) = jeton {
        b = b.header(TEST_TOKEN_HEADER, j);
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn reinitialisation_seulement_avec_le_drapeau_et_le_jeton() {
    // Sans drapeau de test : la route n'existe pas, même jeton en main.
    let app = common::spawn().await;
    assert_eq!(app.send(reinitialiser(None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(reinitialiser(Some("n-importe-quoi"))).await.status, StatusCode::NOT_FOUND);
    // Avec le drapeau : 404 sans le bon jeton, 204 avec.
    let app = common::spawn_with(|c| c.test_reset_token = Some("jeton-secret".into())).await;
    assert_eq!(app.send(reinitialiser(None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(reinitialiser(Some("jeton-faux"))).await.status, StatusCode::NOT_FOUND);
    let mut req = reinitialiser(Some("jeton-secret"));
    req.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN, "pas depuis un autre site");
    assert_eq!(app.send(reinitialiser(Some("jeton-secret"))).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn hors_demonstration_par_defaut_et_refus_d_une_base_de_demonstration() {
    use clap::Parser;
    let defaut = immat_server::config::Config::parse_from(["immat-server"]);
    assert!(!defaut.demo, "le binaire démarre hors démonstration par défaut");
    assert!(defaut.test_reset_token.is_none());
    let app = common::spawn().await;
    let mut config = app.config.clone();
    config.demo = false;
    let err = immat_server::demo::preparer(&config, app.repo.as_ref()).await.unwrap_err().to_string();
    assert!(err.contains("compte(s) de démonstration") && err.contains("--demo true"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let mut neuve = immat_server::config::Config::for_tests(dir.path().join("data"), dir.path().join("dist"));
    neuve.demo = false;
    let repo = immat_server::db::connect(&neuve).await.unwrap();
    immat_server::demo::preparer(&neuve, repo.as_ref()).await.unwrap();
    assert!(repo.compte_par_email(MARIE).await.unwrap().is_none(), "aucun compte de démonstration créé");
}

// --- Entrées qui devenaient des 500 ----------------------------------------------

#[tokio::test]
async fn vehicule_en_collectivite_d_outre_mer_pas_de_500() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let compte = app.repo.compte_par_email(MARIE).await.unwrap().unwrap();
    let mut v = app.repo.vehicule_par_immatriculation("EF-789-GH").await.unwrap().unwrap();
    v.immatriculation = "FG-123-PF".into();
    v.vin = "VF1RFB00X67512345".into();
    v.adresse_voie = "12 RUE DU COMMANDANT DESTREMAU".into();
    v.adresse_code_postal = "98714".into();
    v.adresse_commune = "PAPEETE".into();
    v.compte_id = Some(compte.id);
    app.repo.inserer_vehicule_si_absent(&v).await.unwrap();
    assert_eq!(app.get("/api/v1/espace", Some(&marie)).await.status, StatusCode::OK);
    for tp in ["changement_adresse", "cession"] {
        let r = app.post_json("/api/v1/demarches", &demarrage(tp, "moi_meme", "FG-123-PF", ""), Some(&marie)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{tp} : {}", r.text());
        let numero = r.json()["numero"].as_str().unwrap().to_owned();
        assert_eq!(app.get(&format!("/api/v1/demarches/{numero}"), Some(&marie)).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn les_erreurs_de_serde_ne_sont_pas_montrees() {
    let app = common::spawn().await;
    let r = app.post_json("/api/v1/auth/login", &json!({"email": 12, "password": "x"}), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let texte = r.text();
    assert!(texte.contains("« email »"), "{texte}");
    for interne in ["invalid type", "expected", "integer", "line", "column"] {
        assert!(!texte.contains(interne), "« {interne} » : {texte}");
    }
    let marie = app.login(MARIE).await;
    let r = app.post_json("/api/v1/demarches", &json!({"teleprocedure": "inconnue", "pour_qui": "moi_meme"}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.text().contains("unknown variant"), "{}", r.text());
    assert_eq!(r.json()["champs"][0]["champ"], "teleprocedure");
}

#[tokio::test]
async fn donnees_stockees_illisibles_erreur_sans_ecriture() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let numero = changement_adresse_pret(&app, &marie, ("59000", "Lille")).await;
    let d = app.repo.demarche_par_numero(&numero).await.unwrap().unwrap();
    // Les vraies données, dont seule l'adresse ne correspond plus au format :
    // écrites directement en base.
    let mut abimee = d.donnees.clone();
    abimee["details"]["adresse"] = json!("pas une adresse");
    app.repo.maj_demarche(&d, d.etape, &abimee).await.unwrap();
    let r = app.post_json(&format!("/api/v1/demarches/{numero}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.json()["code"], "interne");
    let apres = app.repo.demarche_par_numero(&numero).await.unwrap().unwrap();
    assert_eq!(apres.donnees, abimee, "rien n'a été réécrit par-dessus");
    assert_eq!(apres.etat, immat_domain::EtatDemarche::Brouillon);
}
