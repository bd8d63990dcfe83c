//! Téléprocédure complémentaire (TPC) : « tous les cas qui ne peuvent être
//! traités par les autres téléprocédures ». Le motif (catégorie,
//! sous-catégorie) au démarrage, avec le numéro d'immatriculation là où il
//! concerne un véhicule immatriculé ; puis l'objet de la demande, l'identité
//! du titulaire, les pièces que le système propose ; « Démarrer la
//! procédure » quand chaque pièce obligatoire est jointe. Toujours instruite
//! par le CERT ; payée par carte après son acceptation quand elle mène à un
//! nouveau certificat.

use super::{
    commun::{
        adresse_du_vehicule, charger_vehicule_demarrage, enregistrer_saisie, nouveau_numero, situation_permet, taxes_de, titulaire_vue,
        valider_et_verifier, vehicule_fiscal, vue, Brouillon, Saisie,
    },
    pieces::exiger_pieces,
    *,
};
use crate::db::CompteRecord;
use axum::extract::State;
use immat_domain::api::CodeErreur;
use immat_domain::{
    demarche::etape_apres_validation,
    pieces::TypePiece,
    procedures::DetailsPropres,
    taxes::{Energie, Genre},
    tpc::{pieces_possibles, taxes_tpc, DetailsComplementaire, TaxesTpc, TpcSaisie},
};

pub struct Complementaire;

/// Démarches complémentaires en cours par compte, au plus (chacune est une
/// ligne et des pièces ; une seule par véhicule).
pub const EN_COURS_MAX: i64 = 10;

fn details(details: &DetailsDemarche) -> Option<&DetailsComplementaire> {
    DetailsComplementaire::de(details)
}

/// Parties 1 et 2 : l'objet, l'identité et l'adresse du titulaire, le
/// véhicule à immatriculer. L'adresse est vérifiée (commune au regard du
/// code postal) et retenue telle que reconnue.
impl Saisie for TpcSaisie {
    type Details = DetailsComplementaire;
    fn ranger(
        self,
        state: &AppState,
        details: &mut DetailsComplementaire,
        _: Option<&VehiculeRecord>,
        _: &DemarcheRecord,
    ) -> AppResult<()> {
        details.saisie = Some(self.clone());
        details.demande = None;
        let sc = details.sous_categorie().ok_or_else(|| DbError::Corrupt("motif de la téléprocédure complémentaire".into()))?;
        let (mut demande, mut adresse) = valider_et_verifier(state, self.valider(sc, state.now().date()), |d| &d.titulaire.adresse)?;
        adresse.retenir(false);
        if let Some(a) = adresse.retenue {
            demande.titulaire.adresse = a;
        }
        details.demande = Some(demande);
        Ok(())
    }
}

/// `PUT` de la saisie ; « Démarrer la procédure » mène au récapitulatif
/// seulement si chaque pièce obligatoire (selon la saisie) est jointe.
async fn saisir(State(state): State<AppState>, brouillon: Brouillon, AppJson(req): AppJson<TpcSaisie>) -> AppResult<AppJson<DemarcheVue>> {
    let Brouillon { d, v, mut donnees } = brouillon.de(Teleprocedure::Complementaire)?;
    let det = DetailsComplementaire::de_mut(&mut donnees.details)
        .ok_or_else(|| DbError::Corrupt(format!("détails de la démarche {}", d.numero)))?;
    let mut valide = req.ranger(&state, det, v.as_ref(), &d);
    let requises: Vec<TypePiece> = det.pieces_requises(d.pour_qui).iter().map(TypePiece::de_la_tpc).collect();
    if valide.is_ok() {
        // Des taxes qui ne se calculent pas (un domicile en collectivité
        // d'outre-mer, hors du SIV) : dit au champ du code postal.
        if let Err(AppError::Requete { code: CodeErreur::TaxesIncalculables, message, .. }) =
            taxes_de(&state, &Complementaire, &donnees.details, v.as_ref())
        {
            valide = Err(AppError::champ("adresse.code_postal", message));
            if let Some(det) = DetailsComplementaire::de_mut(&mut donnees.details) {
                det.demande = None;
            }
        }
    }
    if valide.is_ok() {
        valide = exiger_pieces(&requises, &state.repo.pieces_de(d.id).await?);
    }
    enregistrer_saisie(&state, d, v.as_ref(), donnees, valide).await
}

#[async_trait::async_trait]
impl Procedure for Complementaire {
    fn routes(&self) -> Routes {
        Routes::new().put(Teleprocedure::Complementaire.route_de_saisie(), saisir)
    }

