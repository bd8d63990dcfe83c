//! Demande de duplicata (cas sans blocage) : motif, paiement, nouveau
//! certificat et CPI (le vol et le CERT : `api_instruction.rs`).

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

const JULIEN: &str = "julien.paul@demo.immat.fr";
const CLU: [&str; 3] = ["exactitude", "sanctions", "donnees"];

async fn demarrer(app: &TestApp, cookie: &str, immat: &str, code: &str) -> String {
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "duplicata", "pour_qui": "moi_meme", "immatriculation": immat, "code_confidentiel": code}),
            Some(cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap())
}

/// « Cliquer ici pour enregistrer votre paiement » une fois de plus.
async fn payer_et_terminer_encore(app: &TestApp, base: &str, cookie: &str) {
    let r = app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(cookie)).await;
    assert_eq!(r.json()["etat"], "terminee", "{}", r.text());
}

async fn payer_et_terminer(app: &TestApp, base: &str, cookie: &str) -> Value {
    let p = app.post_json(&format!("{base}/paiements"), &json!({}), Some(cookie)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let idop = p.json()["url"].as_str().unwrap().rsplit('=').next().unwrap().to_owned();
    let page = app
        .post_form("/payfip/paiement", &[("idop", &idop), ("numero", "4111111111111111"), ("expiration", "12/30"), ("cryptogramme", "123")])
        .await;
    assert!(page.text().contains("13,76"), "{}", page.text());
    app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(cookie)).await.json()
}

