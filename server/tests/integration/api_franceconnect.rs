//! FranceConnect côté service : le vrai client OpenID Connect du serveur
//! face à un fournisseur de test qui sert découverte, JWKS, jeton et
//! userinfo sur un vrai port, et qui fabrique à la demande des réponses
//! fautives (mauvaise clé, mauvais nonce, jeton expiré, niveau eIDAS
//! insuffisant, code rejoué). Le fournisseur conforme (paquet npm
//! `oidc-provider`) sert les parcours Playwright ; celui-ci sert à produire
//! ce qu'un fournisseur conforme ne produit jamais.

use crate::common;

use axum::{
    extract::{Form, State},
    http::{header, StatusCode},
    routing::{get, post},
    Json, Router,
};
use base64::Engine;
use common::*;
use immat_server::clock::Clock;
use openidconnect::{
    core::{CoreHmacKey, CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey},
    Audience, AuthenticationContextClass, EmptyAdditionalClaims, IssuerUrl, JsonWebKeyId, Nonce, PrivateSigningKey, StandardClaims,
    SubjectIdentifier,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

const CLIENT_ID: &str = "immat-test";
const CLIENT_SECRET: &str = "secret-de-test";
const PUBLIQUE: &str = "http://immat.test";

/// Ce que le fournisseur de test renverra au prochain échange de code.
#[derive(Clone)]
struct Scenario {
    sub: String,
    userinfo: Value,
    /// Signer avec la clé B, absente du JWKS (même `kid` que A).
    autre_cle: bool,
    nonce_force: Option<String>,
    /// Expiration du jeton, en secondes par rapport à `maintenant`.
    expire_dans: i64,
    acr: String,
    audience_forcee: Option<String>,
    emetteur_force: Option<String>,
    /// HS256 signé avec le secret du client (que la découverte annonce).
    hmac: bool,
    /// Le `sub` rendu par userinfo, s'il diffère de celui du jeton.
    sub_userinfo: Option<String>,
}

struct Fournisseur {
    base: String,
    cle_a: CoreRsaPrivateSigningKey,
    cle_b: CoreRsaPrivateSigningKey,
    scenario: Mutex<Scenario>,
    /// code → (nonce, défi PKCE).
    codes: Mutex<HashMap<String, (String, String)>>,
    maintenant: Mutex<time::OffsetDateTime>,
    /// Jetons d'identité émis : un cas fautif doit bien en avoir reçu un.
    jetons_emis: std::sync::atomic::AtomicUsize,
}

type Etat = Arc<Fournisseur>;
/// Ce qu'un cas fautif change au scénario.
type Regle = fn(&mut Scenario);

fn angela() -> Scenario {
    Scenario {
        sub: "sub-angela".into(),
        userinfo: json!({
            "sub": "sub-angela",
            "given_name": "Angela Claire Louise",
            "family_name": "DUBOIS",
            "birthdate": "1962-08-24",
            "gender": "female",
            "birthplace": "75107",
            "birthcountry": "99100",
            "email": "angela.dubois@fc-test.example",
            "preferred_username": ""
        }),
        autre_cle: false,
        nonce_force: None,
        expire_dans: 60,
        acr: "eidas1".into(),
        audience_forcee: None,
        emetteur_force: None,
        hmac: false,
        sub_userinfo: None,
    }
}

async fn decouverte(State(f): State<Etat>) -> Json<Value> {
    let b = &f.base;
    Json(json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/authorize"),
        "token_endpoint": format!("{b}/token"),
        "userinfo_endpoint": format!("{b}/userinfo"),
        "jwks_uri": format!("{b}/jwks"),
        "end_session_endpoint": format!("{b}/session/end"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "HS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": ["eidas1", "eidas2", "eidas3"]
    }))
}

async fn jwks(State(f): State<Etat>) -> Json<CoreJsonWebKeySet> {
    Json(CoreJsonWebKeySet::new(vec![f.cle_a.as_verification_key()]))
}

