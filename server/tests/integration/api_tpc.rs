//! La téléprocédure complémentaire (TPC) : l'exemple du support (un
//! véhicule jamais immatriculé en France) de bout en bout, un véhicule
//! diplomatique sans pièce, une précision demandée par le CERT, le compte
//! classique refusé, la TPC pour autrui qui ne montre rien du registre, les
//! pièces d'une autre sous-catégorie refusées, la limite des brouillons.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

const JULIEN: &str = "julien.paul@demo.immat.fr";
const GARAGE: &str = "garage.central@demo.immat.fr";
const MARIE: &str = "marie.dupont@demo.immat.fr";
const AGENT: &str = "agent.cert@demo.immat.fr";
const CLU: [&str; 3] = ["exactitude", "sanctions", "donnees"];

fn pdf(texte: &str) -> Vec<u8> {
    let mut p = immat_server::documents::Pdf::new("Pièce justificative", "pied").unwrap();
    p.para(texte);
    p.finish().unwrap()
}

fn tpc(categorie: &str, sous_categorie: &str, pour_qui: &str, immatriculation: &str) -> Value {
    json!({
        "teleprocedure": "complementaire", "pour_qui": pour_qui, "immatriculation": immatriculation,
        "motif": {"categorie": categorie, "sous_categorie": sous_categorie}
    })
}

