//! Téléprocédure « Changement de titulaire » : l'acquéreur prouve la
//! cession (code de cession, ou numéro de formule / date du certificat),
//! déclare le nouveau titulaire, paie les taxes ; le paiement enregistré, le
//! véhicule passe à son nom et le CPI est émis.

use super::{
    commun::{adresse_du_vehicule, nouveau_numero, route_de_saisie, situation_permet, valider_et_verifier, vue, Saisie},
    *,
};
use crate::{
    db::{CompteRecord, Ecriture, NouveauTitulaireRegistre},
    http::limites::{cle_preuve_compte, cle_preuve_vehicule, cle_preuve_vehicule_compte, essayer, Compteurs},
};
use immat_domain::{
    changement_titulaire::{DetailsChangementTitulaire, NouveauTitulaire, PreuveCession, TitulaireSaisie},
    demarche::etape_apres_validation,
    limites::{message_preuve_bloquee, message_preuve_erronee, Limite},
    procedures::{DemarcheVue, Demarrage, DetailsPropres, NouvelleDemarche},
    regles::Mention,
    Etape,
};

pub struct ChangementTitulaire;

fn details(donnees: &Donnees) -> Option<&DetailsChangementTitulaire> {
    DetailsChangementTitulaire::de(&donnees.details)
}

#[async_trait::async_trait]
impl Procedure for ChangementTitulaire {
    /// La taxe régionale suit le domicile du **nouveau** titulaire ; l'usage
    /// « collection » exonère de Y2.
    fn contexte_fiscal(&self, details: &DetailsDemarche, v: Option<&VehiculeRecord>) -> ContexteFiscal {
        let inscrit = v.map(|v| v.adresse_code_postal.clone()).unwrap_or_default();
        let DetailsDemarche::ChangementTitulaire(d) = details else {
            return ContexteFiscal { code_postal: inscrit, collection: false };
        };
        let code_postal = details
            .adresse_retenue()
            .map(|a| a.code_postal.clone())
            .or_else(|| d.titulaire.as_ref().map(|t| t.adresse.code_postal.clone()))
            .unwrap_or(inscrit);
        ContexteFiscal { code_postal, collection: d.titulaire.as_ref().is_some_and(|t| t.usage.collection()) }
    }

    fn nouveau_certificat(&self, _taxes: &Taxes) -> bool {
        true
    }

    fn prete(&self, details: &DetailsDemarche) -> bool {
        matches!(details, DetailsDemarche::ChangementTitulaire(d) if d.titulaire.is_some()) && details.adresse_retenue().is_some()
    }