async fn jeton(State(f): State<Etat>, Form(p): Form<HashMap<String, String>>) -> (StatusCode, Json<Value>) {
    let refus = |e: &str| (StatusCode::BAD_REQUEST, Json(json!({"error": e})));
    // client_secret_post, comme FranceConnect.
    if p.get("client_id").map(String::as_str) != Some(CLIENT_ID) || p.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
        return refus("invalid_client");
    }
    if p.get("redirect_uri").map(String::as_str) != Some(&format!("{PUBLIQUE}/api/v1/auth/franceconnect/retour")) {
        return refus("invalid_grant");
    }
    let Some((nonce, defi)) = p.get("code").and_then(|c| f.codes.lock().unwrap().remove(c)) else {
        return refus("invalid_grant");
    };
    let verif = p.get("code_verifier").cloned().unwrap_or_default();
    let calcule = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verif.as_bytes()));
    if calcule != defi {
        return refus("invalid_grant");
    }
    let s = f.scenario.lock().unwrap().clone();
    let maintenant = *f.maintenant.lock().unwrap();
    let chrono = |t: time::OffsetDateTime| chrono::DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap();
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(s.emetteur_force.clone().unwrap_or_else(|| f.base.clone())).unwrap(),
        vec![Audience::new(s.audience_forcee.clone().unwrap_or_else(|| CLIENT_ID.into()))],
        chrono(maintenant + time::Duration::seconds(s.expire_dans)),
        chrono(maintenant - time::Duration::seconds(120)),
        StandardClaims::new(SubjectIdentifier::new(s.sub.clone())),
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new(s.nonce_force.clone().unwrap_or(nonce))))
    .set_auth_context_ref(Some(AuthenticationContextClass::new(s.acr.clone())));
    let id_token = if s.hmac {
        CoreIdToken::new(claims, &CoreHmacKey::new(CLIENT_SECRET), CoreJwsSigningAlgorithm::HmacSha256, None, None).unwrap()
    } else {
        let cle = if s.autre_cle { &f.cle_b } else { &f.cle_a };
        CoreIdToken::new(claims, cle, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, None, None).unwrap()
    };
    f.jetons_emis.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    (
        StatusCode::OK,
        Json(
            json!({"access_token": format!("acces-{}", s.sub), "token_type": "Bearer", "expires_in": 60, "id_token": id_token.to_string()}),
        ),
    )
}

async fn userinfo(State(f): State<Etat>, headers: axum::http::HeaderMap) -> (StatusCode, Json<Value>) {
    let s = f.scenario.lock().unwrap().clone();
    let attendu = format!("Bearer acces-{}", s.sub);
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(attendu.as_str()) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_token"})));
    }
    let mut infos = s.userinfo;
    if let Some(autre) = s.sub_userinfo {
        infos["sub"] = json!(autre);
    }
    (StatusCode::OK, Json(infos))
}

