//! Un vrai processus serveur tué (SIGKILL) entre l'acceptation du paiement
//! par le prestataire et sa notification : au redémarrage, le
//! rapprochement enregistre le paiement, une seule fois.

use crate::common;

use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, header, Method, Request, StatusCode};
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use immat_domain::paiement::EtatPaiement;
use serde_json::{json, Value};
use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

struct Serveur {
    enfant: Child,
    base: String,
}

impl Drop for Serveur {
    fn drop(&mut self) {
        let _ = self.enfant.kill();
        let _ = self.enfant.wait();
    }
}

fn port_libre() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn demarrer(data: &std::path::Path, dist: &std::path::Path, url: Option<&str>, port: u16, delai_notification_ms: u64) -> Serveur {
    let mut commande = Command::new(env!("CARGO_BIN_EXE_immat-server"));
    if let Some(url) = url {
        commande.args(["--database-url", url]);
    }
    let enfant = commande
        .args(["--listen", &format!("127.0.0.1:{port}"), "--demo", "true"])
        .arg("--data-dir")
        .arg(data)
        .arg("--dist-dir")
        .arg(dist)
        .args(["--payfip-delai-notification-ms", &delai_notification_ms.to_string(), "--rapprochement-secondes", "3600"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serveur lancé");
    let s = Serveur { enfant, base: format!("http://127.0.0.1:{port}") };
    let debut = Instant::now();
    while appel(&s.base, Method::GET, "/api/v1/health", None, None).await.is_err() {
        assert!(debut.elapsed() < Duration::from_secs(30), "le serveur ne répond pas");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    s
}

/// Un appel HTTP : (statut, corps, cookie posé).
async fn appel(
    base: &str,
    method: Method,
    chemin: &str,
    corps: Option<(&str, Vec<u8>)>,
    cookie: Option<&str>,
) -> anyhow::Result<(StatusCode, String, Option<String>)> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut b = Request::builder().method(method).uri(format!("{base}{chemin}"));
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let req = match corps {
        Some((type_, octets)) => b.header(header::CONTENT_TYPE, type_).body(Full::from(octets))?,
        None => b.body(Full::default())?,
    };
    let resp = client.request(req).await?;
    let status = resp.status();
    let cookie = resp.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).map(str::to_owned);
    let texte = String::from_utf8_lossy(&resp.into_body().collect().await?.to_bytes()).into_owned();
    Ok((status, texte, cookie))
}

async fn json(base: &str, method: Method, chemin: &str, corps: Value, cookie: Option<&str>) -> (StatusCode, Value, Option<String>) {
    let (s, t, c) = appel(base, method, chemin, Some(("application/json", serde_json::to_vec(&corps).unwrap())), cookie).await.unwrap();
    (s, serde_json::from_str(&t).unwrap_or(Value::Null), c)
}

async fn connexion(base: &str, email: &str) -> String {
    let (s, _, c) =
        json(base, Method::POST, "/api/v1/auth/login", json!({"email": email, "password": immat_server::demo::DEMO_PASSWORD}), None).await;
    assert_eq!(s, StatusCode::OK);
    c.unwrap()
}

#[tokio::test]
async fn serveur_tue_entre_acceptation_et_notification_le_paiement_est_enregistre_une_fois() {
    let dir = tempfile::tempdir().unwrap();
    let (data, dist) = (dir.path().join("data"), dir.path().join("dist"));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>Immat</title>").unwrap();
    let port = port_libre();
    // Notification retardée d'une minute : le serveur sera tué avant.
    let url = common::base_de_test().await;
    let mut serveur = demarrer(&data, &dist, url.as_deref(), port, 60_000).await;
    let base = serveur.base.clone();
    let clu = json!({"clu": ["exactitude", "sanctions", "donnees"]});

    // Julien cède AB-123-CD.
    let julien = connexion(&base, "julien.paul@demo.immat.fr").await;
    let (s, d, _) = json(
        &base,
        Method::POST,
        "/api/v1/demarches",
        json!({"teleprocedure": "cession", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD", "code_confidentiel": "AB2C-D3EF"}),
        Some(&julien),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let cession = format!("/api/v1/demarches/{}", d["numero"].as_str().unwrap());
    let (s, _, _) = json(
        &base,
        Method::PUT,
        &format!("{cession}/cession"),
        json!({
        "acquereur": {"type_personne": "physique", "nom": "Dupont", "prenoms": "Marie", "date_naissance": "02/05/1985"},
        "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"},
        "date_cession": "01/11/2026", "heure_cession": "09:00"}),
        Some(&julien),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    json(&base, Method::PUT, &format!("{cession}/verification"), json!({"accepter": true}), Some(&julien)).await;
    let (_, d, _) = json(&base, Method::POST, &format!("{cession}/valider"), clu.clone(), Some(&julien)).await;
    let code = d["code_cession"].as_str().expect("code de cession").to_owned();

    // Marie achète, jusqu'au paiement.
    let marie = connexion(&base, "marie.dupont@demo.immat.fr").await;
    let (s, d, _) = json(
        &base,
        Method::POST,
        "/api/v1/demarches",
        json!({"teleprocedure": "changement_titulaire", "pour_qui": "moi_meme",
        "immatriculation": "AB-123-CD", "preuve": {"mode": "code_cession", "code_cession": code}}),
        Some(&marie),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let numero = d["numero"].as_str().unwrap().to_owned();
    let demarche = format!("/api/v1/demarches/{numero}");
    json(
        &base,
        Method::PUT,
        &format!("{demarche}/titulaire"),
        json!({"nom": "Dupont", "prenoms": "Marie", "date_naissance": "02/05/1985",
        "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"}}),
        Some(&marie),
    )
    .await;
    json(&base, Method::PUT, &format!("{demarche}/verification"), json!({"accepter": true}), Some(&marie)).await;
    let (_, d, _) = json(&base, Method::POST, &format!("{demarche}/valider"), clu, Some(&marie)).await;
    assert_eq!(d["etat"], "a_payer", "{d}");
    let (s, p, _) = json(&base, Method::POST, &format!("{demarche}/paiements"), json!({}), Some(&marie)).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let idop = p["url"].as_str().unwrap().rsplit('=').next().unwrap().to_owned();

    // Le prestataire accepte la carte…
    let formulaire = format!("idop={idop}&numero=4111111111111111&expiration=12%2F30&cryptogramme=123");
    let (s, page, _) =
        appel(&base, Method::POST, "/payfip/paiement", Some(("application/x-www-form-urlencoded", formulaire.into_bytes())), None)
            .await
            .unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Paiement accepté"));
    // … et le serveur est tué avant de notifier (SIGKILL).
    serveur.enfant.kill().unwrap();
    serveur.enfant.wait().unwrap();
    drop(serveur);

    // Avant le redémarrage : payé chez le prestataire, pas enregistré.
    {
        let mut config = immat_server::config::Config::for_tests(data.clone(), dist.clone());
        config.database_url = url.clone();
        let repo = immat_server::db::connect(&config).await.unwrap();
        let d = repo.demarche_par_numero(&numero).await.unwrap().unwrap();
        assert_eq!(d.etat, immat_domain::EtatDemarche::APayer);
        assert_eq!(repo.paiements_de(d.id).await.unwrap()[0].etat, EtatPaiement::EnCours);
        assert!(repo.payfip_operation(&idop).await.unwrap().unwrap().resultrans.is_some());
    }

    // Redémarrage : le rapprochement du démarrage enregistre le paiement.
    let serveur = demarrer(&data, &dist, url.as_deref(), port_libre(), 0).await;
    let base = serveur.base.clone();
    let debut = Instant::now();
    loop {
        let (_, d, _) = json(&base, Method::GET, &demarche, Value::Null, Some(&marie)).await;
        if d["etat"] == "terminee" {
            break;
        }
        assert!(debut.elapsed() < Duration::from_secs(20), "démarche non terminée après redémarrage : {d}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // La notification tardive, rejouée, n'enregistre rien de plus.
    for _ in 0..5 {
        let (s, _, _) = json(&base, Method::POST, "/api/v1/paiements/notification", json!({"idop": idop}), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let mut config = immat_server::config::Config::for_tests(data.clone(), dist.clone());
    config.database_url = url.clone();
    let repo = immat_server::db::connect(&config).await.unwrap();
    let d = repo.demarche_par_numero(&numero).await.unwrap().unwrap();
    let paiements = repo.paiements_de(d.id).await.unwrap();
    assert_eq!(paiements.len(), 1);
    assert_eq!(paiements[0].etat, EtatPaiement::Paye);
    let v = repo.vehicule_par_immatriculation("AB-123-CD").await.unwrap().unwrap();
    assert_eq!(v.titulaire_nom, "DUPONT");
    drop(serveur);
}