#[tokio::test]
async fn duplicata_pour_perte_paye_nouveau_certificat_et_cpi() {
    let app = common::spawn().await;
    let cookie = app.login(JULIEN).await;
    let base = demarrer(&app, &cookie, "AB-123-CD", "AB2C-D3EF").await;
    let avant = app.repo.vehicule_par_immatriculation("AB-123-CD").await.unwrap().unwrap();
    let r = app
        .put_json(
            &format!("{base}/duplicata"),
            &json!({"motif": "perte", "personne_concernee": "titulaire", "cas_particulier": true}),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etape"], "recapitulatif");
    // Taxes d'un duplicata : Y4 11 € et Y5 2,76 €, pas de taxe régionale.
    assert_eq!(r.json()["taxes"], json!({"y1": 0, "y2": 0, "y3": 0, "y4": 1100, "y5": 276}));
    // CLU non cochées : refus au champ.
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": []}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "clu");
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    assert_eq!(r.json()["etat"], "a_payer", "{}", r.text());
    let d = payer_et_terminer(&app, &base, &cookie).await;
    assert_eq!(d["etat"], "terminee", "{d}");
    assert_eq!(d["details"]["cpi"]["immatriculation"], "AB-123-CD");
    assert!(d["details"]["cpi"]["ancienne_immatriculation"].is_null());
    // Un nouveau certificat : un autre numéro de formule, le même titulaire.
    let apres = app.repo.vehicule_par_immatriculation("AB-123-CD").await.unwrap().unwrap();
    assert_ne!(apres.numero_formule, avant.numero_formule);
    assert_eq!(apres.compte_id, avant.compte_id);
    let pdf = app.get(&format!("{base}/documents/certificat-provisoire-immatriculation.pdf"), Some(&cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF"));
    // Le titulaire est figé sur le CPI à son émission.
    assert_eq!(d["details"]["titulaire_au_cpi"]["titulaire"]["nom"], "PAUL", "{d}");
    // Le nouveau certificat vient avec un nouveau code confidentiel : l'ancien
    // ne sert plus, et le compteur des changements d'adresse repart de zéro.
    assert_eq!(apres.code_confidentiel_version, avant.code_confidentiel_version + 1);
    assert_eq!(apres.changements_adresse, 0);
    // Le courrier du nouveau certificat part, une fois, chez le titulaire,
    // avec un nouveau code (masqué dans la boîte d'envoi) qui attend son
    // premier usage.
    let envois = app.repo.envois().await.unwrap();
    let courriers: Vec<_> = envois.iter().filter(|e| e.objet.starts_with("Votre nouveau certificat d'immatriculation")).collect();
    assert_eq!(courriers.len(), 1, "{courriers:?}");
    assert_eq!(courriers[0].destinataire, "JULIEN PAUL\n12 RUE DE LA REPUBLIQUE\n69002 LYON");
    assert!(courriers[0].corps.contains("code confidentiel de ce nouveau certificat : ••••-••"), "{}", courriers[0].corps);
    assert_eq!(app.repo.codes_en_attente(apres.id, app.state.now()).await.unwrap().len(), 1);
    // Le vérifier une seconde fois n'émet rien de plus.
    payer_et_terminer_encore(&app, &base, &cookie).await;
    let n = app.repo.envois().await.unwrap().iter().filter(|e| e.objet.starts_with("Votre nouveau certificat")).count();
    assert_eq!(n, 1);
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "changement_adresse", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD", "code_confidentiel": "AB2C-D3EF"}),
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["champs"][0]["champ"], "code_confidentiel");
}

/// Un compte certifié démarre « pour moi-même » sans code confidentiel : la
/// version du registre lue au démarrage est gardée quand même. Le véhicule
/// cédé entre-temps, le duplicata ne se paie plus.
#[tokio::test]
async fn duplicata_sans_code_ne_se_paie_plus_apres_la_cession() {
    let app = common::spawn().await;
    let marie = app.login("marie.dupont@demo.immat.fr").await;
    let demarrage = |tp: &str| json!({"teleprocedure": tp, "pour_qui": "moi_meme", "immatriculation": "EF-789-GH"});
    let r = app.post_json("/api/v1/demarches", &demarrage("duplicata"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let r = app.put_json(&format!("{base}/duplicata"), &json!({"motif": "perte", "personne_concernee": "titulaire"}), &marie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.json()["etat"], "a_payer", "{}", r.text());
    // Marie déclare la cession du véhicule.
    let r = app.post_json("/api/v1/demarches", &demarrage("cession"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let cession = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let acquereur = json!({
        "acquereur": {"type_personne": "physique", "nom": "Martin", "prenoms": "Paul", "date_naissance": "02/05/1985"},
        "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"},
        "date_cession": app.state.now().date().to_string(), "heure_cession": "09:00"
    });
    assert_eq!(app.put_json(&format!("{cession}/cession"), &acquereur, &marie).await.status, StatusCode::OK);
    assert_eq!(app.put_json(&format!("{cession}/verification"), &json!({"accepter": true}), &marie).await.status, StatusCode::OK);
    let r = app.post_json(&format!("{cession}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Le duplicata ne se paie plus : rien n'est créé chez le prestataire.
    let r = app.post_json(&format!("{base}/paiements"), &json!({}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let numero = base.rsplit('/').next().unwrap();
    let d = app.repo.demarche_par_numero(numero).await.unwrap().unwrap();
    assert!(app.repo.paiements_de(d.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn duplicata_d_un_vehicule_fni_donne_un_numero_siv() {
    let app = common::spawn().await;
    let cookie = app.login(JULIEN).await;
    let base = demarrer(&app, &cookie, "123 ABC 75", "NP6Q-R7ST").await;
    let r =
        app.put_json(&format!("{base}/duplicata"), &json!({"motif": "deterioration", "personne_concernee": "titulaire"}), &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    let d = payer_et_terminer(&app, &base, &cookie).await;
    assert_eq!(d["details"]["cpi"]["ancienne_immatriculation"], "123 ABC 75");
    let nouveau = d["details"]["cpi"]["immatriculation"].as_str().unwrap();
    assert_eq!(immat_domain::Immatriculation::parse(nouveau).unwrap().kind(), immat_domain::TypeImmatriculation::Siv);
    assert!(app.repo.vehicule_par_immatriculation("123 ABC 75").await.unwrap().is_none());
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    assert!(e["vehicules"].as_array().unwrap().iter().any(|v| v["immatriculation"] == nouveau));
}

/// Une saisie refusée (un mandataire « pour moi-même ») est gardée telle
/// quelle, l'erreur au champ.
#[tokio::test]
async fn saisie_refusee_gardee_erreur_au_champ() {
    let app = common::spawn().await;
    let cookie = app.login(JULIEN).await;
    let base = demarrer(&app, &cookie, "AB-123-CD", "AB2C-D3EF").await;
    let r = app.put_json(&format!("{base}/duplicata"), &json!({"motif": "vol", "personne_concernee": "mandataire"}), &cookie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "personne_concernee");
    let d = app.get(&base, Some(&cookie)).await.json();
    assert_eq!(d["details"]["saisie"]["personne_concernee"], "mandataire");
    assert_eq!(d["details"]["saisie"]["motif"], "vol");
    assert_eq!(d["etape"], "saisie");
}

/// Une tentative tombée (écrite sans opération depuis plus d'une minute) ne
/// reçoit plus l'opération d'un prestataire lent : personne n'est envoyé
/// payer une tentative que le service ne suit plus.
#[tokio::test]
async fn tentative_abandonnee_ne_recoit_plus_d_operation() {
    let app = common::spawn().await;
    let cookie = app.login(JULIEN).await;
    let base = demarrer(&app, &cookie, "AB-123-CD", "AB2C-D3EF").await;
    let numero = base.rsplit('/').next().unwrap();
    let d = app.repo.demarche_par_numero(numero).await.unwrap().unwrap();
    let t = app.repo.creer_paiement(d.id, numero, 1376).await.unwrap();
    let ecrit = app.repo.regler_paiement(t.id, immat_domain::paiement::EtatPaiement::Abandonne, None, None, app.state.now()).await.unwrap();
    assert!(ecrit);
    assert!(app.repo.attacher_idop(t.id, "OP-LENTE").await.is_err());
    assert!(app.repo.paiement_par_idop("OP-LENTE").await.unwrap().is_none());
}