async fn fournisseur() -> Etat {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let kid = Some(JsonWebKeyId::new("cle-1".into()));
    let pem = |n: &str| std::fs::read_to_string(format!("{}/tests/fixtures/{n}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let f = Arc::new(Fournisseur {
        base,
        cle_a: CoreRsaPrivateSigningKey::from_pem(&pem("oidc_cle_a.pem"), kid.clone()).unwrap(),
        cle_b: CoreRsaPrivateSigningKey::from_pem(&pem("oidc_cle_b.pem"), kid).unwrap(),
        scenario: Mutex::new(angela()),
        codes: Mutex::new(HashMap::new()),
        maintenant: Mutex::new(time::OffsetDateTime::now_utc()),
        jetons_emis: std::sync::atomic::AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(decouverte))
        .route("/jwks", get(jwks))
        .route("/token", post(jeton))
        .route("/userinfo", get(userinfo))
        .with_state(f.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    f
}

async fn app_avec(f: &Etat) -> TestApp {
    let base = f.base.clone();
    let app = spawn_with(move |c| {
        c.fc_emetteur = Some(base);
        c.fc_client_id = CLIENT_ID.into();
        c.fc_client_secret = CLIENT_SECRET.into();
        c.url_publique = PUBLIQUE.into();
    })
    .await;
    *f.maintenant.lock().unwrap() = app.clock.now();
    app
}

/// Un départ : (state, cookie d'état, paramètres de l'URL d'autorisation).
async fn depart(app: &TestApp, cookie_session: Option<&str>, chemin: &str, corps: Value) -> (String, String, HashMap<String, String>) {
    let r = app.post_json(chemin, &corps, cookie_session).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let url = openidconnect::url::Url::parse(r.json()["url"].as_str().unwrap()).unwrap();
    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("immat_fc_etat="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    (params["state"].clone(), cookie, params)
}

/// Le fournisseur « authentifie » l'usager : un code lié au nonce et au défi.
fn autoriser(f: &Etat, params: &HashMap<String, String>, code: &str) {
    f.codes.lock().unwrap().insert(code.into(), (params["nonce"].clone(), params["code_challenge"].clone()));
}

async fn retour(app: &TestApp, requete: &str, cookies: &str) -> Resp {
    let req = axum::http::Request::get(format!("/api/v1/auth/franceconnect/retour?{requete}"))
        .header(header::COOKIE, cookies)
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(req).await
}

fn location(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

fn session_de(r: &Resp) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("immat_session=") && !v.starts_with("immat_session=;"))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Un parcours complet ; rend la réponse du retour.
async fn parcours(app: &TestApp, f: &Etat, code: &str) -> Resp {
    let (etat, cookie, params) = depart(app, None, "/api/v1/auth/franceconnect", json!({})).await;
    autoriser(f, &params, code);
    retour(app, &format!("code={code}&state={etat}"), &cookie).await
}

#[tokio::test]
async fn premiere_connexion_cree_un_compte_certifie_puis_le_retrouve_par_sub() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let r = app.get("/api/v1/config", None).await;
    assert_eq!(r.json()["franceconnect"], true);

    let (etat, cookie, params) = depart(&app, None, "/api/v1/auth/franceconnect", json!({})).await;
    // Ce que FranceConnect exige de la requête d'autorisation.
    assert_eq!(params["acr_values"], "eidas1");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["redirect_uri"], format!("{PUBLIQUE}/api/v1/auth/franceconnect/retour"));
    for portee in ["openid", "given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry", "email"] {
        assert!(params["scope"].split(' ').any(|p| p == portee), "portée {portee} absente : {}", params["scope"]);
    }
    assert!(params["nonce"].len() >= 16 && etat.len() >= 16);
    autoriser(&f, &params, "code-1");
    let r = retour(&app, &format!("code=code-1&state={etat}"), &cookie).await;
    assert_eq!(location(&r), "/mon-espace");
    let session = session_de(&r).expect("session ouverte");
    let moi = app.get("/api/v1/auth/me", Some(&session)).await.json();
    assert_eq!(moi["type_compte"], "certifie");
    assert_eq!(moi["prenom"], "Angela Claire Louise");
    assert_eq!(moi["nom"], "DUBOIS");
    assert_eq!(moi["email"], "angela.dubois@fc-test.example");
    assert_eq!(moi["profil"], "personne_physique");
    // Le compte certifié démarre une démarche réservée (changement de
    // titulaire) : l'espace s'ouvre.
    assert_eq!(app.get("/api/v1/espace", Some(&session)).await.status, StatusCode::OK);

    // Seconde connexion : même `sub`, l'adresse a changé chez le
    // fournisseur : le même compte.
    f.scenario.lock().unwrap().userinfo["email"] = json!("angela.nouvelle@fc-test.example");
    let r = parcours(&app, &f, "code-2").await;
    assert_eq!(location(&r), "/mon-espace");
    let moi2 = app.get("/api/v1/auth/me", Some(&session_de(&r).unwrap())).await.json();
    assert_eq!(moi2["id"], moi["id"]);

    // La déconnexion passe par le fournisseur, jeton d'identité en indice.
    let r = app.post_json("/api/v1/auth/logout", &json!({}), Some(&session)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let url = openidconnect::url::Url::parse(r.json()["url"].as_str().unwrap()).unwrap();
    assert_eq!(url.as_str().split('?').next().unwrap(), format!("{}/session/end", f.base));
    let p: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(p["post_logout_redirect_uri"], format!("{PUBLIQUE}/connexion"));
    assert_eq!(p["id_token_hint"].split('.').count(), 3);
    assert_eq!(app.get("/api/v1/auth/me", Some(&session)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn etat_faux_absent_ou_rejoue_refuse_sans_session() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let (etat, cookie, params) = depart(&app, None, "/api/v1/auth/franceconnect", json!({})).await;
    autoriser(&f, &params, "code-1");
    // Un `state` qui n'est pas celui du cookie (lien forgé par un tiers).
    let r = retour(&app, "code=code-1&state=forge", &cookie).await;
    assert_eq!(location(&r), "/connexion?franceconnect=etat");
    assert!(session_de(&r).is_none());
    // … sans effacer le cookie du navigateur : la vraie connexion aboutit.
    assert!(r.headers.get_all(header::SET_COOKIE).iter().all(|v| !v.to_str().unwrap().starts_with("immat_fc_etat=;")));
    // Le bon `state` sans le cookie du navigateur parti.
    let r = retour(&app, &format!("code=code-1&state={etat}"), "").await;
    assert_eq!(location(&r), "/connexion?franceconnect=etat");
    // Le bon : la session s'ouvre ; rejoué : refusé.
    let r = retour(&app, &format!("code=code-1&state={etat}"), &cookie).await;
    assert_eq!(location(&r), "/mon-espace");
    let r = retour(&app, &format!("code=code-1&state={etat}"), &cookie).await;
    assert_eq!(location(&r), "/connexion?franceconnect=etat");
    assert!(session_de(&r).is_none());

    // Expirée (10 minutes) : refusée.
    let (etat, cookie, params) = depart(&app, None, "/api/v1/auth/franceconnect", json!({})).await;
    autoriser(&f, &params, "code-2");
    app.clock.advance(time::Duration::minutes(11));
    let r = retour(&app, &format!("code=code-2&state={etat}"), &cookie).await;
    assert_eq!(location(&r), "/connexion?franceconnect=etat");
}

#[tokio::test]
async fn vingt_retours_simultanes_une_seule_session() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let (etat, cookie, params) = depart(&app, None, "/api/v1/auth/franceconnect", json!({})).await;
    autoriser(&f, &params, "code-1");
    let requete = format!("code=code-1&state={etat}");
    let reponses = futures::future::join_all((0..20).map(|_| retour(&app, &requete, &cookie))).await;
    let ouvertes = reponses.iter().filter(|r| session_de(r).is_some()).count();
    assert_eq!(ouvertes, 1);
    assert_eq!(reponses.iter().filter(|r| location(r) == "/connexion?franceconnect=etat").count(), 19);
}

#[tokio::test]
async fn jeton_invalide_refuse_avec_un_message_et_sans_session() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let cas: [(&str, Regle); 9] = [
        ("signé par une autre clé", |s| s.autre_cle = true),
        ("mauvais nonce", |s| s.nonce_force = Some("un-autre-nonce".into())),
        ("expiré", |s| s.expire_dans = -30),
        ("niveau eIDAS insuffisant", |s| s.acr = "eidas0".into()),
        ("pour un autre client", |s| s.audience_forcee = Some("un-autre-service".into())),
        ("d'un autre émetteur", |s| s.emetteur_force = Some("https://faux-fournisseur.example".into())),
        ("HS256 signé avec le secret du client", |s| s.hmac = true),
        ("userinfo d'une autre personne", |s| s.sub_userinfo = Some("sub-quelqu-un-d-autre".into())),
        ("sans date de naissance", |s| s.userinfo["birthdate"] = json!("")),
    ];
    for (i, (nom, regle)) in cas.iter().enumerate() {
        let mut s = angela();
        regle(&mut s);
        *f.scenario.lock().unwrap() = s;
        let emis = f.jetons_emis.load(std::sync::atomic::Ordering::SeqCst);
        let r = parcours(&app, &f, &format!("code-{i}")).await;
        // Le code a bien été échangé : c'est le jeton (ou l'identité) qui est refusé.
        assert_eq!(f.jetons_emis.load(std::sync::atomic::Ordering::SeqCst), emis + 1, "{nom}");
        let attendu = if i == cas.len() - 1 { "/connexion?franceconnect=identite" } else { "/connexion?franceconnect=jeton" };
        assert_eq!(location(&r), attendu, "{nom}");
        assert!(session_de(&r).is_none(), "{nom}");
    }
    // Aucun des échecs n'a créé de compte.
    assert!(app.repo.compte_par_sub("sub-angela").await.unwrap().is_none());
    // Code rejoué : le fournisseur le refuse (déjà échangé).
    *f.scenario.lock().unwrap() = angela();
    let r = parcours(&app, &f, "code-ok").await;
    assert_eq!(location(&r), "/mon-espace");
    let (etat, cookie, _) = depart(&app, None, "/api/v1/auth/franceconnect", json!({})).await;
    let r = retour(&app, &format!("code=code-ok&state={etat}"), &cookie).await;
    assert_eq!(location(&r), "/connexion?franceconnect=jeton");
    assert!(session_de(&r).is_none());
    assert!(app.repo.compte_par_sub("sub-angela").await.unwrap().is_some());
}

#[tokio::test]
async fn annulation_identite_incomplete_et_adresse_deja_prise() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    // L'usager annule chez le fournisseur.
    let (etat, cookie, _) = depart(&app, None, "/api/v1/auth/franceconnect", json!({})).await;
    let r = retour(&app, &format!("error=access_denied&state={etat}"), &cookie).await;
    assert_eq!(location(&r), "/connexion?franceconnect=annule");

    // Pays de naissance absent.
    let mut s = angela();
    s.userinfo["birthcountry"] = json!("");
    *f.scenario.lock().unwrap() = s;
    let r = parcours(&app, &f, "code-1").await;
    assert_eq!(location(&r), "/connexion?franceconnect=identite");
    assert!(app.repo.compte_par_sub("sub-angela").await.unwrap().is_none());

    // L'adresse d'un compte classique existant : pas de fusion silencieuse.
    let mut s = angela();
    s.sub = "sub-julien".into();
    s.userinfo["sub"] = json!("sub-julien");
    s.userinfo["email"] = json!("julien.paul@demo.immat.fr");
    *f.scenario.lock().unwrap() = s;
    let r = parcours(&app, &f, "code-2").await;
    assert_eq!(location(&r), "/connexion?franceconnect=compte_existant");
    assert!(session_de(&r).is_none());
    let julien = app.login("julien.paul@demo.immat.fr").await;
    assert_eq!(app.get("/api/v1/auth/me", Some(&julien)).await.json()["type_compte"], "classique");
}

#[tokio::test]
async fn certifier_un_compte_classique_apres_son_mot_de_passe() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let julien = app.login("julien.paul@demo.immat.fr").await;
    let mut s = angela();
    s.sub = "sub-julien".into();
    s.userinfo = json!({
        "sub": "sub-julien", "given_name": "Julien", "family_name": "PAUL", "birthdate": "1980-01-15", "gender": "male",
        "birthplace": "59350", "birthcountry": "99100", "email": "julien.paul@fc-test.example"
    });
    *f.scenario.lock().unwrap() = s;

    // Mauvais mot de passe : erreur au champ, pas de départ.
    let r = app.post_json("/api/v1/compte/franceconnect", &json!({"mot_de_passe": "pas-le-bon"}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "mot_de_passe");

    // Le retour arrive dans le navigateur d'un autre compte : refusé.
    let (etat, cookie, params) =
        depart(&app, Some(&julien), "/api/v1/compte/franceconnect", json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD})).await;
    autoriser(&f, &params, "code-1");
    let marie = app.login("marie.dupont@demo.immat.fr").await;
    let r = retour(&app, &format!("code=code-1&state={etat}"), &format!("{cookie}; {marie}")).await;
    assert_eq!(location(&r), "/mon-compte?franceconnect=etat");
    assert_eq!(app.get("/api/v1/auth/me", Some(&julien)).await.json()["type_compte"], "classique");

    // Le bon navigateur : le compte devient certifié, son adresse reste.
    let (etat, cookie, params) =
        depart(&app, Some(&julien), "/api/v1/compte/franceconnect", json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD})).await;
    autoriser(&f, &params, "code-2");
    let r = retour(&app, &format!("code=code-2&state={etat}"), &format!("{cookie}; {julien}")).await;
    assert_eq!(location(&r), "/mon-compte?franceconnect=certifie");
    let session = session_de(&r).unwrap();
    let moi = app.get("/api/v1/auth/me", Some(&session)).await.json();
    assert_eq!(moi["type_compte"], "certifie");
    assert_eq!(moi["email"], "julien.paul@demo.immat.fr");
    // Déjà certifié : 409.
    let r =
        app.post_json("/api/v1/compte/franceconnect", &json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD}), Some(&session)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Ensuite, FranceConnect ouvre directement ce compte.
    let r = parcours(&app, &f, "code-3").await;
    assert_eq!(location(&r), "/mon-espace");
    assert_eq!(app.get("/api/v1/auth/me", Some(&session_de(&r).unwrap())).await.json()["id"], moi["id"]);

    // Un professionnel habilité ne se certifie pas par FranceConnect.
    let garage = app.login("garage.central@demo.immat.fr").await;
    let r = app.post_json("/api/v1/compte/franceconnect", &json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD}), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
}

