//! Téléprocédure « Déclaration de cession ».

use super::{
    commun::{route_de_saisie, valider_et_verifier, Saisie},
    *,
};
use crate::db::Ecriture;
use immat_domain::regles::Mention;
use immat_domain::{
    procedures::{Acquereur, CessionSaisie, DetailsCession},
    CodeCession, Etape, CODE_CESSION_LONGUEUR, CODE_CESSION_VALIDITE_JOURS,
};
use rand::RngCore;
use time::Duration;

pub struct Cession;

#[async_trait::async_trait]
impl Procedure for Cession {
    fn prete(&self, details: &DetailsDemarche) -> bool {
        matches!(details, DetailsDemarche::Cession(c) if c.cession.is_some()) && details.adresse_retenue().is_some()
    }

    fn documents(&self) -> &'static [Document] {
        &[Document::Recapitulatif, Document::CertificatSituationAdministrative]
    }

    fn recapitulatif(&self, pdf: &mut Pdf, donnees: &Donnees) {
        let DetailsDemarche::Cession(c) = &donnees.details else { return };
        pdf.heading("Nouvel acquéreur");
        if let Some(cession) = &c.cession {
            pdf.field("Acquéreur", &cession.acquereur.libelle());
            if let Acquereur::Physique { date_naissance, .. } = &cession.acquereur {
                pdf.field("Date de naissance", &date_naissance.to_string());
            }
            if let Some(a) = donnees.details.adresse_retenue() {
                pdf.field("Adresse", &a.une_ligne());
            }
            pdf.field("Date et heure de la cession", &format!("{} à {}", cession.date_cession, cession.heure_cession));
        }
        pdf.field("Code de cession valable jusqu'au", c.code_cession_expire_le.as_deref().unwrap_or("—"));
    }

    fn document(&self, document: Document, d: &DemarcheRecord, v: Option<&VehiculeRecord>, donnees: &Donnees) -> AppResult<Vec<u8>> {
        let v = vehicule_de_la_demarche(v)?;
        match document {
            Document::CertificatSituationAdministrative => {
                csa(d, v, donnees, "Attention : il est impératif de conserver ce certificat et de le remettre à l'acquéreur.")
            }
            Document::Recapitulatif | Document::CertificatProvisoire => {
                Err(AppError::Introuvable("Ce document n'existe pas pour cette démarche.".into()))
            }
        }
    }

    /// La cession est enregistrée, le véhicule est « cédé », le code de
    /// cession est tiré (rendu une seule fois, stocké haché, 15 jours, usage
    /// unique) et le certificat de situation administrative est édité.
    async fn terminer(&self, Validation { state, d, v, mut donnees, vers }: Validation<'_>) -> AppResult<(DemarcheRecord, Option<String>)> {
        let v = vehicule_de_la_demarche(v)?;
        // Une cession est gratuite : « Valider » la termine. Tout autre état
        // viendrait d'une règle de taxe changée ; rien n'est alors écrit.
        if vers != EtatDemarche::Terminee {
            return Err(AppError::Conflit("Cette déclaration de cession ne peut pas être terminée en ligne.".into()));
        }
        let mut octets = [0u8; CODE_CESSION_LONGUEUR];
        rand::rngs::OsRng.fill_bytes(&mut octets);
        let code = CodeCession::from_random(&octets);
        let hash = state.hacheur.hacher(code.compact().to_owned()).await?;
        let expire = state.now() + Duration::days(CODE_CESSION_VALIDITE_JOURS);
        if let DetailsDemarche::Cession(c) = &mut donnees.details {
            c.code_cession_expire_le = Some(horodatage(expire));
        }
        let d =
            state.repo.terminer_cession(Ecriture { d, vers, etape: Etape::Fin, donnees: &donnees.json()? }, v.id, &hash, expire).await?;
        Ok((d, Some(code.to_string())))
    }

    fn routes(&self) -> Routes {
        route_de_saisie::<CessionSaisie>()
    }
}

/// Étape « Nouvel acquéreur » : l'acquéreur, son adresse, la date et l'heure
/// de la cession ; « Poursuivre » les enregistre et vérifie l'adresse.
impl Saisie for CessionSaisie {
    type Details = DetailsCession;
    fn ranger(self, state: &AppState, details: &mut DetailsCession, v: Option<&VehiculeRecord>, _: &DemarcheRecord) -> AppResult<()> {
        let v = vehicule_de_la_demarche(v)?;
        details.saisie = Some(self.clone());
        (details.cession, details.adresse) = (None, None);
        let premiere = Some(v.date_premiere_immatriculation.date());
        let (c, adresse) = valider_et_verifier(state, self.valider(state.now().date(), premiere), |c| &c.adresse)?;
        (details.cession, details.adresse) = (Some(c), Some(adresse));
        Ok(())
    }
}

fn oui_non(b: bool) -> &'static str {
    if b {
        "OUI"
    } else {
        "NON"
    }
}

/// Certificat de situation administrative (contenu d'après HistoVec).
pub(super) fn csa(d: &DemarcheRecord, v: &VehiculeRecord, donnees: &Donnees, avis: &str) -> AppResult<Vec<u8>> {
    let s = &v.situation;
    let mut pdf = Pdf::new("Certificat de situation administrative", super::documents::PIED)?;
    pdf.para(avis);
    pdf.field("Édité le", donnees.valide_le.as_deref().unwrap_or("—"));
    pdf.field("Démarche", &d.numero);
    pdf.heading("Véhicule");
    pdf.field("Numéro d'immatriculation", &v.immatriculation);
    pdf.field("VIN", &v.vin);
    pdf.field("Marque", &v.marque);
    pdf.field("Date de première immatriculation", &v.date_premiere_immatriculation.to_string());
    pdf.field("Titulaire", &donnees.titulaire.as_ref().map(|t| t.nom_complet()).unwrap_or_else(|| nom_titulaire(v)));
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
    pdf.field("Certificat d'immatriculation volé, perdu ou duplicata", oui_non(v.vol_certificat_enregistre));
    pdf.field(Mention::Cede.libelle(), oui_non(s.a(Mention::Cede)));
    pdf.para("Un certificat de situation administrative de moins de 15 jours doit être remis à l'acquéreur.");
    Ok(pdf.finish()?)
}
