//! Les téléprocédures et le cycle de vie d'une démarche, commun à toutes.
//!
//! ```text
//! brouillon ──valider──▶ à payer ──payer──▶ paiement à enregistrer ──enregistrer──▶ terminée
//!     │                    ▲                                                       ▲
//!     │ soumettre          │ accepter                     (rien à payer) ──────────┘
//!     ▼                    │
//! en attente de contrôle par le CERT ⇄ correction demandée
//! (tout état non final) ──abandonner──▶ abandonnée
//! ```

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Teleprocedure {
    Duplicata,
    ChangementAdresse,
    Cession,
    ChangementTitulaire,
    /// Téléprocédure complémentaire (TPC).
    Complementaire,
}

impl Teleprocedure {
    pub const TOUTES: [Self; 5] =
        [Self::ChangementAdresse, Self::Cession, Self::ChangementTitulaire, Self::Duplicata, Self::Complementaire];

    /// Le titre, tel que le support l'écrit.
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Duplicata => "Demande de duplicata",
            Self::ChangementAdresse => "Changement d'adresse",
            Self::Cession => "Déclaration de cession",
            Self::ChangementTitulaire => "Changement de titulaire",
            Self::Complementaire => "Téléprocédure complémentaire",
        }
    }

    /// Le libellé du menu « Ajouter une demande ».
    pub fn libelle_menu(self) -> &'static str {
        match self {
            Self::Duplicata => "Je souhaite obtenir un duplicata (perte, vol, détérioration)",
            Self::ChangementAdresse => "Je change d'adresse",
            Self::Cession => "Je déclare la cession de mon véhicule",
            Self::ChangementTitulaire => "J'achète un véhicule d'occasion (changement de titulaire)",
            Self::Complementaire => "Je souhaite faire une autre demande",
        }
    }

    /// Le raccourci proposé sur la fiche d'un véhicule de l'usager (aucun pour
    /// une démarche qui ne part pas d'un véhicule à soi).
    pub fn raccourci(self) -> Option<&'static str> {
        match self {
            Self::ChangementAdresse => Some("Changer l'adresse"),
            Self::Cession => Some("Déclarer la cession"),
            Self::Duplicata => Some("Demander un duplicata"),
            Self::ChangementTitulaire | Self::Complementaire => None,
        }
    }

    /// La route de l'API où le SPA envoie l'étape « Saisie » (le serveur
    /// l'enregistre, le SPA y remplace `{numero}`).
    pub fn route_de_saisie(self) -> &'static str {
        match self {
            Self::ChangementAdresse => "/demarches/{numero}/adresse",
            Self::Cession => "/demarches/{numero}/cession",
            Self::ChangementTitulaire => "/demarches/{numero}/titulaire",
            Self::Duplicata => "/demarches/{numero}/duplicata",
            Self::Complementaire => "/demarches/{numero}/complementaire",
        }
    }

    /// Le segment d'URL de la procédure dans le SPA et l'API.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Duplicata => "duplicata",
            Self::ChangementAdresse => "changement-adresse",
            Self::Cession => "cession",
            Self::ChangementTitulaire => "changement-titulaire",
            Self::Complementaire => "complementaire",
        }
    }

    /// L'assistant de cette téléprocédure est-il construit ? (Le SPA montre
    /// sinon une page « pas encore disponible » et le serveur refuse de la
    /// démarrer.)
    pub fn disponible(self) -> bool {
        match self {
            Self::ChangementAdresse | Self::Cession | Self::ChangementTitulaire | Self::Duplicata | Self::Complementaire => true,
        }
    }

    /// Démarre-t-elle par le choix d'un motif (catégorie, sous-catégorie) ?
    pub fn demande_un_motif(self) -> bool {
        self == Self::Complementaire
    }

    /// La démarche transfère-t-elle le titre (vendeur → acquéreur) ? Les
    /// oppositions au transfert la bloquent.
    pub fn transfere_le_titre(self) -> bool {
        match self {
            Self::Cession | Self::ChangementTitulaire => true,
            Self::ChangementAdresse | Self::Duplicata | Self::Complementaire => false,
        }
    }

    /// Instruite par le CERT hors des règles de la démarche en ligne (la TPC) :
    /// une immatriculation suspendue ou annulée ne l'empêche pas.
    pub fn hors_demarche_en_ligne(self) -> bool {
        match self {
            Self::Complementaire => true,
            Self::ChangementAdresse | Self::Cession | Self::ChangementTitulaire | Self::Duplicata => false,
        }
    }

    /// Faite par l'acquéreur d'un véhicule déjà déclaré cédé.
    pub fn par_l_acquereur(self) -> bool {
        match self {
            Self::ChangementTitulaire => true,
            Self::ChangementAdresse | Self::Cession | Self::Duplicata | Self::Complementaire => false,
        }
    }

    pub fn depuis_slug(slug: &str) -> Option<Self> {
        Self::TOUTES.into_iter().find(|t| t.slug() == slug)
    }
}