#[tokio::test]
async fn une_societe_se_certifie_par_son_representant_legal_verifie_par_le_cert() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let pm = app.login("gestion@transports-martin.demo.immat.fr").await;
    let ct = json!({"teleprocedure": "changement_titulaire", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD",
        "preuve": {"mode": "code_cession", "code_cession": "ABCD-EFGH-JK23"}});
    // Compte classique : le changement de titulaire est refusé.
    assert_eq!(app.post_json("/api/v1/demarches", &ct, Some(&pm)).await.status, StatusCode::FORBIDDEN);
    let avant: Vec<String> = app.get("/api/v1/espace", Some(&pm)).await.json()["vehicules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["immatriculation"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(avant, ["LM-890-NP"]);

    // Son représentant légal s'identifie avec FranceConnect (Angela).
    let (etat, cookie, params) =
        depart(&app, Some(&pm), "/api/v1/compte/franceconnect", json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD})).await;
    autoriser(&f, &params, "code-rl");
    let r = retour(&app, &format!("code=code-rl&state={etat}"), &format!("{cookie}; {pm}")).await;
    assert_eq!(location(&r), "/mon-compte?franceconnect=representant");
    let pm = session_de(&r).unwrap();
    // Le compte reste celui de la société, pas encore certifié ; l'identité
    // d'Angela n'est liée à aucun compte (elle garde son propre accès).
    let moi = app.get("/api/v1/auth/me", Some(&pm)).await.json();
    assert_eq!(moi["type_compte"], "classique");
    assert_eq!(moi["profil"], "personne_morale");
    assert_eq!(moi["email"], "gestion@transports-martin.demo.immat.fr");
    assert!(app.repo.compte_par_sub("sub-angela").await.unwrap().is_none());
    assert_eq!(app.post_json("/api/v1/demarches", &ct, Some(&pm)).await.status, StatusCode::FORBIDDEN);
    let compte = app.get("/api/v1/compte", Some(&pm)).await.json();
    assert_eq!(compte["habilitation"]["nature"], "representant_legal");
    assert_eq!(compte["habilitation"]["etat"], "en_attente");
    assert_eq!(compte["habilitation"]["representant"], "Angela Claire Louise DUBOIS, né(e) le 24/08/1962");
    // Une seconde demande pendant l'attente : refusée dès le départ.
    let r = app.post_json("/api/v1/compte/franceconnect", &json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD}), Some(&pm)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("une seule à la fois"), "{}", r.text());

    // Le CERT approuve : le compte est certifié, la camionnette inscrite au
    // SIREN de la société le rejoint, le changement de titulaire s'ouvre.
    let agent = app.login("agent.cert@demo.immat.fr").await;
    let liste = app.get("/api/v1/cert/habilitations", Some(&agent)).await.json();
    let demande = liste.as_array().unwrap().iter().find(|h| h["nature"] == "representant_legal").expect("en attente").clone();
    assert_eq!(demande["siret"], "732829320");
    let id = demande["id"].as_i64().unwrap();
    let r = app.post_json(&format!("/api/v1/cert/habilitations/{id}/approuver"), &json!({}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let moi = app.get("/api/v1/auth/me", Some(&pm)).await.json();
    assert_eq!(moi["type_compte"], "certifie");
    assert_eq!(moi["profil"], "personne_morale");
    let apres: Vec<String> = app.get("/api/v1/espace", Some(&pm)).await.json()["vehicules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["immatriculation"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(apres, ["LM-890-NP", "SP-700-CT"]);
    // Plus de 403 : la preuve de cession (inventée) est jugée au champ.
    let r = app.post_json("/api/v1/demarches", &ct, Some(&pm)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("preuve"), "{}", r.text());
    // Déjà certifié : plus de certification.
    let r = app.post_json("/api/v1/compte/franceconnect", &json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD}), Some(&pm)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn sans_configuration_le_service_le_dit() {
    let app = spawn().await;
    assert_eq!(app.get("/api/v1/config", None).await.json()["franceconnect"], false);
    let r = app.post_json("/api/v1/auth/franceconnect", &json!({}), None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.json()["message"].as_str().unwrap().contains("FranceConnect"));
}

#[tokio::test]
async fn un_compte_franceconnect_n_a_pas_de_mot_de_passe() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let r = parcours(&app, &f, "code-1").await;
    let session = session_de(&r).unwrap();
    // Ni le mot de passe « factice » du code source, ni un autre.
    for mdp in ["mot-de-passe-factice", "", immat_server::demo::DEMO_PASSWORD] {
        let r = app.post_json("/api/v1/auth/login", &json!({"email": "angela.dubois@fc-test.example", "password": mdp}), None).await;
        assert_ne!(r.status, StatusCode::OK, "{mdp}");
        assert!(session_de(&r).is_none());
    }
    // Ce qu'un mot de passe confirme le dit, au champ.
    let r = app
        .post_json("/api/v1/compte/adresse-electronique", &json!({"nouvelle_adresse": "a@exemple.fr", "mot_de_passe": "x"}), Some(&session))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("Mot de passe oublié"));
}