    fn documents(&self) -> &'static [Document] {
        &[Document::CertificatProvisoire, Document::Recapitulatif]
    }

    fn recapitulatif(&self, pdf: &mut Pdf, donnees: &Donnees) {
        let Some(d) = details(donnees) else { return };
        if let Some(ancien) = &d.ancien_titulaire {
            pdf.field("Ancien titulaire", &ancien.nom_complet());
        }
        pdf.heading("Nouveau titulaire");
        if let Some(t) = &d.titulaire {
            pdf.field("Usage du véhicule", t.usage.libelle());
            pdf.field("Titulaire", &t.titulaire.libelle());
            if let NouveauTitulaire::Physique { date_naissance, .. } = &t.titulaire {
                pdf.field("Date de naissance", &date_naissance.to_string());
            }
            pdf.field("Cotitulaire", &t.cotitulaire.as_ref().map(|c| c.libelle()).unwrap_or_else(|| "—".into()));
        }
        if let Some(a) = donnees.details.adresse_retenue() {
            pdf.field("Adresse", &a.une_ligne());
        }
        if let Some(cpi) = &d.cpi {
            pdf.field("Numéro d'immatriculation attribué", &cpi.immatriculation.to_string());
        }
    }

    fn document(&self, document: Document, d: &DemarcheRecord, v: Option<&VehiculeRecord>, donnees: &Donnees) -> AppResult<Vec<u8>> {
        let v = vehicule_de_la_demarche(v)?;
        match document {
            Document::CertificatProvisoire => {
                let det = details(donnees).ok_or_else(|| DbError::Corrupt(format!("détails de la démarche {}", d.numero)))?;
                let t = det.titulaire.as_ref().ok_or_else(|| DbError::Corrupt(format!("titulaire de la démarche {}", d.numero)))?;
                let titulaire = cpi::TitulaireCpi {
                    titulaire: t.titulaire.libelle(),
                    cotitulaire: t.cotitulaire.as_ref().map(|c| c.libelle()),
                    adresse: donnees.details.adresse_retenue().map(|a| a.une_ligne()),
                    usage: Some(t.usage.libelle()),
                };
                cpi::pdf(d, v, det.cpi.as_ref(), &titulaire, donnees)
            }
            Document::Recapitulatif | Document::CertificatSituationAdministrative => {
                Err(AppError::Introuvable("Ce document n'existe pas pour cette démarche.".into()))
            }
        }
    }

    /// L'acquéreur démarre sur le véhicule d'un autre : il prouve la cession
    /// (essais limités), le code de cession est réservé à sa démarche.
    async fn demarrer(
        &self,
        state: &AppState,
        compte: &CompteRecord,
        req: &NouvelleDemarche,
        demarrage: Demarrage,
    ) -> AppResult<(StatusCode, DemarcheVue)> {
        let v = state
            .repo
            .vehicule_par_immatriculation(&demarrage.immatriculation.as_ref().map(|i| i.to_string()).unwrap_or_default())
            .await?
            .ok_or_else(|| AppError::champ("immatriculation", "Aucun véhicule n'est immatriculé sous ce numéro."))?;
        if v.compte_id == Some(compte.id) {
            return Err(AppError::champ(
                "immatriculation",
                "Ce véhicule est déjà à votre nom : le changement de titulaire est fait par son acquéreur.",
            ));
        }
        let preuve = demarrage.preuve.ok_or_else(|| anyhow::anyhow!("preuve de cession non validée"))?;
        let code_cession_id = verifier_preuve(state, compte.id, &v, &preuve).await?;
        let avertissement = situation_permet(&v, Teleprocedure::ChangementTitulaire)?;
        let details = DetailsDemarche::ChangementTitulaire(DetailsChangementTitulaire {
            ancien_titulaire: Some(commun::titulaire_vue(&v)),
            ..Default::default()
        });
        let donnees = Donnees {
            avertissement,
            ancienne_adresse: Some(adresse_du_vehicule(&v)),
            titulaire: Some(commun::titulaire_vue(&v)),
            // Le registre tel qu'il est au démarrage : s'il change (autre
            // transfert, nouveau code), la démarche ne se valide plus.
            code_confidentiel_version: Some(v.code_confidentiel_version),
            ..Donnees::nouvelles(details)
        };
        let (d, cree) = state
            .repo
            .creer_demarche_acquereur(&nouveau_numero(state.now()), compte.id, v.id, req.pour_qui, &donnees.json()?, code_cession_id)
            .await?;
        if cree {
            return Ok((StatusCode::CREATED, vue(state, &d, Some(&v)).await?));
        }
        // Reprise, la preuve vérifiée à l'instant : la démarche vaut pour le
        // registre tel qu'il est maintenant.
        let mut reprise = Donnees::de(&d)?;
        let d = if d.etat == EtatDemarche::Brouillon && reprise.code_confidentiel_version != Some(v.code_confidentiel_version) {
            reprise.code_confidentiel_version = Some(v.code_confidentiel_version);
            state.repo.maj_demarche(&d, d.etape, &reprise.json()?).await?
        } else {
            d
        };
        Ok((StatusCode::OK, vue(state, &d, Some(&v)).await?))
    }

    /// Avant le paiement : « à payer ». Le paiement enregistré : le véhicule
    /// passe au nouveau titulaire (numéro SIV s'il était FNI), le CPI est émis.
    async fn terminer(&self, Validation { state, d, v, mut donnees, vers }: Validation<'_>) -> AppResult<(DemarcheRecord, Option<String>)> {
        let v = vehicule_de_la_demarche(v)?;
        if vers != EtatDemarche::Terminee {
            let d = state.repo.changer_etat(d, vers, etape_apres_validation(vers), &donnees.json()?).await?;
            return Ok((d, None));
        }
        let adresse = donnees.details.adresse_retenue().cloned().ok_or_else(|| AppError::Conflit("Adresse non vérifiée.".into()))?;
        let (cpi, certificat) = cpi::emettre(state, d, v, &donnees).await?;
        let DetailsDemarche::ChangementTitulaire(details) = &mut donnees.details else {
            return Err(DbError::Corrupt(format!("détails de la démarche {}", d.numero)).into());
        };
        let t = details.titulaire.clone().ok_or_else(|| AppError::Conflit("Nouveau titulaire non saisi.".into()))?;
        details.cpi = Some(cpi);
        let (nom, prenoms, raison_sociale, siren) = match &t.titulaire {
            NouveauTitulaire::Physique { nom, prenoms, .. } => (nom.to_string().to_uppercase(), Some(prenoms.to_string()), None, None),
            NouveauTitulaire::Morale { raison_sociale, siren } => {
                (raison_sociale.clone(), None, Some(raison_sociale.clone()), Some(siren.as_str().to_owned()))
            }
        };
        let nouveau = NouveauTitulaireRegistre {
            compte_id: (d.pour_qui == immat_domain::PourQui::MoiMeme).then_some(d.compte_id),
            certificat,
            titulaire_nom: nom,
            titulaire_prenoms: prenoms,
            titulaire_raison_sociale: raison_sociale,
            titulaire_siren: siren,
            cotitulaire: t.cotitulaire.as_ref().map(|c| c.libelle()),
            adresse,
        };
        let d = state
            .repo
            .terminer_changement_titulaire(Ecriture { d, vers, etape: Etape::Fin, donnees: &donnees.json()? }, v.id, &nouveau)
            .await?;
        Ok((d, None))
    }

    fn routes(&self) -> Routes {
        route_de_saisie::<TitulaireSaisie>()
    }
}