/// Les étapes d'un assistant. Chaque téléprocédure dit lesquelles elle a et
/// leurs titres ([`Teleprocedure::etapes`]) ; `Fin` est l'écran « La demande
/// est terminée », hors de l'indicateur d'étapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Etape {
    Demarrage,
    Saisie,
    Verification,
    Recapitulatif,
    Paiement,
    Fin,
}

impl Teleprocedure {
    /// Les étapes de l'assistant et leurs titres, d'après le support.
    pub fn etapes(self) -> &'static [(Etape, &'static str)] {
        use Etape::*;
        const DEMARRER: (Etape, &str) = (Demarrage, "Démarrer la procédure");
        const VERIFIER: (Etape, &str) = (Verification, "Vérification de l'adresse");
        const RECAP: (Etape, &str) = (Recapitulatif, "Récapitulatif");
        const PAYER: (Etape, &str) = (Paiement, "Paiement en ligne");
        match self {
            Self::ChangementAdresse => &[DEMARRER, (Saisie, "Nouvelle adresse"), VERIFIER, RECAP],
            Self::Cession => &[DEMARRER, (Saisie, "Nouvel acquéreur"), VERIFIER, RECAP],
            Self::ChangementTitulaire => &[DEMARRER, (Saisie, "Nouveau titulaire"), VERIFIER, RECAP, PAYER],
            Self::Duplicata => &[DEMARRER, (Saisie, "Motif de la demande"), RECAP, PAYER],
            // « En fonction de la demande : une carte bancaire » : l'étape du
            // paiement n'est parcourue que si la demande mène à des taxes.
            Self::Complementaire => &[DEMARRER, (Saisie, "Objet de la demande et pièces jointes"), RECAP, PAYER],
        }
    }

    /// Le rang (1, 2…) et le titre d'une étape de cette téléprocédure.
    pub fn etape(self, e: Etape) -> Option<(u32, &'static str)> {
        self.etapes().iter().position(|(x, _)| *x == e).map(|i| (i as u32 + 1, self.etapes()[i].1))
    }

    /// L'étape de cette téléprocédure qui suit `e` dans l'ordre des étapes
    /// (même si `e` n'est pas l'une des siennes) ; `Fin` après la dernière.
    pub fn apres(self, e: Etape) -> Etape {
        self.etapes().iter().map(|(x, _)| *x).find(|x| *x > e).unwrap_or(Etape::Fin)
    }

    /// L'étape de cette téléprocédure qui précède `e` ; la première reste la
    /// première.
    pub fn avant(self, e: Etape) -> Etape {
        let etapes = self.etapes();
        etapes.iter().rev().map(|(x, _)| *x).find(|x| *x < e).unwrap_or(etapes[0].0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtatDemarche {
    Brouillon,
    EnAttenteCert,
    CorrectionDemandee,
    APayer,
    /// La carte a été acceptée ; il reste à « Cliquer ici pour enregistrer
    /// votre paiement ».
    Payee,
    Terminee,
    Abandonnee,
    /// Le CERT a refusé la demande (avec un message).
    Refusee,
}

impl EtatDemarche {
    pub const TOUS: [Self; 8] = [
        Self::Brouillon,
        Self::EnAttenteCert,
        Self::CorrectionDemandee,
        Self::APayer,
        Self::Payee,
        Self::Terminee,
        Self::Abandonnee,
        Self::Refusee,
    ];

    /// Le libellé affiché dans le panier et l'espace véhicule.
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Brouillon => "Brouillon",
            Self::EnAttenteCert => "En attente de contrôle par le CERT",
            Self::CorrectionDemandee => "Correction demandée",
            Self::APayer => "À payer",
            Self::Payee => "Paiement à enregistrer",
            Self::Terminee => "Terminée",
            Self::Abandonnee => "Abandonnée",
            Self::Refusee => "Refusée par le CERT",
        }
    }

    pub fn est_finale(self) -> bool {
        matches!(self, Self::Terminee | Self::Abandonnee | Self::Refusee)
    }

    /// L'usager peut « Reprendre la demande en cours ».
    pub fn reprenable(self) -> bool {
        matches!(self, Self::Brouillon | Self::CorrectionDemandee | Self::APayer | Self::Payee)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Brouillon => "brouillon",
            Self::EnAttenteCert => "en_attente_cert",
            Self::CorrectionDemandee => "correction_demandee",
            Self::APayer => "a_payer",
            Self::Payee => "payee",
            Self::Terminee => "terminee",
            Self::Abandonnee => "abandonnee",
            Self::Refusee => "refusee",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|e| e.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Action impossible : la démarche est « {} ».", .depuis.libelle())]
pub struct TransitionError {
    pub depuis: EtatDemarche,
    pub action: &'static str,
}

type Transition = Result<EtatDemarche, TransitionError>;

fn refus(depuis: EtatDemarche, action: &'static str) -> Transition {
    Err(TransitionError { depuis, action })
}

/// « Valider » au récapitulatif d'une demande qui attend le contrôle du
/// CERT (une pièce à vérifier) : elle est mise en attente.
pub fn soumettre_au_cert(e: EtatDemarche) -> Transition {
    match e {
        EtatDemarche::Brouillon => Ok(EtatDemarche::EnAttenteCert),
        _ => refus(e, "soumettre au CERT"),
    }
}

/// « Envoyer » : la réponse de l'usager à la note du CERT, seulement quand
/// une correction est demandée.
pub fn envoyer_reponse(e: EtatDemarche) -> Transition {
    match e {
        EtatDemarche::CorrectionDemandee => Ok(EtatDemarche::EnAttenteCert),
        _ => refus(e, "envoyer une réponse au CERT"),
    }
}

/// « Refuser la démarche » (CERT), avec un message : elle s'arrête là.
pub fn refuser(e: EtatDemarche) -> Transition {
    match e {
        EtatDemarche::EnAttenteCert => Ok(EtatDemarche::Refusee),
        _ => refus(e, "refuser"),
    }
}

/// Le CERT refuse une pièce jointe, avec un message.
pub fn demander_correction(e: EtatDemarche) -> Transition {
    match e {
        EtatDemarche::EnAttenteCert => Ok(EtatDemarche::CorrectionDemandee),
        _ => refus(e, "demander une correction"),
    }
}

/// Le CERT accepte les pièces : l'usager peut finaliser (payer, ou terminer
/// si rien n'est dû).
pub fn accepter(e: EtatDemarche, montant_du: bool) -> Transition {
    match e {
        EtatDemarche::EnAttenteCert if montant_du => Ok(EtatDemarche::APayer),
        EtatDemarche::EnAttenteCert => Ok(EtatDemarche::Terminee),
        _ => refus(e, "accepter"),
    }
}

/// « Valider » au récapitulatif (CLU cochées) : vers le paiement, ou
/// directement « La demande est terminée » si aucune taxe n'est due.
pub fn valider(e: EtatDemarche, montant_du: bool) -> Transition {
    match e {
        EtatDemarche::Brouillon if montant_du => Ok(EtatDemarche::APayer),
        EtatDemarche::Brouillon => Ok(EtatDemarche::Terminee),
        _ => refus(e, "valider"),
    }
}

/// La carte est acceptée (« Valider » sur l'écran de paiement).
pub fn payer(e: EtatDemarche) -> Transition {
    match e {
        EtatDemarche::APayer => Ok(EtatDemarche::Payee),
        _ => refus(e, "payer"),
    }
}

/// « Cliquer ici pour enregistrer votre paiement ».
pub fn enregistrer_paiement(e: EtatDemarche) -> Transition {
    match e {
        EtatDemarche::Payee => Ok(EtatDemarche::Terminee),
        _ => refus(e, "enregistrer le paiement"),
    }
}

/// L'étape où « Valider » laisse la démarche : la fin si elle est terminée,
/// sinon le récapitulatif (à payer, en attente du CERT).
pub fn etape_apres_validation(vers: EtatDemarche) -> Etape {
    match vers {
        EtatDemarche::Terminee => Etape::Fin,
        EtatDemarche::Brouillon
        | EtatDemarche::EnAttenteCert
        | EtatDemarche::CorrectionDemandee
        | EtatDemarche::APayer
        | EtatDemarche::Payee
        | EtatDemarche::Abandonnee
        | EtatDemarche::Refusee => Etape::Recapitulatif,
    }
}

/// L'usager abandonne sa demande. Une démarche payée ne s'abandonne plus.
pub fn abandonner(e: EtatDemarche) -> Transition {
    match e {
        EtatDemarche::Brouillon | EtatDemarche::EnAttenteCert | EtatDemarche::CorrectionDemandee | EtatDemarche::APayer => {
            Ok(EtatDemarche::Abandonnee)
        }
        _ => refus(e, "abandonner"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EtatDemarche::*;

    #[test]
    fn cas_sans_blocage_valider_payer_enregistrer() {
        let e = valider(Brouillon, true).unwrap();
        assert_eq!(e, APayer);
        let e = payer(e).unwrap();
        assert_eq!(e, Payee);
        assert_eq!(enregistrer_paiement(e), Ok(Terminee));
    }

    #[test]
    fn changement_d_adresse_gratuit_termine_a_la_validation() {
        assert_eq!(valider(Brouillon, false), Ok(Terminee));
    }

    #[test]
    fn mode_iteratif_refus_puis_acceptation_puis_finalisation() {
        // Julien PAUL : la demande est mise en attente…
        let e = soumettre_au_cert(Brouillon).unwrap();
        assert_eq!(e, EnAttenteCert);
        // … le CERT refuse la pièce jointe (illisible)…
        let e = demander_correction(e).unwrap();
        assert_eq!(e, CorrectionDemandee);
        // … il émet de nouveau sa déclaration (« Envoyer »)…
        let e = envoyer_reponse(e).unwrap();
        assert_eq!(e, EnAttenteCert);
        // … le CERT accepte, il finalise.
        let e = accepter(e, true).unwrap();
        assert_eq!(e, APayer);
        assert_eq!(enregistrer_paiement(payer(e).unwrap()), Ok(Terminee));
    }

    #[test]
    fn transitions_interdites() {
        assert!(payer(Brouillon).is_err());
        assert!(enregistrer_paiement(APayer).is_err());
        assert!(accepter(CorrectionDemandee, true).is_err());
        assert!(valider(EnAttenteCert, true).is_err());
        for e in [Payee, Terminee, Abandonnee, Refusee] {
            assert!(abandonner(e).is_err(), "{e:?}");
        }
        // « Envoyer » seulement quand une correction est demandée ; le CERT
        // n'accepte, ne refuse et ne demande de correction qu'en attente.
        for e in [Brouillon, EnAttenteCert, APayer, Payee, Terminee, Abandonnee, Refusee] {
            assert!(envoyer_reponse(e).is_err(), "{e:?}");
        }
        for e in [Brouillon, CorrectionDemandee, APayer, Payee, Terminee, Abandonnee, Refusee] {
            assert!(accepter(e, true).is_err(), "{e:?}");
            assert!(refuser(e).is_err(), "{e:?}");
            assert!(demander_correction(e).is_err(), "{e:?}");
        }
        assert_eq!(refuser(EnAttenteCert), Ok(Refusee));
        // Une demande en attente ne se re-soumet pas (pas de double envoi).
        assert!(soumettre_au_cert(EnAttenteCert).is_err());
        assert!(soumettre_au_cert(CorrectionDemandee).is_err());
        let err = payer(Terminee).unwrap_err();
        assert_eq!(err.to_string(), "Action impossible : la démarche est « Terminée ».");
    }

    #[test]
    fn aucun_etat_final_ne_repart() {
        for e in [Terminee, Abandonnee, Refusee] {
            assert!(e.est_finale());
            assert!(envoyer_reponse(e).is_err());
            assert!(refuser(e).is_err());
            assert!(soumettre_au_cert(e).is_err());
            assert!(demander_correction(e).is_err());
            assert!(accepter(e, true).is_err());
            assert!(valider(e, true).is_err());
            assert!(payer(e).is_err());
            assert!(enregistrer_paiement(e).is_err());
        }
    }

    #[test]
    fn etapes_des_assistants_d_apres_le_support() {
        use Etape::*;
        let titres: Vec<&str> = Teleprocedure::ChangementAdresse.etapes().iter().map(|(_, t)| *t).collect();
        assert_eq!(titres, ["Démarrer la procédure", "Nouvelle adresse", "Vérification de l'adresse", "Récapitulatif"]);
        assert_eq!(Teleprocedure::Cession.etape(Saisie), Some((2, "Nouvel acquéreur")));
        assert_eq!(Teleprocedure::Cession.apres(Saisie), Verification);
        assert_eq!(Teleprocedure::Cession.apres(Recapitulatif), Fin);
        assert_eq!(Teleprocedure::Cession.avant(Verification), Saisie);
        assert_eq!(Teleprocedure::Cession.avant(Demarrage), Demarrage);
        assert_eq!(Teleprocedure::Duplicata.etape(Saisie), Some((2, "Motif de la demande")));
        assert_eq!(Teleprocedure::Duplicata.etape(Verification), None);
        // Une étape que la téléprocédure n'a pas : la suivante dans l'ordre.
        assert_eq!(Teleprocedure::Duplicata.apres(Saisie), Recapitulatif);
        assert_eq!(Teleprocedure::Duplicata.apres(Verification), Recapitulatif);
        assert_eq!(Teleprocedure::Duplicata.apres(Paiement), Fin);
        assert_eq!(Teleprocedure::Duplicata.avant(Paiement), Recapitulatif);
        assert_eq!(Teleprocedure::Duplicata.avant(Recapitulatif), Saisie);
        assert_eq!(Teleprocedure::Duplicata.avant(Verification), Saisie);
        assert_eq!(Teleprocedure::Complementaire.apres(Saisie), Recapitulatif);
        assert_eq!(Teleprocedure::Complementaire.avant(Saisie), Demarrage);
        assert_eq!(Teleprocedure::Cession.avant(Fin), Recapitulatif);
        assert_eq!(Teleprocedure::ChangementTitulaire.etape(Paiement), Some((5, "Paiement en ligne")));
        for tp in Teleprocedure::TOUTES {
            assert_eq!(tp.etapes()[0], (Demarrage, "Démarrer la procédure"), "{tp:?}");
            assert!(tp.etapes().iter().all(|(e, _)| *e != Fin), "{tp:?}");
        }
    }

    #[test]
    fn routes_de_saisie_distinctes() {
        let routes: std::collections::BTreeSet<&str> = Teleprocedure::TOUTES.iter().map(|t| t.route_de_saisie()).collect();
        assert_eq!(routes.len(), Teleprocedure::TOUTES.len());
        assert!(routes.iter().all(|r| r.starts_with("/demarches/{numero}/") && !r.ends_with("/verification") && !r.ends_with("/valider")));
    }

    #[test]
    fn etape_apres_validation_selon_l_etat() {
        assert_eq!(etape_apres_validation(Terminee), Etape::Fin);
        assert_eq!(etape_apres_validation(APayer), Etape::Recapitulatif);
        assert_eq!(etape_apres_validation(EnAttenteCert), Etape::Recapitulatif);
    }

    #[test]
    fn codes_et_noms_serde_identiques() {
        for e in EtatDemarche::TOUS {
            assert_eq!(serde_json::to_value(e).unwrap(), e.code(), "{e:?}");
        }
        for p in crate::PourQui::TOUS {
            assert_eq!(serde_json::to_value(p).unwrap(), p.code(), "{p:?}");
        }
        for t in crate::procedures::TypePersonne::TOUS {
            assert_eq!(serde_json::to_value(t).unwrap(), t.code(), "{t:?}");
        }
        for c in [crate::api::Canal::Email, crate::api::Canal::Courrier] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.code(), "{c:?}");
        }
    }

    #[test]
    fn libelles_et_codes() {
        for e in EtatDemarche::TOUS {
            assert_eq!(EtatDemarche::depuis_code(e.code()), Some(e));
        }
        assert_eq!(APayer.libelle(), "À payer");
        assert_eq!(CorrectionDemandee.libelle(), "Correction demandée");
        assert_eq!(EnAttenteCert.libelle(), "En attente de contrôle par le CERT");
        for t in Teleprocedure::TOUTES {
            assert_eq!(Teleprocedure::depuis_slug(t.slug()), Some(t));
        }
    }
}