#[tokio::test]
async fn identite_deja_liee_a_un_autre_compte_et_inscription_non_confirmee() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    // Quelqu'un a inscrit l'adresse d'Angela sans jamais la confirmer : la
    // première connexion FranceConnect d'Angela n'en est pas bloquée.
    let r = app
        .post_json(
            "/api/v1/auth/inscription",
            &json!({"email": "angela.dubois@fc-test.example", "mot_de_passe": "cheval agrafe batterie 7", "civilite": "monsieur",
                    "nom": "Intrus", "prenoms": "Ivan", "personne": "physique"}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = parcours(&app, &f, "code-1").await;
    assert_eq!(location(&r), "/mon-espace");
    let moi = app.get("/api/v1/auth/me", Some(&session_de(&r).unwrap())).await.json();
    assert_eq!(moi["nom"], "DUBOIS");

    // Julien veut certifier son compte avec l'identité d'Angela, déjà liée.
    let julien = app.login("julien.paul@demo.immat.fr").await;
    let (etat, cookie, params) =
        depart(&app, Some(&julien), "/api/v1/compte/franceconnect", json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD})).await;
    autoriser(&f, &params, "code-2");
    let r = retour(&app, &format!("code=code-2&state={etat}"), &format!("{cookie}; {julien}")).await;
    assert_eq!(location(&r), "/mon-compte?franceconnect=deja_liee");
    assert_eq!(app.get("/api/v1/auth/me", Some(&julien)).await.json()["type_compte"], "classique");
}

