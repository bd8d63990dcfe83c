//! Les documents PDF d'une démarche terminée : récapitulatif de la demande,
//! et, pour une cession, le certificat de situation administrative.

use super::{commun::charger, *};
use crate::http::auth::Citoyen;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use immat_domain::regles::Mention;

const PIED: &str = "Document généré par Immat — environnement de démonstration, sans valeur officielle.";

pub async fn telecharger(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path((numero, nom)): Path<(String, String)>,
) -> AppResult<Response> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    if d.etat != EtatDemarche::Terminee {
        return Err(AppError::Conflit("Les documents sont disponibles une fois la demande terminée.".into()));
    }
    let p = procedure_de(d.teleprocedure)?;
    let document = Document::depuis_fichier(&nom)
        .filter(|doc| p.documents().contains(doc))
        .ok_or_else(|| AppError::Introuvable("Ce document n'existe pas pour cette démarche.".into()))?;
    let pdf = match document {
        Document::Recapitulatif => recapitulatif(p, &d, &v)?,
        Document::CertificatSituationAdministrative => csa(&d, &v)?,
    };
    let disposition = format!("attachment; filename=\"{}-{}\"", d.numero, nom);
    Ok(([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, disposition)], pdf).into_response())
}

fn oui_non(b: bool) -> &'static str {
    if b {
        "OUI"
    } else {
        "NON"
    }
}

fn recapitulatif(p: &dyn Procedure, d: &DemarcheRecord, v: &VehiculeRecord) -> AppResult<Vec<u8>> {
    let donnees = Donnees::de(d)?;
    let mut pdf = Pdf::new("Récapitulatif de la demande", PIED)?;
    pdf.field("Téléprocédure", d.teleprocedure.libelle());
    pdf.field("Numéro de démarche", &d.numero);
    pdf.field("Validée le", donnees.valide_le.as_deref().unwrap_or("—"));
    pdf.field("État", d.etat.libelle());
    pdf.field("Initiateur de la demande", d.pour_qui.libelle());
    pdf.heading("Véhicule");
    pdf.field("Numéro d'immatriculation", &v.immatriculation);
    pdf.field("Marque et modèle", &format!("{} {}", v.marque, v.modele));
    pdf.field("VIN", &v.vin);
    pdf.heading("Titulaire");
    pdf.field("Nom", &nom_titulaire(v));
    if let Some(a) = &donnees.ancienne_adresse {
        pdf.field("Adresse au moment de la demande", &a.une_ligne());
    }
    p.recapitulatif(&mut pdf, &donnees);
    pdf.heading("Taxes");
    let taxes = donnees.taxes.unwrap_or_default();
    for (code, libelle, montant) in taxes.lignes() {
        pdf.field(&format!("{code} — {libelle}"), &montant.to_string());
    }
    pdf.heading("Conditions légales d'utilisation acceptées");
    for (code, texte) in immat_domain::procedures::CLU {
        if donnees.clu_acceptees.iter().any(|c| c == code) {
            pdf.para(&format!("[x] {texte}"));
        }
    }
    Ok(pdf.finish()?)
}

/// Certificat de situation administrative (contenu d'après HistoVec).
fn csa(d: &DemarcheRecord, v: &VehiculeRecord) -> AppResult<Vec<u8>> {
    let donnees = Donnees::de(d)?;
    let s = &v.situation;
    let mut pdf = Pdf::new("Certificat de situation administrative", PIED)?;
    pdf.para("Attention : il est impératif de conserver ce certificat et de le remettre à l'acquéreur.");
    pdf.field("Édité le", donnees.valide_le.as_deref().unwrap_or("—"));
    pdf.field("Démarche", &d.numero);
    pdf.heading("Véhicule");
    pdf.field("Numéro d'immatriculation", &v.immatriculation);
    pdf.field("VIN", &v.vin);
    pdf.field("Marque", &v.marque);
    pdf.field("Date de première immatriculation", &v.date_premiere_immatriculation.to_string());
    pdf.field("Titulaire", &nom_titulaire(v));
    pdf.heading("Oppositions et gages");
    for m in [Mention::Otci, Mention::Ove, Mention::Ovei, Mention::Dvs] {
        pdf.field(m.libelle(), oui_non(s.a(m)));
    }
    pdf.field("Procédure de réparation contrôlée", oui_non(s.ove));
    let gage = match (&v.gage_creancier, s.gage) {
        (Some(c), true) => format!("OUI (créancier : {c})"),
        (None, true) => "OUI".to_owned(),
        _ => "NON".to_owned(),
    };
    pdf.field(Mention::Gage.libelle(), &gage);
    pdf.heading("Situation de l'immatriculation");
    for m in [Mention::Suspendue, Mention::Annulee, Mention::Vol] {
        pdf.field(m.libelle(), oui_non(s.a(m)));
    }
    pdf.field("Certificat d'immatriculation volé, perdu ou duplicata", "NON");
    pdf.field(Mention::Cede.libelle(), oui_non(s.a(Mention::Cede)));
    pdf.para("Un certificat de situation administrative de moins de 15 jours doit être remis à l'acquéreur.");
    Ok(pdf.finish()?)
}