async fn demarrer(app: &TestApp, cookie: &str, corps: &Value) -> String {
    let r = app.post_json("/api/v1/demarches", corps, Some(cookie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap())
}

fn saisie_etranger() -> Value {
    json!({
        "objet": "Immatriculer en France ma Golf achetée d'occasion en Allemagne.",
        "titulaire": {
            "nom": "Dupont", "prenoms": "Marie", "date_naissance": "02/02/1980",
            "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "rennes"}
        },
        "vehicule": {
            "vin": "WVWZZZ1KZ9W000001", "marque": "Volkswagen", "modele": "Golf",
            "genre": "vp", "energie": "essence", "puissance_cv": "6", "date_premiere_immatriculation": "15/06/2019"
        }
    })
}

fn champs(r: &common::Resp) -> Vec<String> {
    let j = r.json();
    j["champs"].as_array().map(|a| a.iter().map(|c| c["champ"].as_str().unwrap().to_owned()).collect()).unwrap_or_default()
}

fn numero(base: &str) -> &str {
    base.rsplit('/').next().unwrap()
}

#[tokio::test]
async fn vehicule_jamais_immatricule_en_france_de_bout_en_bout() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    // Pas de numéro : le véhicule n'est pas encore immatriculé en France.
    let r = app.post_json("/api/v1/demarches", &tpc("premiere_immatriculation", "vehicule_etranger", "moi_meme", ""), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert!(d["vehicule"].is_null());
    assert_eq!(d["details"]["motif"]["sous_categorie"], "vehicule_etranger");
    let base = format!("/api/v1/demarches/{}", d["numero"].as_str().unwrap());

    // Parties 1 et 2 remplies, sans les pièces : « Démarrer la procédure »
    // est refusé, pièce par pièce ; la saisie est gardée.
    let r = app.put_json(&format!("{base}/complementaire"), &saisie_etranger(), &marie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        champs(&r),
        [
            "piece_justificatif_adresse",
            "piece_justificatif_vente_propriete",
            "piece_justificatif_fiscal_import",
            "piece_ci_etranger_propriete"
        ]
    );
    let d = app.get(&base, Some(&marie)).await.json();
    assert_eq!(d["etape"], "saisie");
    assert_eq!(d["details"]["saisie"]["vehicule"]["marque"], "Volkswagen");
    assert_eq!(d["details"]["demande"]["titulaire"]["adresse"]["commune"], "RENNES", "commune reconnue");

    // Une pièce d'une autre sous-catégorie : refusée.
    let r = app.post_fichier(&format!("{base}/pieces/piece_correction?nom=x.pdf"), pdf("x"), &marie).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    // Les pièces du mandant ne sont pas demandées pour soi-même.
    let r = app.post_fichier(&format!("{base}/pieces/cerfa_13757?nom=x.pdf"), pdf("x"), &marie).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    let types = ["justificatif_adresse", "justificatif_vente_propriete", "justificatif_fiscal_import", "ci_etranger_propriete"];
    for t in types {
        let r = app.post_fichier(&format!("{base}/pieces/{t}?nom={t}.pdf"), pdf(t), &marie).await;
        assert_eq!(r.status, StatusCode::OK, "{t} : {}", r.text());
    }
    // Chaque pièce jointe : « Démarrer la procédure » mène au récapitulatif.
    let r = app.put_json(&format!("{base}/complementaire"), &saisie_etranger(), &marie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["etape"], "recapitulatif");
    // Première immatriculation, 6 CV en Bretagne (60 €/CV), moins de 10 ans :
    // Y1 360 €, Y4 11 €, Y5 2,76 € ; le malus n'est pas calculé.
    assert_eq!(d["taxes"], json!({"y1": 36000, "y2": 0, "y3": 0, "y4": 1100, "y5": 276}));
    let libelles: Vec<&str> =
        d["instruction"]["pieces_requises"].as_array().unwrap().iter().map(|p| p["libelle"].as_str().unwrap()).collect();
    assert_eq!(libelles[2], "justificatif fiscal");
    assert_eq!(libelles.iter().filter(|l| l.starts_with("certificat d'immatriculation étranger")).count(), 1, "{libelles:?}");

    // « Valider » : en attente du CERT.
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etat"], "en_attente_cert");
    // Le récapitulatif de ce qui a été envoyé se télécharge dès « Valider ».
    let r = app.get(&format!("{base}/documents/recapitulatif.pdf"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.body.starts_with(b"%PDF-"));

    // La file du CERT : la TPC, sans immatriculation ; son dossier, ses pièces.
    let agent = app.login(AGENT).await;
    let file = app.get("/api/v1/cert/demarches?teleprocedure=complementaire", Some(&agent)).await.json();
    let n = numero(&base);
    let ligne = file["demarches"].as_array().unwrap().iter().find(|l| l["numero"] == n).expect("dans la file").clone();
    assert!(ligne["immatriculation"].is_null());
    assert_eq!(ligne["teleprocedure"], "complementaire");
    let cert = format!("/api/v1/cert/demarches/{n}");
    let dossier = app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await.json();
    let pieces: Vec<i64> = dossier["pieces"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(pieces.len(), 4);
    // Accepter la demande avant ses pièces : refusé.
    let r = app.post_json(&format!("{cert}/accepter"), &json!({}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    for (i, id) in pieces.iter().enumerate() {
        let r = app.post_json(&format!("{cert}/accepter"), &json!({"piece_id": id}), Some(&agent)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let attendu = if i + 1 == pieces.len() { "a_payer" } else { "en_attente_cert" };
        assert_eq!(r.json()["demarche"]["etat"], attendu);
    }

    // Payée par carte : terminée, récapitulatif PDF.
    let p = app.post_json(&format!("{base}/paiements"), &json!({}), Some(&marie)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let idop = p.json()["url"].as_str().unwrap().rsplit('=').next().unwrap().to_owned();
    let page = app
        .post_form("/payfip/paiement", &[("idop", &idop), ("numero", "4111111111111111"), ("expiration", "12/30"), ("cryptogramme", "123")])
        .await;
    assert!(page.text().contains("373,76"), "{}", page.text());
    let d = app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&marie)).await.json();
    assert_eq!(d["etat"], "terminee", "{d}");
    let urls: Vec<&str> = d["documents"].as_array().unwrap().iter().map(|x| x["url"].as_str().unwrap()).collect();
    assert_eq!(urls, [format!("{base}/documents/recapitulatif.pdf")]);
    let r = app.get(&format!("{base}/documents/recapitulatif.pdf"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with(b"%PDF"));
}

/// « … à l'exception des TPC qui concernent des véhicules diplomatiques » :
/// aucune pièce, mais le CERT l'examine ; il demande une précision sans
/// pièce, l'usager répond, le CERT accepte ; rien à payer.
#[tokio::test]
async fn vehicule_diplomatique_sans_piece_et_precision_demandee() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let base = demarrer(&app, &marie, &tpc("corriger_erreur", "correction_situation", "moi_meme", "EF-789-GH")).await;
    let d = app.get(&base, Some(&marie)).await.json();
    assert_eq!(d["vehicule"]["immatriculation"], "EF-789-GH", "son propre véhicule : le registre est montré");
    let mut s = saisie_etranger();
    s["objet"] = json!("Lever une mention erronée sur un véhicule du corps diplomatique.");
    s["vehicule_diplomatique"] = json!(true);
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["etape"], "recapitulatif");
    let obligatoires: Vec<&Value> =
        d["instruction"]["pieces_requises"].as_array().unwrap().iter().filter(|p| p["obligatoire"] == true).collect();
    assert!(obligatoires.is_empty(), "{obligatoires:?}");
    assert!(d["details"]["demande"]["vehicule"].is_null(), "pas de caractéristiques hors première immatriculation");
    assert_eq!(d["taxes"], json!({"y1": 0, "y2": 0, "y3": 0, "y4": 0, "y5": 0}));
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.json()["etat"], "en_attente_cert", "{}", r.text());

    let agent = app.login(AGENT).await;
    let cert = format!("/api/v1/cert/demarches/{}", numero(&base));
    app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await;
    let message = "Précisez la mention à lever.";
    let r = app.post_json(&format!("{cert}/correction"), &json!({"motif": "incomplete", "message": message}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["demarche"]["etat"], "correction_demandee");
    let d = app.get(&base, Some(&marie)).await.json();
    let note = d["instruction"]["echanges"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((note["action"].as_str(), note["message"].as_str()), (Some("correction_demandee"), Some(message)));
    let r = app.post_json(&format!("{base}/envoyer"), &json!({"message": "La mention « gage » inscrite par erreur."}), Some(&marie)).await;
    assert_eq!(r.json()["etat"], "en_attente_cert", "{}", r.text());
    app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await;
    let r = app.post_json(&format!("{cert}/accepter"), &json!({}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["demarche"]["etat"], "terminee");
    let r = app.get(&format!("{base}/documents/recapitulatif.pdf"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn compte_certifie_seulement_et_motif_exige() {
    let app = common::spawn().await;
    let julien = app.login(JULIEN).await;
    let r = app.post_json("/api/v1/demarches", &tpc("question", "champ_libre", "moi_meme", ""), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("certifié"), "{}", r.text());
    let marie = app.login(MARIE).await;
    let r = app.post_json("/api/v1/demarches", &tpc("question", "", "moi_meme", ""), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(champs(&r), ["motif.sous_categorie"]);
    // Une sous-catégorie qui concerne un véhicule immatriculé : le numéro.
    let r = app.post_json("/api/v1/demarches", &tpc("corriger_erreur", "correction_vehicule", "moi_meme", ""), Some(&marie)).await;
    assert_eq!(champs(&r), ["immatriculation"]);
    // Pour soi-même, le véhicule d'un autre : refusé comme ailleurs.
    let r = app.post_json("/api/v1/demarches", &tpc("corriger_erreur", "correction_vehicule", "moi_meme", "AB-123-CD"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Aucun véhicule de votre compte"));
}

/// Pour autrui, sans code confidentiel : la démarche ne montre rien du
/// registre (ni titulaire, ni adresse, ni caractéristiques) ; les pièces
/// du mandant sont demandées.
#[tokio::test]
async fn pour_autrui_rien_du_registre_et_pieces_du_mandant() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let base = demarrer(&app, &marie, &tpc("corriger_erreur", "correction_titulaire", "autrui", "AB-123-CD")).await;
    let r = app.get(&base, Some(&marie)).await;
    let texte = r.text().to_uppercase();
    assert!(r.json()["vehicule"].is_null());
    for secret in ["PAUL", "CLIO", "VF1RFB00012345678"] {
        assert!(!texte.contains(secret), "{secret} dans {texte}");
    }
    let mut s = saisie_etranger();
    s["objet"] = json!("Corriger le prénom du titulaire.");
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    assert_eq!(champs(&r), ["piece_identite_mandant", "piece_cerfa_13757", "piece_piece_correction_nominative"]);
    // Reprendre la même demande ; une autre demande sur ce véhicule : non.
    let r = app.post_json("/api/v1/demarches", &tpc("corriger_erreur", "correction_titulaire", "autrui", "AB-123-CD"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap()), base);
    let r = app.post_json("/api/v1/demarches", &tpc("justificatif", "csa_detaille", "autrui", "AB-123-CD"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
}

/// Au plus dix TPC en cours par compte, même sous vingt démarrages
/// simultanés ; avec un véhicule, la limite compte aussi.
#[tokio::test]
async fn dix_brouillons_sans_vehicule_au_plus_meme_en_parallele() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let corps = tpc("question", "champ_libre", "moi_meme", "");
    let reponses = futures::future::join_all((0..20).map(|_| app.post_json("/api/v1/demarches", &corps, Some(&marie)))).await;
    let creees = reponses.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refusees = reponses.iter().filter(|r| r.status == StatusCode::CONFLICT).count();
    assert_eq!((creees, refusees), (10, 10));
    let espace = app.get("/api/v1/espace", Some(&marie)).await.json();
    let autres = espace["autres_demarches"].as_array().unwrap().iter().filter(|d| d["teleprocedure"] == "complementaire").count();
    assert_eq!(autres, 10);
    let r = app.post_json("/api/v1/demarches", &tpc("corriger_erreur", "correction_vehicule", "moi_meme", "EF-789-GH"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
}

/// Pour autrui, les taxes calculées sur le véhicule inscrit (puissance,
/// âge, région du titulaire) ne se montrent qu'après l'acceptation du CERT ;
/// la situation du véhicule (volé) ne se révèle pas non plus.
#[tokio::test]
async fn pour_autrui_ni_taxes_ni_situation_du_registre_avant_le_cert() {
    let app = common::spawn().await;
    let garage = app.login(GARAGE).await;
    let base = demarrer(&app, &garage, &tpc("situation_personnelle", "deces_heritage", "autrui", "AB-123-CD")).await;
    let d = app.get(&base, Some(&garage)).await.json();
    assert_eq!(d["taxes"], json!({"y1": 0, "y2": 0, "y3": 0, "y4": 0, "y5": 0}));
    assert_eq!(d["taxes_masquees"], true);
    assert!(d["regle_y1"].is_null());
    // Un véhicule volé : la démarche s'ouvre sans le dire (le CERT contrôle).
    let r = app.post_json("/api/v1/demarches", &tpc("corriger_erreur", "correction_titulaire", "autrui", "JK-567-LM"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(!r.text().contains("vol"), "{}", r.text());
    // Pour soi-même, la situation compte : un véhicule volé ne démarre pas.
    let marie = app.login(MARIE).await;
    let r =
        app.post_json("/api/v1/demarches", &tpc("corriger_erreur", "correction_titulaire", "moi_meme", "JK-567-LM"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
}

/// Une demande revenue à la saisie (une pièce désormais obligatoire manque)
/// ne se valide pas ; un domicile hors du SIV est dit au code postal.
#[tokio::test]
async fn pas_de_validation_sans_les_pieces_ni_hors_du_siv() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let base = demarrer(&app, &marie, &tpc("situation_vehicule", "modification_technique", "moi_meme", "EF-789-GH")).await;
    let mut s = saisie_etranger();
    s["vehicule_diplomatique"] = json!(true);
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    assert_eq!(r.json()["etape"], "recapitulatif", "{}", r.text());
    s["vehicule_diplomatique"] = json!(false);
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    assert_eq!(champs(&r), ["piece_piece_modification_technique"]);
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(app.get(&base, Some(&marie)).await.json()["etat"], "brouillon");

    let base = demarrer(&app, &marie, &tpc("premiere_immatriculation", "vehicule_etranger", "moi_meme", "")).await;
    let mut s = saisie_etranger();
    s["titulaire"]["adresse"] = json!({"voie": "1 rue du Port", "code_postal": "97500", "commune": "Saint-Pierre"});
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(champs(&r), ["adresse.code_postal"]);
    // La démarche se relit toujours, la saisie gardée.
    let d = app.get(&base, Some(&marie)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
    assert_eq!(d.json()["details"]["saisie"]["titulaire"]["adresse"]["commune"], "Saint-Pierre");
}

/// Une précision demandée sans pièce appelle une réponse écrite ; une pièce
/// facultative envoyée doit être contrôlée avant que la demande soit acceptée.
#[tokio::test]
async fn precision_sans_piece_reponse_ecrite_et_pieces_facultatives_controlees() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let base = demarrer(&app, &marie, &tpc("premiere_immatriculation", "vehicule_neuf", "moi_meme", "")).await;
    let mut s = saisie_etranger();
    s["vehicule"]["date_premiere_immatriculation"] = json!("");
    // Le justificatif fiscal, envoyé puis rendu facultatif (la case décochée).
    for t in ["justificatif_adresse", "cerfa_13749", "justificatif_vente", "certificat_conformite", "justificatif_fiscal"] {
        let r = app.post_fichier(&format!("{base}/pieces/{t}?nom={t}.pdf"), pdf(t), &marie).await;
        assert_eq!(r.status, StatusCode::OK, "{t} : {}", r.text());
    }
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    assert_eq!(r.json()["etape"], "recapitulatif", "{}", r.text());
    // Un véhicule neuf : Y1 plein (immatriculé pour la première fois ce jour).
    assert_eq!(r.json()["taxes"]["y1"], 36000);
    app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    let agent = app.login(AGENT).await;
    let cert = format!("/api/v1/cert/demarches/{}", numero(&base));
    let dossier = app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await.json();
    let pieces = dossier["pieces"].as_array().unwrap().clone();
    assert_eq!(pieces.len(), 5);
    let fiscal = pieces.iter().find(|p| p["type_piece"] == "justificatif_fiscal").unwrap()["id"].as_i64().unwrap();
    for p in pieces.iter().filter(|p| p["type_piece"] != "justificatif_fiscal") {
        let r = app.post_json(&format!("{cert}/accepter"), &json!({"piece_id": p["id"]}), Some(&agent)).await;
        assert_eq!(r.json()["demarche"]["etat"], "en_attente_cert", "la pièce facultative attend : {}", r.text());
    }
    let r = app.post_json(&format!("{cert}/accepter"), &json!({}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = app.post_json(&format!("{cert}/accepter"), &json!({"piece_id": fiscal}), Some(&agent)).await;
    assert_eq!(r.json()["demarche"]["etat"], "a_payer", "{}", r.text());

    // Une précision sans pièce (sur une autre demande) : réponse écrite exigée.
    let base = demarrer(&app, &marie, &tpc("question", "champ_libre", "moi_meme", "")).await;
    let mut s = saisie_etranger();
    s["objet"] = json!("Ma carte grise porte-t-elle la bonne adresse ?");
    app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    let cert = format!("/api/v1/cert/demarches/{}", numero(&base));
    app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await;
    let r = app.post_json(&format!("{cert}/correction"), &json!({"motif": "incomplete", "message": "Quel véhicule ?"}), Some(&agent)).await;
    assert_eq!(r.json()["demarche"]["etat"], "correction_demandee", "{}", r.text());
    let r = app.post_json(&format!("{base}/envoyer"), &json!({"message": "  "}), Some(&marie)).await;
    assert_eq!(champs(&r), ["message"]);
    let r = app.post_json(&format!("{base}/envoyer"), &json!({"message": "EF-789-GH."}), Some(&marie)).await;
    assert_eq!(r.json()["etat"], "en_attente_cert", "{}", r.text());
}

/// Chacune des 23 sous-catégories du support se démarre, se remplit et
/// s'envoie au CERT, pour soi-même et pour autrui : le numéro là où le motif
/// le demande, les pièces que le serveur exige (refusées d'abord sans elles).
#[tokio::test]
async fn chaque_sous_categorie_demarre_se_remplit_et_part_au_cert() {
    let mut envoyees = 0;
    for c in &immat_domain::tpc::CATALOGUE {
        for sc in c.sous_categories {
            for pour_qui in ["moi_meme", "autrui"] {
                let app = common::spawn().await;
                let marie = app.login(MARIE).await;
                let plaque = if immat_domain::tpc::concerne_un_vehicule_immatricule(c.code, sc) {
                    if pour_qui == "moi_meme" {
                        "EF-789-GH"
                    } else {
                        "AB-123-CD"
                    }
                } else {
                    ""
                };
                let base = demarrer(&app, &marie, &tpc(c.code, sc.code, pour_qui, plaque)).await;
                let mut s = saisie_etranger();
                if sc.code == "vehicule_neuf" {
                    s["vehicule"]["date_premiere_immatriculation"] = json!("");
                }
                if sc.code == "retrait_remise_circulation" {
                    s["operation_circulation"] = json!("retrait");
                }
                // Sans pièce : refusé au champ de chaque pièce manquante.
                let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
                let manquantes: Vec<String> = champs(&r).into_iter().filter_map(|c| c.strip_prefix("piece_").map(str::to_owned)).collect();
                // Le support : seuls trois justificatifs simples ne demandent
                // aucune pièce ; pour autrui, toujours le mandat.
                let sans_piece = ["csa_detaille", "autre_justificatif", "champ_libre"].contains(&sc.code);
                if pour_qui == "autrui" {
                    assert_eq!(manquantes[..2], ["identite_mandant".to_owned(), "cerfa_13757".to_owned()], "{}", sc.code);
                    assert_eq!(manquantes.len() == 2, sans_piece, "{} : {manquantes:?}", sc.code);
                } else {
                    assert_eq!(manquantes.is_empty(), sans_piece, "{} : {manquantes:?}", sc.code);
                }
                for t in &manquantes {
                    let r = app.post_fichier(&format!("{base}/pieces/{t}?nom={t}.pdf"), pdf(t), &marie).await;
                    assert_eq!(r.status, StatusCode::OK, "{} {t} : {}", sc.code, r.text());
                }
                let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
                assert_eq!(r.json()["etape"], "recapitulatif", "{} {pour_qui} : {}", sc.code, r.text());
                let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
                assert_eq!(r.json()["etat"], "en_attente_cert", "{} {pour_qui} : {}", sc.code, r.text());
                envoyees += 1;
            }
        }
    }
    assert_eq!(envoyees, 46);
}

/// « Abandonner la demande » : une TPC en cours sur un véhicule en bloque
/// une autre ; abandonnée (une fois), elle libère la place. Une demande chez
/// le CERT ne s'abandonne pas ; celle d'un autre compte est introuvable.
#[tokio::test]
async fn abandonner_une_demande_libere_le_vehicule() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let base = demarrer(&app, &marie, &tpc("corriger_erreur", "correction_vehicule", "moi_meme", "EF-789-GH")).await;
    let autre = tpc("justificatif", "csa_detaille", "moi_meme", "EF-789-GH");
    let r = app.post_json("/api/v1/demarches", &autre, Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let julien = app.login(JULIEN).await;
    assert_eq!(app.post_json(&format!("{base}/abandonner"), &json!({}), Some(&julien)).await.status, StatusCode::NOT_FOUND);
    let r = app.post_json(&format!("{base}/abandonner"), &json!({}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(app.get(&base, Some(&marie)).await.json()["etat"], "abandonnee");
    assert_eq!(app.post_json(&format!("{base}/abandonner"), &json!({}), Some(&marie)).await.status, StatusCode::CONFLICT);
    assert_eq!(app.put_json(&format!("{base}/complementaire"), &saisie_etranger(), &marie).await.status, StatusCode::CONFLICT);
    let base = demarrer(&app, &marie, &autre).await;
    app.put_json(&format!("{base}/complementaire"), &saisie_etranger(), &marie).await;
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.json()["etat"], "en_attente_cert", "{}", r.text());
    assert_eq!(app.post_json(&format!("{base}/abandonner"), &json!({}), Some(&marie)).await.status, StatusCode::CONFLICT);
}

/// « retrait ou remise en circulation » : le cerfa de l'opération choisie,
/// pas les deux.
#[tokio::test]
async fn retrait_ou_remise_en_circulation_le_cerfa_de_l_operation_choisie() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let base = demarrer(&app, &marie, &tpc("situation_vehicule", "retrait_remise_circulation", "moi_meme", "EF-789-GH")).await;
    let mut s = saisie_etranger();
    // Sans opération : l'erreur à son champ.
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(champs(&r).contains(&"operation_circulation".to_owned()), "{}", r.text());
    // Remise en circulation : le seul cerfa 13750.
    s["operation_circulation"] = json!("remise_en_circulation");
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    let pieces: Vec<String> = champs(&r).into_iter().filter(|c| c.starts_with("piece_")).collect();
    assert_eq!(pieces, ["piece_cerfa_13750"], "{}", r.text());
    let r = app.post_fichier(&format!("{base}/pieces/cerfa_13750?nom=cerfa.pdf"), pdf("cerfa"), &marie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.put_json(&format!("{base}/complementaire"), &s, &marie).await;
    assert_eq!(r.json()["etape"], "recapitulatif", "{}", r.text());
    let libelles: Vec<String> = r.json()["instruction"]["pieces_requises"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["obligatoire"] == true)
        .map(|p| p["libelle"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(libelles, ["demande de remise en circulation (cerfa 13750)"]);
    assert_eq!(r.json()["details"]["demande"]["operation_circulation"], "remise_en_circulation");
}
