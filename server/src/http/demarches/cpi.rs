//! Le certificat provisoire d'immatriculation (CPI), commun aux
//! téléprocédures qui émettent un nouveau certificat (changement de
//! titulaire, duplicata) : le numéro (un véhicule FNI reçoit un numéro SIV),
//! la validité d'un mois, la référence de vérification, le PDF.

use super::*;
use crate::db::NouveauCertificat;
use immat_domain::{
    changement_titulaire::{fin_de_validite_cpi, Cpi},
    Immatriculation, NumeroFormule,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Émet le CPI d'une démarche payée : le numéro définitif, et ce que le
/// registre doit porter (nouveau certificat, numéro SIV s'il était FNI).
pub async fn emettre(state: &AppState, d: &DemarcheRecord, v: &VehiculeRecord, donnees: &Donnees) -> AppResult<(Cpi, NouveauCertificat)> {
    // L'écriture au registre exige la version lue au démarrage : un
    // certificat n'est émis que pour le titulaire d'alors. (Un conflit de
    // base : l'enregistrement du paiement relit et décide, comme pour
    // l'écriture conditionnelle elle-même.)
    let version_registre = donnees
        .code_confidentiel_version
        .filter(|_| donnees.registre_inchange(v))
        .ok_or_else(|| DbError::Conflict(super::commun::REGISTRE_CHANGE.into()))?;
    let taxes = donnees.taxes.unwrap_or_default();
    let ancienne = Immatriculation::parse(&v.immatriculation).map_err(|e| anyhow::anyhow!("immatriculation en base : {e}"))?;
    let immatriculation = if v.type_immatriculation.est_fni() { numero_siv_libre(state).await? } else { ancienne.clone() };
    let emis_le = super::heure::date_de_paris(state.now());
    let cpi = Cpi {
        ancienne_immatriculation: (immatriculation != ancienne).then_some(ancienne.clone()),
        immatriculation: immatriculation.clone(),
        emis_le: emis_le.into(),
        valable_jusqu_au: fin_de_validite_cpi(emis_le).into(),
        reference: reference_de_verification(&d.numero, immatriculation.as_str(), &v.vin),
        taxes_payees: taxes.y6(),
    };
    let certificat = NouveauCertificat {
        version_registre,
        ancienne_immatriculation: ancienne.to_string(),
        immatriculation: immatriculation.to_string(),
        numero_formule: nouveau_numero_formule(emis_le.year()),
    };
    Ok((cpi, certificat))
}

/// Un numéro SIV libre pour un véhicule FNI.
async fn numero_siv_libre(state: &AppState) -> AppResult<Immatriculation> {
    for _ in 0..20 {
        let mut o = [0u8; 6];
        rand::rngs::OsRng.fill_bytes(&mut o);
        let i = Immatriculation::siv_depuis(&o);
        if state.repo.immatriculation_libre(i.as_str()).await? {
            return Ok(i);
        }
    }
    Err(anyhow::anyhow!("aucun numéro SIV libre trouvé").into())
}

/// Le numéro de formule du nouveau certificat (année, deux lettres, cinq
/// chiffres, comme ceux de HistoVec).
fn nouveau_numero_formule(annee: i32) -> String {
    let mut o = [0u8; 4];
    rand::rngs::OsRng.fill_bytes(&mut o);
    let l = |b: u8| (b'A' + b % 26) as char;
    let n = u32::from_le_bytes(o) % 100_000;
    let f = format!("{annee}{}{}{n:05}", l(o[0]), l(o[1]));
    NumeroFormule::parse(&f).map(|f| f.as_str().to_owned()).unwrap_or(f)
}

/// La référence de vérification du CPI : une empreinte de la démarche, du
/// numéro et du VIN (les forces de l'ordre la retrouvent au registre).
fn reference_de_verification(numero: &str, immatriculation: &str, vin: &str) -> String {
    let h = Sha256::digest(format!("{numero}|{immatriculation}|{vin}").as_bytes());
    let alphabet = immat_domain::CODE_ALPHABET;
    let s: String = h.iter().take(12).map(|b| alphabet[usize::from(b % 32)] as char).collect();
    format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
}

/// Le titulaire tel que le CPI le porte.
pub struct TitulaireCpi {
    pub titulaire: String,
    pub cotitulaire: Option<String>,
    pub adresse: Option<String>,
    pub usage: Option<&'static str>,
}

/// Le certificat provisoire d'immatriculation (PDF).
pub fn pdf(d: &DemarcheRecord, v: &VehiculeRecord, cpi: Option<&Cpi>, t: &TitulaireCpi, donnees: &Donnees) -> AppResult<Vec<u8>> {
    let cpi = cpi.ok_or_else(|| AppError::Conflit("Le certificat provisoire n'est pas encore émis.".into()))?;
    let mut pdf = Pdf::new("Certificat provisoire d'immatriculation", super::documents::PIED)?;
    pdf.para(
        "Ce certificat provisoire permet de circuler en France uniquement, jusqu'à la réception du certificat d'immatriculation définitif.",
    );
    pdf.field("Numéro du certificat provisoire", &d.numero);
    pdf.field("(A) Numéro d'immatriculation", &cpi.immatriculation.to_string());
    if let Some(ancienne) = &cpi.ancienne_immatriculation {
        pdf.field("Ancien numéro (FNI)", &ancienne.to_string());
    }
    pdf.field("(B) Date de première immatriculation", &v.date_premiere_immatriculation.to_string());
    pdf.field("(I) Date d'émission", &cpi.emis_le.to_string());
    pdf.field("Valable jusqu'au", &cpi.valable_jusqu_au.to_string());
    pdf.heading("Titulaire(s)");
    pdf.field("(C.1) Titulaire", &t.titulaire);
    if let Some(c) = &t.cotitulaire {
        pdf.field("Cotitulaire", c);
    }
    if let Some(a) = &t.adresse {
        pdf.field("(C.3) Adresse", a);
    }
    if let Some(u) = t.usage {
        pdf.field("Usage du véhicule", u);
    }
    pdf.heading("Véhicule");
    pdf.field("(D.1) Marque", &v.marque);
    pdf.field("(D.3) Modèle", &v.modele);
    pdf.field("(E) Numéro d'identification (VIN)", &v.vin);
    pdf.field("(J.1) Genre national", v.genre.libelle());
    pdf.field("(P.3) Énergie", v.energie.libelle());
    pdf.field("(P.6) Puissance fiscale", &format!("{} CV", v.puissance_cv));
    if let Some(ptac) = v.ptac_kg {
        pdf.field("(F.2) PTAC", &format!("{ptac} kg"));
    }
    pdf.heading("Taxes payées");
    for (code, libelle, montant) in donnees.taxes.unwrap_or_default().lignes() {
        pdf.field(&format!("{code} — {libelle}"), &montant.to_string());
    }
    pdf.heading("Vérification");
    pdf.field("Référence de vérification", &cpi.reference);
    Ok(pdf.finish()?)
}
