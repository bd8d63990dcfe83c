//! Téléprocédure « Déclaration de cession ».

use super::*;
use immat_domain::{demarche, CodeCession, CODE_CESSION_LONGUEUR, CODE_CESSION_VALIDITE_JOURS};

/// Étape 2 : le nouvel acquéreur, son adresse, la date et l'heure de la
/// cession ; « Poursuivre » les enregistre et vérifie l'adresse.
pub async fn saisir_cession(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path(numero): Path<String>,
    AppJson(req): AppJson<CessionSaisie>,
) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    exiger_brouillon(&d)?;
    if d.teleprocedure != Teleprocedure::Cession {
        return Err(AppError::Conflit("Cette démarche n'est pas une déclaration de cession.".into()));
    }
    let mut donnees = Donnees::de(&d)?;
    donnees.cession_saisie = Some(req.clone());
    let premiere = immat_domain::parse_date_fr(&v.date_premiere_immatriculation).ok();
    let resultat = req
        .valider(state.now().date(), premiere)
        .map_err(AppError::Validation)
        .and_then(|c| verifier_adresse(&state, &c.adresse, "adresse").map(|verif| (c, verif)))
        .map(|(c, verif)| {
            move |donnees: &mut Donnees| {
                donnees.acquereur = Some(c.acquereur);
                donnees.date_cession = Some(c.date_cession);
                donnees.heure_cession = Some(c.heure_cession);
                donnees.adresse_normalisee = Some(c.adresse);
                donnees.verification = Some(verif);
            }
        });
    enregistrer_saisie(&state, d, &v, donnees, resultat).await
}

/// « Valider » : la cession est enregistrée, le véhicule est « cédé », le
/// code de cession est tiré (rendu une seule fois, stocké haché, 15 jours,
/// usage unique) et le certificat de situation administrative est édité.
pub async fn terminer(state: &AppState, d: DemarcheRecord, v: VehiculeRecord, clu: Vec<String>) -> AppResult<AppJson<DemarcheVue>> {
    let vers = demarche::valider(d.etat, false).map_err(|e| AppError::Conflit(e.to_string()))?;
    let mut octets = [0u8; CODE_CESSION_LONGUEUR];
    rand::rngs::OsRng.fill_bytes(&mut octets);
    let code = CodeCession::from_random(&octets);
    let hash = state.hacheur.hacher(code.compact().to_owned()).await?;
    let now = state.now();
    let expire = now + Duration::days(CODE_CESSION_VALIDITE_JOURS);
    let mut donnees = Donnees::de(&d)?;
    donnees.clu_acceptees = clu;
    donnees.valide_le = Some(horodatage(now));
    donnees.code_cession_expire_le = Some(horodatage(expire));
    donnees.taxes = Some(Taxes::default());
    let d = state.repo.terminer_cession(&d, vers, &donnees.json()?, v.id, &hash, expire).await?;
    let v = state.repo.vehicule(v.id).await?;
    let mut vue = vue(state, &d, &v)?;
    vue.code_cession = Some(code.to_string());
    Ok(AppJson(vue))
}