    /// Le motif choisi, puis le véhicule là où le motif en demande un : pour
    /// soi, un véhicule du compte ; pour autrui, un véhicule inscrit (sans
    /// code confidentiel, la démarche ne montrera rien du registre).
    async fn demarrer(
        &self,
        state: &AppState,
        compte: &CompteRecord,
        req: &NouvelleDemarche,
        demarrage: Demarrage,
    ) -> AppResult<(StatusCode, DemarcheVue)> {
        let mut det = DetailsComplementaire { motif: req.motif.clone(), pour_qui: req.pour_qui, ..Default::default() };
        req.motif.valider().map_err(AppError::Validation)?;
        let pour_soi = req.pour_qui == PourQui::MoiMeme;
        let v = match demarrage.immatriculation.clone() {
            Some(immatriculation) => {
                let v = charger_vehicule_demarrage(state, compte, req.pour_qui, &immatriculation).await?;
                det.immatriculation = Some(immatriculation);
                Some(v)
            }
            None => None,
        };
        let donnees = match &v {
            // Pour soi : la situation du véhicule (un vol bloque), le
            // titulaire inscrit. Pour autrui, sans code : rien du registre,
            // pas même sa situation ; le CERT contrôle.
            Some(v) if pour_soi => Donnees {
                avertissement: situation_permet(v, Teleprocedure::Complementaire)?,
                ancienne_adresse: Some(adresse_du_vehicule(v)),
                titulaire: Some(titulaire_vue(v)),
                code_confidentiel_version: Some(v.code_confidentiel_version),
                ..Donnees::nouvelles(DetailsDemarche::Complementaire(det))
            },
            Some(v) => Donnees {
                code_confidentiel_version: Some(v.code_confidentiel_version),
                ..Donnees::nouvelles(DetailsDemarche::Complementaire(det))
            },
            None => Donnees::nouvelles(DetailsDemarche::Complementaire(det)),
        };
        let (d, cree) = state
            .repo
            .creer_demarche_plafonnee(
                &nouveau_numero(state.now()),
                compte.id,
                v.as_ref().map(|v| v.id),
                Teleprocedure::Complementaire,
                req.pour_qui,
                &donnees.json()?,
                EN_COURS_MAX,
            )
            .await?
            .ok_or_else(|| {
                AppError::Conflit(format!(
                    "Vous avez déjà {EN_COURS_MAX} demandes complémentaires en cours : terminez-en une avant d'en commencer une autre."
                ))
            })?;
        if !cree {
            // Une TPC en cours sur ce véhicule : la reprendre, si c'est la même.
            let existante = Donnees::de(&d)?;
            if details(&existante.details).map(|x| &x.motif) != Some(&req.motif) || d.pour_qui != req.pour_qui {
                return Err(AppError::Conflit(format!(
                    "Une demande complémentaire est déjà en cours pour ce véhicule ({}) : reprenez-la depuis votre espace véhicule.",
                    details(&existante.details).map(|x| x.motif.libelle()).unwrap_or_default()
                )));
            }
            return Ok((StatusCode::OK, vue(state, &d, v.as_ref()).await?));
        }
        Ok((StatusCode::CREATED, vue(state, &d, v.as_ref()).await?))
    }

    /// Le registre n'est montré qu'au titulaire qui fait la demande pour
    /// lui-même, sur un véhicule de son compte.
    fn montre_le_registre(&self, d: &DemarcheRecord, v: &VehiculeRecord) -> bool {
        d.pour_qui == PourQui::MoiMeme && v.compte_id == Some(d.compte_id)
    }

    /// La TPC n'écrit pas au registre : un nouveau code confidentiel ou une
    /// situation changée ne l'arrêtent pas (et ne se révèlent pas à un
    /// tiers) ; le CERT instruit.
    fn controle_le_registre(&self, _d: &DemarcheRecord, _v: &VehiculeRecord) -> bool {
        false
    }

    /// Le domicile déclaré du titulaire fixe la taxe régionale.
    fn contexte_fiscal(&self, d: &DetailsDemarche, v: Option<&VehiculeRecord>) -> ContexteFiscal {
        let t = details(d).and_then(|x| x.demande.as_ref()).map(|x| &x.titulaire);
        ContexteFiscal {
            code_postal: t.map(|t| t.adresse.code_postal.clone()).or_else(|| v.map(|v| v.adresse_code_postal.clone())).unwrap_or_default(),
            collection: t.is_some_and(|t| t.usage.collection()),
        }
    }

    /// Le barème de la sous-catégorie ; le véhicule déclaré (première
    /// immatriculation) ou inscrit.
    fn assiette(&self, d: &DetailsDemarche, v: Option<&VehiculeRecord>) -> AppResult<Option<(ObjetTaxe, VehiculeFiscal)>> {
        let Some(det) = details(d) else { return Ok(None) };
        let Some(sc) = det.sous_categorie() else { return Ok(None) };
        let bareme = taxes_tpc(sc);
        let objet = ObjetTaxe::Complementaire(bareme);
        let declare = det.demande.as_ref().and_then(|x| x.vehicule.as_ref());
        let fiscal = match (declare, v) {
            (Some(x), _) => VehiculeFiscal {
                genre: x.genre,
                energie: x.energie,
                puissance_cv: x.puissance_cv,
                date_premiere_immatriculation: x.mise_en_circulation.date(),
                ptac_kg: x.ptac_kg,
                collection: false,
                fni: false,
            },
            (None, Some(v)) => vehicule_fiscal(v)?,
            // Rien à payer : aucune taxe ne dépend du véhicule.
            (None, None) if bareme == TaxesTpc::Aucune => VehiculeFiscal {
                genre: Genre::Vp,
                energie: Energie::Essence,
                puissance_cv: 0,
                date_premiere_immatriculation: time::Date::MIN,
                ptac_kg: None,
                collection: false,
                fni: false,
            },
            (None, None) => return Ok(None),
        };
        Ok(Some((objet, fiscal)))
    }