#[tokio::test]
async fn fournisseur_injoignable_au_depart() {
    // Un émetteur où rien n'écoute : le départ répond 503 avec un message.
    let app = spawn_with(|c| {
        c.fc_emetteur = Some("http://127.0.0.1:9".into());
        c.fc_client_secret = CLIENT_SECRET.into();
    })
    .await;
    let r = app.post_json("/api/v1/auth/franceconnect", &json!({}), None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.json()["message"].as_str().unwrap().contains("momentanément indisponible"));
}

/// Les véhicules d'Immat (espace) : leurs immatriculations.
async fn immatriculations(app: &TestApp, session: &str) -> Vec<String> {
    let e = app.get("/api/v1/espace", Some(session)).await.json();
    e["vehicules"].as_array().unwrap().iter().map(|v| v["immatriculation"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn premiere_connexion_les_vehicules_de_l_identite_rejoignent_le_compte_sans_code() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let r = parcours(&app, &f, "code-v1").await;
    assert_eq!(location(&r), "/mon-espace");
    let session = session_de(&r).unwrap();
    // Le registre inscrit « DUBOIS ANGELA CLAIRE LOUISE », née le 24/08/1962 à
    // Paris 7e : son véhicule, et seulement le sien.
    assert_eq!(immatriculations(&app, &session).await, ["FC-101-AD"]);
    // Un duplicata « pour moi-même », sans code confidentiel (compte certifié).
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "duplicata", "pour_qui": "moi_meme", "immatriculation": "FC-101-AD"}),
            Some(&session),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Un véhicule d'une autre personne, sans code : refusé, rien n'est rattaché.
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "duplicata", "pour_qui": "moi_meme", "immatriculation": "FC-202-JP"}),
            Some(&session),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("Ajouter un véhicule"), "{}", r.text());
    // La connexion suivante ne rattache rien de plus.
    let r = parcours(&app, &f, "code-v2").await;
    assert_eq!(location(&r), "/mon-espace");
    assert_eq!(immatriculations(&app, &session_de(&r).unwrap()).await, ["FC-101-AD"]);
}