/// Vérifie la preuve de la cession, sous limites d'essais (par compte et
/// véhicule, par compte, et par véhicule tous comptes confondus) ; rend le
/// code de cession à réserver (s'il y en a un).
async fn verifier_preuve(state: &AppState, compte_id: i64, v: &VehiculeRecord, preuve: &PreuveCession) -> AppResult<Option<i64>> {
    let (cle_vc, cle_c) = (cle_preuve_vehicule_compte(v.id, compte_id), cle_preuve_compte(compte_id));
    let cle_v = cle_preuve_vehicule(v.id);
    let champ = match preuve {
        PreuveCession::Code(_) => "preuve.code_cession",
        PreuveCession::Formule(_) | PreuveCession::DateCertificat(_) => "preuve.formule_ou_date",
    };
    let maintenant = state.now();
    let vivant = |c: &crate::db::CodeCessionRecord| c.expire_at.is_some_and(|e| e > maintenant);
    let compteurs = Compteurs {
        vehicule_compte: (&cle_vc, Limite::PREUVE_CESSION_VEHICULE_COMPTE),
        compte: (&cle_c, Limite::PREUVE_CESSION_COMPTE),
        tous_comptes: Some((&cle_v, Limite::PREUVE_CESSION_VEHICULE)),
        bloque: message_preuve_bloquee,
        errone: message_preuve_erronee,
        champ,
    };
    let resultat = match preuve {
        PreuveCession::Code(code) => {
            let codes = state.repo.codes_cession(v.id).await?;
            let candidats = codes.iter().map(|c| (c.clone(), c.code_hash.clone())).collect();
            let juge = async { Ok(state.hacheur.trouver(code.compact().to_owned(), candidats).await?) };
            essayer(state, &compteurs, juge).await.map(Some)
        }
        PreuveCession::Formule(_) | PreuveCession::DateCertificat(_) => {
            // Le numéro de formule vaut pour un certificat SIV, la date pour
            // un certificat FNI (qui n'a pas de numéro de formule).
            let correspond = match preuve {
                PreuveCession::Formule(f) => !v.type_immatriculation.est_fni() && v.numero_formule.as_deref() == Some(f.as_str()),
                PreuveCession::DateCertificat(d) => v.type_immatriculation.est_fni() && v.date_certificat == Some(*d),
                PreuveCession::Code(_) => false,
            };
            essayer(state, &compteurs, async { Ok(correspond.then_some(())) }).await.map(|()| None)
        }
    };
    match resultat? {
        // Le bon code : on peut dire pourquoi il ne sert plus.
        Some(c) => {
            let a_moi = match c.utilise_par {
                Some(id) => state.repo.demarche(id).await.map(|d| d.compte_id == compte_id).unwrap_or(false),
                None => false,
            };
            if c.utilise && !a_moi {
                return Err(AppError::champ(champ, "Ce code de cession a déjà été utilisé."));
            }
            if !vivant(&c) {
                return Err(AppError::champ(
                    champ,
                    "Ce code de cession a expiré : il était valable 15 jours. Le vendeur doit vous en fournir un nouveau.",
                ));
            }
            Ok(Some(c.id))
        }
        // Une cession déclarée en ligne se reprend avec son code : le
        // certificat barré ne suffit plus (dit seulement à qui a la bonne
        // preuve).
        None if v.situation.a(Mention::Cede) => {
            Err(AppError::champ(champ, "Le vendeur a déclaré la cession en ligne : saisissez le code de cession qu'il vous a remis."))
        }
        None => Ok(None),
    }
}

/// Étape « Nouveau titulaire » : usage, identité, cotitulaire, adresse ;
/// « Poursuivre » les enregistre (rien n'est perdu) et vérifie l'adresse.
impl Saisie for TitulaireSaisie {
    type Details = DetailsChangementTitulaire;
    fn ranger(
        self,
        state: &AppState,
        details: &mut DetailsChangementTitulaire,
        v: Option<&VehiculeRecord>,
        _: &DemarcheRecord,
    ) -> AppResult<()> {
        let v = vehicule_de_la_demarche(v)?;
        details.saisie = Some(self.clone());
        (details.titulaire, details.adresse) = (None, None);
        let gage = v.situation.a(Mention::Gage);
        let (t, adresse) = valider_et_verifier(state, self.valider(state.now().date(), gage), |t| &t.adresse)?;
        (details.titulaire, details.adresse) = (Some(t), Some(adresse));
        Ok(())
    }
}
