//! Le mode itératif (le scénario du support : Julien PAUL, certificat volé,
//! déclaration de vol refusée comme illisible, renvoyée, acceptée, payée),
//! les contrôles des pièces jointes par leur contenu, et le back office du
//! CERT (prise en charge par un seul agent, actions, historique).

use crate::common;

use axum::http::{header, StatusCode};
use common::TestApp;
use serde_json::{json, Value};

const JULIEN: &str = "julien.paul@demo.immat.fr";
const MARIE: &str = "marie.dupont@demo.immat.fr";
const AGENT: &str = "agent.cert@demo.immat.fr";
const AGENT2: &str = "agent2.cert@demo.immat.fr";
const CLU: [&str; 3] = ["exactitude", "sanctions", "donnees"];

/// Un vrai PDF d'une page (le générateur du serveur).
fn pdf(texte: &str) -> Vec<u8> {
    let mut p = immat_server::documents::Pdf::new("Récépissé de déclaration de vol", "pied").unwrap();
    p.para(texte);
    p.finish().unwrap()
}

/// Julien démarre un duplicata pour vol de AB-123-CD (vol non enregistré) et
/// arrive au récapitulatif. Rend la base de l'URL.
async fn julien_vol(app: &TestApp, cookie: &str) -> String {
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "duplicata", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD", "code_confidentiel": "AB2C-D3EF"}),
            Some(cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let r = app.put_json(&format!("{base}/duplicata"), &json!({"motif": "vol", "personne_concernee": "titulaire"}), cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["etape"], "recapitulatif");
    assert_eq!(d["details"]["demande"]["declaration_de_vol"], true);
    let requise = &d["instruction"]["pieces_requises"][0];
    assert_eq!(requise["type_piece"], "declaration_vol");
    assert!(requise["piece"].is_null());
    base
}

fn piece_url(base: &str) -> String {
    format!("{base}/pieces/declaration_vol?nom=declaration-vol.pdf")
}

fn champ(r: &common::Resp) -> (String, String) {
    let j = r.json();
    (j["champs"][0]["champ"].as_str().unwrap_or_default().to_owned(), j["champs"][0]["message"].as_str().unwrap_or_default().to_owned())
}

fn numero(base: &str) -> &str {
    base.rsplit('/').next().unwrap()
}

fn actions(dossier: &Value) -> Vec<String> {
    dossier["historique"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn mode_iteratif_de_julien_paul_de_bout_en_bout() {
    let app = common::spawn().await;
    let julien = app.login(JULIEN).await;
    let base = julien_vol(&app, &julien).await;
    let n = numero(&base).to_owned();

    // « Transmission de la déclaration et certificat de situation
    // administrative » : le CSA est disponible avant l'envoi.
    let csa = app.get(&format!("{base}/documents/certificat-situation-administrative.pdf"), Some(&julien)).await;
    assert_eq!(csa.status, StatusCode::OK, "{}", csa.text());
    assert!(csa.body.starts_with(b"%PDF"));

    // « Valider » sans la déclaration : erreur au champ de la pièce.
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(champ(&r).0, "piece_declaration_vol");

    // La déclaration envoyée, « Valider » met la demande en attente du CERT.
    let r = app.post_fichier(&piece_url(&base), pdf("Déclaration de vol — photo floue"), &julien).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let piece = &r.json()["instruction"]["pieces_requises"][0]["piece"];
    assert_eq!(piece["statut"], "deposee");
    assert_eq!(piece["nom"], "declaration-vol.pdf");
    assert_eq!(piece["format"], "pdf");
    let premiere = piece["id"].as_i64().unwrap();
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etat"], "en_attente_cert");
    // En attente : plus d'envoi de pièce, pas de paiement, pas de re-validation.
    let r = app.post_fichier(&piece_url(&base), pdf("autre"), &julien).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(app.post_json(&format!("{base}/paiements"), &json!({}), Some(&julien)).await.status, StatusCode::CONFLICT);
    assert_eq!(app.post_json(&format!("{base}/envoyer"), &json!({}), Some(&julien)).await.status, StatusCode::CONFLICT);

    // La file du CERT : la démarche y est, avec son état et son usager.
    let agent = app.login(AGENT).await;
    let file = app.get("/api/v1/cert/demarches?etat=en_attente_cert", Some(&agent)).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.text());
    let file = file.json();
    let ligne = file["demarches"].as_array().unwrap().iter().find(|l| l["numero"] == n.as_str()).expect("dans la file").clone();
    assert_eq!(ligne["usager"], "Julien Paul");
    assert_eq!(ligne["immatriculation"], "AB-123-CD");
    assert!(file["compteurs"].as_array().unwrap().iter().any(|c| c[0] == "en_attente_cert" && c[1] == 1), "{file}");
    let cert = format!("/api/v1/cert/demarches/{n}");

    // Agir sans avoir pris la démarche : refusé.
    let r = app.post_json(&format!("{cert}/accepter"), &json!({"piece_id": premiere}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["pris_par_moi"], true);
    assert_eq!(r.json()["agent"], "Claire Lefèvre");

    // L'agent voit la pièce en ligne (image ou PDF dans le back office),
    // l'usager la télécharge en pièce jointe.
    let vue = app.get(&format!("{cert}/pieces/{premiere}"), Some(&agent)).await;
    assert_eq!(vue.status, StatusCode::OK);
    assert_eq!(vue.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(vue.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline"));
    assert!(vue.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("default-src 'none'"));
    let tel = app.get(&format!("{base}/pieces/declaration_vol/{premiere}"), Some(&julien)).await;
    assert_eq!(tel.status, StatusCode::OK);
    assert!(tel.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    assert_eq!(tel.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(tel.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(tel.body, vue.body);
    // Un autre usager : comme une démarche qui n'existe pas.
    let marie = app.login(MARIE).await;
    assert_eq!(app.get(&format!("{base}/pieces/declaration_vol/{premiere}"), Some(&marie)).await.status, StatusCode::NOT_FOUND);

    // « Demander une correction » : motif et message obligatoires.
    let r = app.post_json(&format!("{cert}/correction"), &json!({"piece_id": premiere, "message": " "}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = "La déclaration de vol est illisible : merci de l'envoyer de nouveau, scannée en entier.";
    let r = app
        .post_json(&format!("{cert}/correction"), &json!({"piece_id": premiere, "motif": "illisible", "message": message}), Some(&agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let dossier = r.json();
    assert_eq!(dossier["demarche"]["etat"], "correction_demandee");
    assert_eq!(dossier["pris_par_moi"], false, "l'action rend la démarche à la file");
    // L'usager est prévenu par e-mail (boîte d'envoi).
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    let mail = envois.as_array().unwrap().iter().find(|e| e["destinataire"] == JULIEN).expect("e-mail à Julien").clone();
    assert!(mail["objet"].as_str().unwrap().contains("correction"), "{mail}");
    assert!(mail["corps"].as_str().unwrap().contains(message));

    // Julien : la « Note du CERT », sans le nom de l'agent.
    let d = app.get(&base, Some(&julien)).await.json();
    assert_eq!(d["etat"], "correction_demandee");
    let note =
        d["instruction"]["echanges"].as_array().unwrap().iter().rev().find(|e| e["action"] == "correction_demandee").unwrap().clone();
    assert_eq!(note["message"], message);
    assert_eq!(note["motif"], "illisible");
    assert!(note["agent"].is_null());
    assert_eq!(d["instruction"]["pieces_requises"][0]["piece"]["statut"], "refusee");
    // « Envoyer » sans nouvelle pièce : la pièce refusée doit être remplacée.
    let r = app.post_json(&format!("{base}/envoyer"), &json!({"message": "Voici."}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(champ(&r).0, "piece_declaration_vol");
    // La nouvelle version, puis « Envoyer » avec une réponse.
    let r = app.post_fichier(&piece_url(&base), pdf("Déclaration de vol — scan complet"), &julien).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let seconde = r.json()["instruction"]["pieces_requises"][0]["piece"]["id"].as_i64().unwrap();
    assert_ne!(seconde, premiere);
    let r = app.post_json(&format!("{base}/envoyer"), &json!({"message": "Voici la déclaration scannée en entier."}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etat"], "en_attente_cert");

    // Le CERT accepte la nouvelle pièce : la demande est à payer.
    app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await;
    // L'ancienne version n'est plus à contrôler.
    let r = app.post_json(&format!("{cert}/accepter"), &json!({"piece_id": premiere}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = app.post_json(&format!("{cert}/accepter"), &json!({"piece_id": seconde}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let dossier = r.json();
    assert_eq!(dossier["demarche"]["etat"], "a_payer");
    // Toutes les versions restent au dossier, avec leur statut.
    let statuts: Vec<_> = dossier["pieces"].as_array().unwrap().iter().map(|p| p["statut"].as_str().unwrap().to_owned()).collect();
    assert_eq!(statuts, ["remplacee", "acceptee"]);
    // La piste d'audit : chaque action, son auteur, son message.
    assert_eq!(
        actions(&dossier),
        [
            "piece_deposee",
            "envoi_au_cert",
            "prise_en_charge",
            "correction_demandee",
            "piece_deposee",
            "reponse_usager",
            "prise_en_charge",
            "piece_acceptee",
            "demarche_acceptee"
        ]
    );
    let correction = &dossier["historique"][3];
    assert_eq!(correction["agent"], "Claire Lefèvre");
    assert_eq!(correction["auteur"], "cert");
    assert_eq!(correction["message"], message);
    assert_eq!(dossier["historique"][5]["message"], "Voici la déclaration scannée en entier.");
    assert!(!dossier["historique"][0]["le"].as_str().unwrap().is_empty());
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    assert!(envois.as_array().unwrap().iter().any(|e| e["destinataire"] == JULIEN && e["objet"].as_str().unwrap().contains("acceptée")));

    // Julien finalise : paiement, CPI.
    let p = app.post_json(&format!("{base}/paiements"), &json!({}), Some(&julien)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let idop = p.json()["url"].as_str().unwrap().rsplit('=').next().unwrap().to_owned();
    app.post_form("/payfip/paiement", &[("idop", &idop), ("numero", "4111111111111111"), ("expiration", "12/30"), ("cryptogramme", "123")])
        .await;
    let d = app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&julien)).await.json();
    assert_eq!(d["etat"], "terminee", "{d}");
    let cpi = app.get(&format!("{base}/documents/certificat-provisoire-immatriculation.pdf"), Some(&julien)).await;
    assert_eq!(cpi.status, StatusCode::OK);
}

#[tokio::test]
async fn pieces_controlees_par_leur_contenu() {
    let app = common::spawn().await;
    let julien = app.login(JULIEN).await;
    let base = julien_vol(&app, &julien).await;
    // Un exécutable renommé en .pdf.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    exe.extend(std::iter::repeat_n(0u8, 4000));
    let r = app.post_fichier(&piece_url(&base), exe, &julien).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(champ(&r).0, "piece_declaration_vol");
    assert!(champ(&r).1.contains("Formats supportés"), "{}", champ(&r).1);
    // Un PDF tronqué.
    let entier = pdf("Déclaration de vol");
    let r = app.post_fichier(&piece_url(&base), entier[..entier.len() / 2].to_vec(), &julien).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(champ(&r).1.contains("incomplet ou endommagé"), "{}", champ(&r).1);
    // Un fichier de 20 Mo : refusé par la limite de la route, message au champ.
    let mut gros = entier.clone();
    gros.resize(20 * 1024 * 1024, b' ');
    let r = app.post_fichier(&piece_url(&base), gros, &julien).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(champ(&r), ("piece_declaration_vol".into(), "Le fichier dépasse la taille maximale de 10 Mo.".into()));
    // Une image PNG dont l'en-tête annonce 100 000 × 100 000 pixels (une
    // « bombe » de décompression) : refusée avant tout décodage.
    let r = app.post_fichier(&piece_url(&base), png_bombe(), &julien).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(champ(&r).1.contains("trop grande"), "{}", champ(&r).1);
    // Rien n'a été enregistré, la saisie est intacte.
    let d = app.get(&base, Some(&julien)).await.json();
    assert!(d["instruction"]["pieces_requises"][0]["piece"].is_null());
    assert_eq!(d["details"]["saisie"]["motif"], "vol");
    let dossier = app.state.config.data_dir.join("pieces");
    let fichiers = std::fs::read_dir(&dossier).map(|d| d.count()).unwrap_or(0);
    assert_eq!(fichiers, 0, "aucun fichier refusé ne reste sur le disque");
    // Une vraie image PNG est acceptée ; le fichier est stocké sous un nom
    // aléatoire, hors de la racine web, avec son empreinte.
    let r = app.post_fichier(&format!("{base}/pieces/declaration_vol?nom=..%2F..%2Fphoto.png"), png_valide(), &julien).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let piece = r.json()["instruction"]["pieces_requises"][0]["piece"].clone();
    assert_eq!(piece["nom"], "photo.png");
    assert_eq!(piece["format"], "png");
    let noms: Vec<String> = std::fs::read_dir(&dossier).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(noms.len(), 1);
    assert!(noms[0].len() == 32 && noms[0].bytes().all(|b| b.is_ascii_hexdigit()), "{noms:?}");
    assert!(!app.config.data_dir.starts_with(&app.config.dist_dir));
    // Une pièce qu'aucune démarche de ce type ne demande : 404.
    let r = app.post_fichier(&format!("{base}/pieces/mandat"), png_valide(), &julien).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

fn png_valide() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, 64, 48);
        e.set_color(png::ColorType::Rgb);
        let mut w = e.write_header().unwrap();
        w.write_image_data(&vec![200u8; 64 * 48 * 3]).unwrap();
    }
    out
}

fn png_bombe() -> Vec<u8> {
    let mut p = png_valide();
    p[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    p[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let mut crc = 0xFFFF_FFFFu32;
    for &b in &p[12..29] {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    p[29..33].copy_from_slice(&(!crc).to_be_bytes());
    p
}

/// Une démarche en attente, envoyée par Julien ; rend (cookie, base, numéro, id de la pièce).
async fn en_attente(app: &TestApp) -> (String, String, String, i64) {
    let julien = app.login(JULIEN).await;
    let base = julien_vol(app, &julien).await;
    let r = app.post_fichier(&piece_url(&base), pdf("Déclaration de vol"), &julien).await;
    let id = r.json()["instruction"]["pieces_requises"][0]["piece"]["id"].as_i64().unwrap();
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&julien)).await;
    assert_eq!(r.json()["etat"], "en_attente_cert", "{}", r.text());
    let n = numero(&base).to_owned();
    (julien, base, n, id)
}

#[tokio::test]
async fn une_demarche_prise_par_un_agent_n_est_pas_a_l_autre() {
    let app = common::spawn().await;
    let (_, _, n, piece) = en_attente(&app).await;
    let (a1, a2) = (app.login(AGENT).await, app.login(AGENT2).await);
    let cert = format!("/api/v1/cert/demarches/{n}");
    assert_eq!(app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&a1)).await.status, StatusCode::OK);
    // Le second agent ne peut ni la prendre ni agir dessus.
    let r = app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&a2)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    for (action, corps) in [
        ("accepter", json!({"piece_id": piece})),
        ("correction", json!({"piece_id": piece, "motif": "illisible", "message": "Illisible."})),
        ("refuser", json!({"message": "Non.", "confirme": true})),
        ("liberer", json!({})),
    ] {
        let r = app.post_json(&format!("{cert}/{action}"), &corps, Some(&a2)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{action} : {}", r.text());
    }
    let dossier = app.get(&cert, Some(&a2)).await.json();
    assert_eq!(dossier["agent"], "Claire Lefèvre");
    assert_eq!(dossier["pris_par_moi"], false);
    assert_eq!(dossier["demarche"]["etat"], "en_attente_cert");
    assert_eq!(actions(&dossier), ["piece_deposee", "envoi_au_cert", "prise_en_charge"]);
    // Laissée sans action plus de 30 minutes, elle peut être reprise.
    app.clock.advance(time::Duration::minutes(31));
    let r = app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&a2)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["agent"], "Marc Girard");
    let r = app.post_json(&format!("{cert}/accepter"), &json!({"piece_id": piece}), Some(&a1)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deux_agents_prennent_en_meme_temps_un_seul_l_obtient() {
    let app = common::spawn().await;
    let (_, _, n, _) = en_attente(&app).await;
    let (a1, a2) = (app.login(AGENT).await, app.login(AGENT2).await);
    let uri = format!("/api/v1/cert/demarches/{n}/prendre");
    let vide = json!({});
    let (r1, r2) = tokio::join!(app.post_json(&uri, &vide, Some(&a1)), app.post_json(&uri, &vide, Some(&a2)));
    let mut statuts = [r1.status, r2.status];
    statuts.sort();
    assert_eq!(statuts, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", r1.text(), r2.text());
    let dossier = app.get(&format!("/api/v1/cert/demarches/{n}"), Some(&a1)).await.json();
    assert_eq!(actions(&dossier).iter().filter(|a| *a == "prise_en_charge").count(), 1);
}

#[tokio::test]
async fn refus_de_la_demarche_avec_un_message_puis_nouvelle_demande_possible() {
    let app = common::spawn().await;
    let (julien, base, n, _) = en_attente(&app).await;
    let agent = app.login(AGENT).await;
    let cert = format!("/api/v1/cert/demarches/{n}");
    app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await;
    let r = app.post_json(&format!("{cert}/refuser"), &json!({"message": "", "confirme": true}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = "La déclaration ne concerne pas ce véhicule.";
    // Sans confirmation : rien n'est refusé (une pièce illisible se refuse à part).
    let r = app.post_json(&format!("{cert}/refuser"), &json!({"message": message}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["champs"][0]["champ"], "confirme");
    assert!(r.text().contains("Refuser la pièce jointe"), "{}", r.text());
    assert_eq!(app.get(&base, Some(&julien)).await.json()["etat"], "en_attente_cert");
    let r = app.post_json(&format!("{cert}/refuser"), &json!({"message": message, "confirme": true}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["demarche"]["etat"], "refusee");
    // Plus aucune action sur une démarche refusée.
    app.post_json(&format!("{cert}/prendre"), &json!({}), Some(&agent)).await;
    let r = app.post_json(&format!("{cert}/refuser"), &json!({"message": message, "confirme": true}), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let d = app.get(&base, Some(&julien)).await.json();
    assert_eq!(d["etat"], "refusee");
    assert!(d["instruction"]["echanges"].as_array().unwrap().iter().any(|e| e["message"] == message));
    // Une nouvelle demande de duplicata peut être démarrée.
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "duplicata", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD", "code_confidentiel": "AB2C-D3EF"}),
            Some(&julien),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_ne!(r.json()["numero"], n.as_str());
}

/// Un vol déjà enregistré au SIV : cas sans blocage, aucune pièce.
#[tokio::test]
async fn vol_deja_enregistre_sans_blocage() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "duplicata", "pour_qui": "moi_meme", "immatriculation": "GH-234-JK"}),
            Some(&marie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let r = app.put_json(&format!("{base}/duplicata"), &json!({"motif": "vol", "personne_concernee": "titulaire"}), &marie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["details"]["demande"]["declaration_de_vol"], false);
    assert!(r.json()["instruction"]["pieces_requises"].as_array().unwrap().is_empty());
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&marie)).await;
    assert_eq!(r.json()["etat"], "a_payer", "{}", r.text());
}

/// La personne concernée doit être cohérente avec l'initiateur, et rien
/// n'est choisi d'avance.
#[tokio::test]
async fn personne_concernee_et_motif_obligatoires() {
    let app = common::spawn().await;
    let julien = app.login(JULIEN).await;
    let base = julien_vol(&app, &julien).await;
    let r = app.put_json(&format!("{base}/duplicata"), &json!({"personne_concernee": "mandataire"}), &julien).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let champs: Vec<_> = r.json()["champs"].as_array().unwrap().iter().map(|c| c["champ"].as_str().unwrap().to_owned()).collect();
    assert_eq!(champs, ["motif", "personne_concernee"]);
}

/// Des envois répétés ne remplissent pas le disque : 20 fichiers par
/// démarche au plus, versions remplacées comprises.
#[tokio::test]
async fn nombre_d_envois_limite_par_demarche() {
    let app = common::spawn().await;
    let julien = app.login(JULIEN).await;
    let base = julien_vol(&app, &julien).await;
    for i in 0..immat_domain::pieces::ENVOIS_MAX_PAR_DEMARCHE {
        let r = app.post_fichier(&piece_url(&base), png_valide(), &julien).await;
        assert_eq!(r.status, StatusCode::OK, "envoi {i} : {}", r.text());
    }
    let r = app.post_fichier(&piece_url(&base), png_valide(), &julien).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("maximum"));
    // Le fichier refusé n'est pas resté sur le disque.
    let fichiers = std::fs::read_dir(app.state.config.data_dir.join("pieces")).unwrap().count();
    assert_eq!(fichiers as i64, immat_domain::pieces::ENVOIS_MAX_PAR_DEMARCHE);
}