#[tokio::test]
async fn identite_presque_la_meme_rien_n_est_rattache_et_l_usager_est_prevenu() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    // Un prénom de moins que le registre : partielle.
    {
        let mut s = f.scenario.lock().unwrap();
        s.sub = "sub-angela-2".into();
        s.userinfo["sub"] = json!("sub-angela-2");
        s.userinfo["given_name"] = json!("Angela Claire");
    }
    let r = parcours(&app, &f, "code-p1").await;
    assert_eq!(location(&r), "/espace-vehicule?vehicules=partiel");
    let session = session_de(&r).unwrap();
    assert!(immatriculations(&app, &session).await.is_empty());
    // Avec le code du certificat, « Ajouter un véhicule » le rattache.
    let r = app
        .post_json("/api/v1/vehicules", &json!({"immatriculation": "FC-101-AD", "code_confidentiel": "FC2A-D3AB"}), Some(&session))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(immatriculations(&app, &session).await, ["FC-101-AD"]);
    // Né un autre jour : aucune correspondance, aucun message.
    {
        let mut s = f.scenario.lock().unwrap();
        s.sub = "sub-angela-3".into();
        s.userinfo["sub"] = json!("sub-angela-3");
        s.userinfo["email"] = json!("angela.autre@fc-test.example");
        s.userinfo["given_name"] = json!("Angela Claire Louise");
        s.userinfo["birthdate"] = json!("1962-08-25");
    }
    let r = parcours(&app, &f, "code-p2").await;
    assert_eq!(location(&r), "/mon-espace");
    assert!(immatriculations(&app, &session_de(&r).unwrap()).await.is_empty());
}

