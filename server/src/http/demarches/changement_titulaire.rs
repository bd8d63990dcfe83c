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
    changement_titulaire::{fin_de_validite_cpi, Cpi, DetailsChangementTitulaire, NouveauTitulaire, PreuveCession, TitulaireSaisie},
    demarche::etape_apres_validation,
    limites::{message_preuve_bloquee, message_preuve_erronee, Limite},
    procedures::{DemarcheVue, Demarrage, DetailsPropres, NouvelleDemarche},
    regles::Mention,
    Etape, Immatriculation, NumeroFormule, TypeImmatriculation,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub struct ChangementTitulaire;

fn details(donnees: &Donnees) -> Option<&DetailsChangementTitulaire> {
    DetailsChangementTitulaire::de(&donnees.details)
}

#[async_trait::async_trait]
impl Procedure for ChangementTitulaire {
    /// La taxe régionale suit le domicile du **nouveau** titulaire ; l'usage
    /// « collection » exonère de Y2.
    fn contexte_fiscal(&self, details: &DetailsDemarche, v: &VehiculeRecord) -> ContexteFiscal {
        let DetailsDemarche::ChangementTitulaire(d) = details else {
            return ContexteFiscal { code_postal: v.adresse_code_postal.clone(), collection: false };
        };
        let code_postal = details
            .adresse_retenue()
            .map(|a| a.code_postal.clone())
            .or_else(|| d.titulaire.as_ref().map(|t| t.adresse.code_postal.clone()))
            .unwrap_or_else(|| v.adresse_code_postal.clone());
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

    fn document(&self, document: Document, d: &DemarcheRecord, v: &VehiculeRecord, donnees: &Donnees) -> AppResult<Vec<u8>> {
        match document {
            Document::CertificatProvisoire => cpi(d, v, donnees),
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
            .vehicule_par_immatriculation(&demarrage.immatriculation.to_string())
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
            return Ok((StatusCode::CREATED, vue(state, &d, &v).await?));
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
        Ok((StatusCode::OK, vue(state, &d, &v).await?))
    }

    /// Avant le paiement : « à payer ». Le paiement enregistré : le véhicule
    /// passe au nouveau titulaire (numéro SIV s'il était FNI), le CPI est émis.
    async fn terminer(&self, Validation { state, d, v, mut donnees, vers }: Validation<'_>) -> AppResult<(DemarcheRecord, Option<String>)> {
        if vers != EtatDemarche::Terminee {
            let d = state.repo.changer_etat(d, vers, etape_apres_validation(vers), &donnees.json()?).await?;
            return Ok((d, None));
        }
        let adresse = donnees.details.adresse_retenue().cloned().ok_or_else(|| AppError::Conflit("Adresse non vérifiée.".into()))?;
        let DetailsDemarche::ChangementTitulaire(details) = &mut donnees.details else {
            return Err(DbError::Corrupt(format!("détails de la démarche {}", d.numero)).into());
        };
        let t = details.titulaire.clone().ok_or_else(|| AppError::Conflit("Nouveau titulaire non saisi.".into()))?;
        let ancienne = Immatriculation::parse(&v.immatriculation).map_err(|e| anyhow::anyhow!("immatriculation en base : {e}"))?;
        let immatriculation = if v.type_immatriculation.est_fni() { numero_siv_libre(state).await? } else { ancienne.clone() };
        let maintenant = state.now();
        let emis_le = crate::http::demarches::heure::date_de_paris(maintenant);
        let taxes = donnees.taxes.unwrap_or_default();
        let cpi = Cpi {
            ancienne_immatriculation: (immatriculation != ancienne).then_some(ancienne.clone()),
            immatriculation: immatriculation.clone(),
            emis_le: emis_le.into(),
            valable_jusqu_au: fin_de_validite_cpi(emis_le).into(),
            reference: reference_de_verification(&d.numero, immatriculation.as_str(), &v.vin),
            taxes_payees: taxes.y6(),
        };
        details.cpi = Some(cpi);
        let (nom, prenoms, raison_sociale, siren) = match &t.titulaire {
            NouveauTitulaire::Physique { nom, prenoms, .. } => (nom.to_string().to_uppercase(), Some(prenoms.to_string()), None, None),
            NouveauTitulaire::Morale { raison_sociale, siren } => {
                (raison_sociale.clone(), None, Some(raison_sociale.clone()), Some(siren.as_str().to_owned()))
            }
        };
        let nouveau = NouveauTitulaireRegistre {
            compte_id: (d.pour_qui == immat_domain::PourQui::MoiMeme).then_some(d.compte_id),
            version_registre: donnees.code_confidentiel_version.unwrap_or(v.code_confidentiel_version),
            ancienne_immatriculation: ancienne.to_string(),
            immatriculation: immatriculation.to_string(),
            type_immatriculation: TypeImmatriculation::Siv,
            numero_formule: nouveau_numero_formule(emis_le.year()),
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
    fn ranger(self, state: &AppState, details: &mut DetailsChangementTitulaire, v: &VehiculeRecord) -> AppResult<()> {
        details.saisie = Some(self.clone());
        (details.titulaire, details.adresse) = (None, None);
        let gage = v.situation.a(Mention::Gage);
        let (t, adresse) = valider_et_verifier(state, self.valider(state.now().date(), gage), |t| &t.adresse)?;
        (details.titulaire, details.adresse) = (Some(t), Some(adresse));
        Ok(())
    }
}

/// Le certificat provisoire d'immatriculation.
fn cpi(d: &DemarcheRecord, v: &VehiculeRecord, donnees: &Donnees) -> AppResult<Vec<u8>> {
    let det = details(donnees).ok_or_else(|| DbError::Corrupt(format!("détails de la démarche {}", d.numero)))?;
    let cpi = det.cpi.as_ref().ok_or_else(|| AppError::Conflit("Le certificat provisoire n'est pas encore émis.".into()))?;
    let t = det.titulaire.as_ref().ok_or_else(|| DbError::Corrupt(format!("titulaire de la démarche {}", d.numero)))?;
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
    pdf.field("(C.1) Titulaire", &t.titulaire.libelle());
    if let Some(c) = &t.cotitulaire {
        pdf.field("Cotitulaire", &c.libelle());
    }
    if let Some(a) = donnees.details.adresse_retenue() {
        pdf.field("(C.3) Adresse", &a.une_ligne());
    }
    pdf.field("Usage du véhicule", t.usage.libelle());
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
