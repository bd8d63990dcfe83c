//! Les documents PDF d'une démarche terminée : récapitulatif de la demande,
//! et les documents propres à chaque téléprocédure (`Procedure::document`).

use super::{commun::charger, *};
use crate::http::auth::Citoyen;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};

pub const PIED: &str = "Document généré par Immat — environnement de démonstration, sans valeur officielle.";

pub async fn telecharger(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path((numero, nom)): Path<(String, String)>,
) -> AppResult<Response> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    let p = procedure_de(d.teleprocedure)?;
    let donnees = Donnees::de(&d)?;
    let document = Document::depuis_fichier(&nom)
        .filter(|doc| p.documents().contains(doc) || p.document_disponible(*doc, d.etat, &donnees.details))
        .ok_or_else(|| AppError::Introuvable("Ce document n'existe pas pour cette démarche.".into()))?;
    if !p.document_disponible(document, d.etat, &donnees.details) {
        return Err(AppError::Conflit("Les documents sont disponibles une fois la demande terminée.".into()));
    }
    let pdf = match document {
        Document::Recapitulatif => recapitulatif(p, &d, v.as_ref())?,
        autre => p.document(autre, &d, v.as_ref(), &donnees)?,
    };
    Ok(reponse_pdf(pdf, &format!("{}-{}", d.numero, nom)))
}

/// Un PDF à télécharger sous ce nom (fait de caractères sûrs).
pub fn reponse_pdf(pdf: Vec<u8>, nom: &str) -> Response {
    let nom: String = nom.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    let disposition = format!("attachment; filename=\"{nom}\"");
    ([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, disposition)], pdf).into_response()
}

fn recapitulatif(p: &dyn Procedure, d: &DemarcheRecord, v: Option<&VehiculeRecord>) -> AppResult<Vec<u8>> {
    let donnees = Donnees::de(d)?;
    let mut pdf = Pdf::new("Récapitulatif de la demande", PIED)?;
    pdf.field("Téléprocédure", d.teleprocedure.libelle());
    pdf.field("Numéro de démarche", &d.numero);
    pdf.field("Validée le", donnees.valide_le.as_deref().unwrap_or("—"));
    pdf.field("État", d.etat.libelle());
    pdf.field("Initiateur de la demande", d.pour_qui.libelle());
    // Le registre, seulement là où la démarche a le droit de le montrer.
    if let Some(v) = v.filter(|v| p.montre_le_registre(d, v)) {
        pdf.heading("Véhicule");
        pdf.field("Numéro d'immatriculation", &v.immatriculation);
        pdf.field("Marque et modèle", &format!("{} {}", v.marque, v.modele));
        pdf.field("VIN", &v.vin);
        pdf.heading("Titulaire au moment de la demande");
        pdf.field("Nom", &donnees.titulaire.as_ref().map(|t| t.nom_complet()).unwrap_or_else(|| nom_titulaire(v)));
        if let Some(a) = &donnees.ancienne_adresse {
            pdf.field("Adresse au moment de la demande", &a.une_ligne());
        }
    }
    p.recapitulatif(&mut pdf, &donnees);
    pdf.heading("Taxes");
    let taxes = donnees.taxes.unwrap_or_default();
    for (code, libelle, montant) in taxes.lignes() {
        pdf.field(&format!("{code} — {libelle}"), &montant.to_string());
    }
    if let Some(regle) = &donnees.regle_y1 {
        pdf.field("Règle appliquée (Y1)", regle);
    }
    pdf.heading("Conditions légales d'utilisation acceptées");
    for (code, texte) in immat_domain::procedures::CLU {
        if donnees.clu_acceptees.iter().any(|c| c == code) {
            pdf.para(&format!("[x] {texte}"));
        }
    }
    Ok(pdf.finish()?)
}
