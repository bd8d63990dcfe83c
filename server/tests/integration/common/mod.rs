//! Une application complète, en mémoire du processus, sur un vrai fichier
//! SQLite dans un dossier temporaire ; ou, quand `IMMAT_TEST_POSTGRES` donne
//! l'URL d'un serveur PostgreSQL (la commande de test en démarre un), sur
//! une base neuve de ce serveur, créée pour le test.

#![allow(dead_code)]

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use immat_server::{clock::ManualClock, config::Config, db, demo, http};
use serde_json::Value;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub dir: tempfile::TempDir,
    pub config: Config,
    /// L'horloge du serveur : elle ne bouge que quand le test l'avance.
    pub clock: ManualClock,
    pub repo: std::sync::Arc<dyn db::Repository>,
    /// Le hacheur du serveur (même sémaphore).
    pub hacheur: immat_server::hachage::Hacheur,
    /// L'état du serveur (tâches de fond appelées par les tests).
    pub state: http::AppState,
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// Comme [`spawn`], avec une configuration ajustée.
pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_full(adjust, None, None).await
}

/// Comme [`spawn`], avec un hacheur donné (tests de surcharge).
pub async fn spawn_with_hacheur(hacheur: immat_server::hachage::Hacheur) -> TestApp {
    spawn_full(|_| {}, Some(hacheur), None).await
}

/// Une seconde instance du serveur sur la même base et le même dossier de
/// données que `autre` (son propre état en mémoire : rien n'est partagé
/// que la base), l'horloge réglée sur la même heure.
pub async fn spawn_soeur(autre: &TestApp) -> TestApp {
    let (url, data) = (autre.config.database_url.clone(), autre.config.data_dir.clone());
    spawn_full(
        move |c| {
            c.database_url = url;
            c.data_dir = data;
        },
        None,
        Some(immat_server::clock::Clock::now(&autre.clock)),
    )
    .await
}

/// Comme [`spawn`], l'horloge du serveur réglée sur `t`.
pub async fn spawn_at(t: time::OffsetDateTime) -> TestApp {
    spawn_full(|_| {}, None, Some(t)).await
}

async fn spawn_full(
    adjust: impl FnOnce(&mut Config),
    hacheur: Option<immat_server::hachage::Hacheur>,
    debut: Option<time::OffsetDateTime>,
) -> TestApp {
    let dir = tempfile::tempdir().expect("dossier temporaire");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>Immat</title><div id=app></div>").unwrap();
    let mut config = Config::for_tests(dir.path().join("data"), dist);
    adjust(&mut config);
    if config.database_url.is_none() {
        config.database_url = base_de_test().await;
    }
    let clock = ManualClock::at(debut.unwrap_or_else(time::OffsetDateTime::now_utc));
    let repo = db::connect_with_clock(&config, std::sync::Arc::new(clock.clone())).await.expect("base");
    demo::seed(repo.as_ref()).await.expect("données de démonstration");
    let mut state = http::AppState::with_clock(config.clone(), repo.clone(), std::sync::Arc::new(clock.clone()));
    if let Some(h) = hacheur {
        state.hacheur = h;
    }
    let hacheur = state.hacheur.clone();
    let router = http::app(state.clone());
    TestApp { router, dir, config, clock, repo, hacheur, state }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("JSON attendu ({e}) : {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// La valeur du cookie de session posé par la réponse.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).map(str::to_owned)
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.expect("réponse");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("corps").to_bytes().to_vec();
        Resp { status, headers, body }
    }

    /// Envoie un fichier (corps brut), comme le SPA.
    pub async fn post_fichier(&self, uri: &str, octets: Vec<u8>, cookie: &str) -> Resp {
        let req = Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(octets))
            .unwrap();
        self.send(req).await
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> Resp {
        let mut b = Request::get(uri);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, uri: &str, body: &Value, cookie: Option<&str>) -> Resp {
        self.send(json_request(axum::http::Method::POST, uri, body, cookie)).await
    }

    pub async fn put_json(&self, uri: &str, body: &Value, cookie: &str) -> Resp {
        self.send(json_request(axum::http::Method::PUT, uri, body, Some(cookie))).await
    }

    /// Un formulaire HTML envoyé (pages du prestataire de paiement).
    pub async fn post_form(&self, uri: &str, champs: &[(&str, &str)]) -> Resp {
        let corps: String =
            champs.iter().map(|(k, v)| format!("{k}={}", v.replace(' ', "+").replace('/', "%2F"))).collect::<Vec<_>>().join("&");
        let req = Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(corps)).unwrap();
        self.send(req).await
    }

    /// Se connecte avec un compte de démonstration ; rend le cookie.
    pub async fn login(&self, email: &str) -> String {
        let r = self.post_json("/api/v1/auth/login", &serde_json::json!({"email": email, "password": demo::DEMO_PASSWORD}), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.session_cookie().expect("cookie de session")
    }
}

/// « Se connecter » depuis l'adresse IP `client` (les limites de tentatives
/// comptent par compte et par client).
pub fn login_depuis(email: &str, password: &str, client: [u8; 4]) -> Request<Body> {
    let mut req =
        json_request(axum::http::Method::POST, "/api/v1/auth/login", &serde_json::json!({"email": email, "password": password}), None);
    req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((client, 40000))));
    req
}

/// Une requête JSON, avec le cookie de session s'il y en a un.
pub fn json_request(method: axum::http::Method, uri: &str, body: &Value, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// Sur PostgreSQL (`IMMAT_TEST_POSTGRES`, l'URL d'une base d'administration) :
/// l'URL d'une base neuve, propre au test. Sinon `None` (SQLite).
pub async fn base_de_test() -> Option<String> {
    use sqlx::Connection;
    let admin = std::env::var("IMMAT_TEST_POSTGRES").ok().filter(|u| !u.is_empty())?;
    let nom = format!("immat_test_{}", hex::encode(rand::random::<[u8; 8]>()));
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL de test (IMMAT_TEST_POSTGRES)");
    sqlx::query(&format!("create database {nom}")).execute(&mut conn).await.expect("create database");
    conn.close().await.ok();
    let (base, requete) = match admin.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let racine = base.rsplit_once('/').map(|(r, _)| r.to_owned()).expect("URL PostgreSQL avec un nom de base");
    Some(format!("{racine}/{nom}{requete}"))
}

/// Le moteur des tests : « postgres » ou « sqlite ».
pub fn moteur() -> &'static str {
    if std::env::var("IMMAT_TEST_POSTGRES").is_ok_and(|u| !u.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    }
}