    fn prete(&self, d: &DetailsDemarche) -> bool {
        details(d).is_some_and(|x| x.demande.is_some())
    }

    fn pieces_requises(&self, pour_qui: PourQui, d: &DetailsDemarche) -> Vec<TypePiece> {
        details(d).map(|x| x.pieces_requises(pour_qui).iter().map(TypePiece::de_la_tpc).collect()).unwrap_or_default()
    }

    /// Toutes les pièces que la sous-catégorie peut demander (la saisie en
    /// cours décide lesquelles sont obligatoires) ; aucune d'une autre.
    fn pieces_acceptees(&self, pour_qui: PourQui, d: &DetailsDemarche) -> Vec<TypePiece> {
        details(d)
            .and_then(DetailsComplementaire::sous_categorie)
            .map(|sc| pieces_possibles(sc, pour_qui).iter().map(TypePiece::de_la_tpc).collect())
            .unwrap_or_default()
    }

    /// Toujours examinée par le CERT, même sans pièce (véhicule diplomatique).
    fn instruite_par_le_cert(&self, _: PourQui, _: &DetailsDemarche) -> bool {
        true
    }

    fn documents(&self) -> &'static [Document] {
        &[Document::Recapitulatif]
    }

    /// « Un récapitulatif est disponible au téléchargement » dès l'envoi au
    /// CERT : ce qui a été envoyé (pas un brouillon, pas une demande
    /// abandonnée).
    fn document_disponible(&self, document: Document, etat: EtatDemarche, _details: &DetailsDemarche) -> bool {
        document == Document::Recapitulatif && !matches!(etat, EtatDemarche::Brouillon | EtatDemarche::Abandonnee)
    }

    fn recapitulatif(&self, pdf: &mut Pdf, donnees: &Donnees) {
        let Some(det) = details(&donnees.details) else { return };
        pdf.heading("Demande complémentaire");
        pdf.field("Motif", &det.motif.libelle());
        if let Some(i) = &det.immatriculation {
            pdf.field("Numéro d'immatriculation", &i.to_string());
        }
        let Some(demande) = &det.demande else { return };
        pdf.field("Objet de la demande", &demande.objet);
        if let Some(op) = demande.operation_circulation {
            pdf.field("Opération demandée", op.libelle());
        }
        if demande.vehicule_diplomatique {
            pdf.para("La demande concerne un véhicule diplomatique.");
        }
        pdf.heading("Titulaire du véhicule");
        pdf.field("Identité", &demande.titulaire.titulaire.libelle());
        pdf.field("Adresse", &demande.titulaire.adresse.une_ligne());
        if let Some(v) = &demande.vehicule {
            pdf.heading("Véhicule à immatriculer");
            pdf.field("VIN", &v.vin.to_string());
            pdf.field("Marque et dénomination", &format!("{} {}", v.marque, v.modele));
            pdf.field("Genre", v.genre.libelle());
            pdf.field("Énergie", v.energie.libelle());
            pdf.field("Puissance fiscale", &format!("{} CV", v.puissance_cv));
            if let Some(p) = &v.date_premiere_immatriculation {
                pdf.field("Première immatriculation (à l'étranger)", &p.to_string());
            }
        }
        let pieces = det.pieces_requises(det.pour_qui);
        pdf.heading("Pièces justificatives");
        if pieces.is_empty() {
            pdf.para("Aucune pièce justificative n'est demandée.");
        }
        for p in pieces {
            pdf.para(&format!("- {}", p.libelle));
        }
        if taxes_tpc_de(det) == Some(TaxesTpc::PremiereImmatriculation) {
            pdf.para("Le malus (Y3) n'est pas calculé par ce service : le CERT le fixe s'il est dû.");
        }
    }

    /// Après l'acceptation du CERT et, s'il y a lieu, le paiement : la
    /// démarche est écrite ; le CERT produit lui-même le certificat.
    async fn terminer(&self, Validation { state, d, donnees, vers, .. }: Validation<'_>) -> AppResult<(DemarcheRecord, Option<String>)> {
        let d = state.repo.changer_etat(d, vers, etape_apres_validation(vers), &donnees.json()?).await?;
        Ok((d, None))
    }
}

fn taxes_tpc_de(det: &DetailsComplementaire) -> Option<TaxesTpc> {
    det.sous_categorie().map(taxes_tpc)
}