#[tokio::test]
async fn un_compte_devenu_professionnel_pendant_le_passage_chez_franceconnect_ne_prend_aucune_identite() {
    let f = fournisseur().await;
    let app = app_avec(&f).await;
    let pm = app.login("gestion@transports-martin.demo.immat.fr").await;
    let (etat, cookie, params) =
        depart(&app, Some(&pm), "/api/v1/compte/franceconnect", json!({"mot_de_passe": immat_server::demo::DEMO_PASSWORD})).await;
    // Pendant ce temps : l'habilitation de professionnel, déclarée et approuvée.
    let r = app.post_json("/api/v1/compte/habilitation", &json!({"siret": "73282932000074", "numero": "HAB-75-0042"}), Some(&pm)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let agent = app.login("agent.cert@demo.immat.fr").await;
    let id = r.json()["id"].as_i64().unwrap();
    let r = app.post_json(&format!("/api/v1/cert/habilitations/{id}/approuver"), &json!({}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    // Le retour : refusé ; l'identité d'Angela n'est liée à aucun compte, et
    // ses véhicules restent sans compte.
    autoriser(&f, &params, "code-course");
    let r = retour(&app, &format!("code=code-course&state={etat}"), &format!("{cookie}; {pm}")).await;
    assert_eq!(location(&r), "/mon-compte?franceconnect=etat");
    assert!(app.repo.compte_par_sub("sub-angela").await.unwrap().is_none());
    let v = app.repo.vehicule_par_immatriculation("FC-101-AD").await.unwrap().unwrap();
    assert_eq!(v.compte_id, None);
    let moi = app.get("/api/v1/auth/me", Some(&pm)).await.json();
    assert_eq!(moi["profil"], "professionnel_habilite");
}
