//! Le prestataire de paiement de démonstration, sur le modèle de PayFiP
//! (DGFiP) : un service **distinct** de l'API des démarches, servi par le
//! même binaire sous `/payfip`, avec ses propres tables.
//!
//! 1. Le service crée une opération ([`PrestatairePaiement::creer`]) :
//!    référence de la dette (`refdet`), montant en centimes, objet, URL de
//!    notification, URL de retour ; il reçoit l'identifiant `idop`.
//! 2. L'usager paie sur la page du prestataire (`/payfip/paiement?idop=…`).
//! 3. Le prestataire notifie le service de serveur à serveur (`urlnotif`,
//!    corps `{"idop": …}`) ; le service ne croit pas la notification : il
//!    interroge le prestataire ([`PrestatairePaiement::detail`]), comme
//!    `recupererDetailPaiementSecurise`.
//!
//! Cartes du bac à sable (README) : 4111 1111 1111 1111 acceptée,
//! 4000 0000 0000 0002 refusée, 4000 0000 0000 3220 défi 3-D Secure (code
//! 123456), toute autre carte valide acceptée. Le numéro de carte n'est ni
//! conservé ni journalisé : ses 4 derniers chiffres seulement.

mod pages;

use crate::{
    clock::Clock,
    db::{OperationRecord, Repository},
};
use immat_domain::paiement::ResultatTransaction;
use rand::RngCore;
use std::{sync::Arc, time::Duration};
use time::OffsetDateTime;

pub use pages::routes;

/// Ce que le service demande au prestataire.
#[derive(Debug, Clone)]
pub struct DemandeOperation {
    pub refdet: String,
    pub montant_centimes: i64,
    pub objet: String,
    pub urlnotif: Option<String>,
    pub urlredirect: String,
}

/// Ce que le prestataire répond sur une opération.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailOperation {
    pub idop: String,
    pub refdet: String,
    pub montant_centimes: i64,
    /// `None` : l'usager n'a pas encore conclu.
    pub resultrans: Option<ResultatTransaction>,
    pub carte_fin: Option<String>,
    pub numauto: Option<String>,
    pub traite_le: Option<OffsetDateTime>,
}

/// Le prestataire, vu du service des démarches.
#[async_trait::async_trait]
pub trait PrestatairePaiement: Send + Sync + 'static {
    async fn creer(&self, demande: DemandeOperation) -> anyhow::Result<String>;
    async fn detail(&self, idop: &str) -> anyhow::Result<Option<DetailOperation>>;
}

/// Le bac à sable : ses opérations en base, sa notification par HTTP.
#[derive(Clone)]
pub struct BacASable {
    repo: Arc<dyn Repository>,
    clock: Arc<dyn Clock>,
    delai_notification: Duration,
}

impl BacASable {
    pub fn new(repo: Arc<dyn Repository>, clock: Arc<dyn Clock>, delai_notification: Duration) -> Self {
        Self { repo, clock, delai_notification }
    }

    /// L'opération ; ouverte depuis plus d'une heure sans être conclue, elle
    /// est abandonnée (comme une session de paiement expirée) : plus rien
    /// n'est débité au montant d'hier, et le rapprochement cesse de la
    /// demander.
    async fn operation(&self, idop: &str) -> anyhow::Result<Option<OperationRecord>> {
        let Some(op) = self.repo.payfip_operation(idop).await? else {
            return Ok(None);
        };
        if op.resultrans.is_none() && self.clock.now() - op.cree_le > OPERATION_VALIDITE {
            self.conclure(&op, ResultatTransaction::Abandonne, None).await?;
            return Ok(self.repo.payfip_operation(idop).await?);
        }
        Ok(Some(op))
    }

    /// Conclut l'opération (une seule fois) puis notifie le service.
    async fn conclure(&self, op: &OperationRecord, r: ResultatTransaction, carte_fin: Option<&str>) -> anyhow::Result<bool> {
        let numauto = (r == ResultatTransaction::Paye).then(|| format!("{:06}", rand::rngs::OsRng.next_u32() % 1_000_000));
        let conclue = self.repo.payfip_conclure(&op.idop, r, carte_fin, numauto.as_deref(), self.clock.now()).await?;
        if conclue {
            tracing::info!(idop = %op.idop, refdet = %op.refdet, resultat = r.code(), "opération conclue");
            if let Some(url) = op.urlnotif.clone() {
                let (moi, idop) = (self.clone(), op.idop.clone());
                tokio::spawn(async move { moi.notifier(&url, &idop).await });
            }
        }
        Ok(conclue)
    }

    /// La notification de serveur à serveur, après le délai configuré. Un
    /// échec n'est que journalisé : le rapprochement du service la rattrape.
    async fn notifier(&self, url: &str, idop: &str) {
        tokio::time::sleep(self.delai_notification).await;
        match envoyer_notification(url, idop).await {
            Ok(status) if status.is_success() => {
                if let Err(e) = self.repo.payfip_notifiee(idop, self.clock.now()).await {
                    tracing::warn!(error = %e, "notification non marquée");
                }
            }
            Ok(status) => tracing::warn!(%status, idop, "notification refusée par le service"),
            Err(e) => tracing::warn!(error = %e, idop, "notification impossible (le rapprochement la rattrapera)"),
        }
    }
}

async fn envoyer_notification(url: &str, idop: &str) -> anyhow::Result<hyper::StatusCode> {
    use http_body_util::Full;
    use hyper_util::{client::legacy::Client, rt::TokioExecutor};
    let client: Client<_, Full<hyper::body::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let corps = serde_json::to_vec(&serde_json::json!({ "idop": idop }))?;
    let req = hyper::Request::post(url).header(hyper::header::CONTENT_TYPE, "application/json").body(Full::from(corps))?;
    let resp = tokio::time::timeout(Duration::from_secs(10), client.request(req)).await??;
    Ok(resp.status())
}

/// Un identifiant d'opération de 36 caractères, comme ceux de PayFiP.
fn nouvel_idop() -> String {
    let mut o = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut o);
    let h: String = o.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

#[async_trait::async_trait]
impl PrestatairePaiement for BacASable {
    async fn creer(&self, d: DemandeOperation) -> anyhow::Result<String> {
        anyhow::ensure!(d.montant_centimes >= 100, "montant inférieur à 1 €");
        let op = OperationRecord {
            idop: nouvel_idop(),
            refdet: d.refdet,
            montant_centimes: d.montant_centimes,
            objet: d.objet,
            urlnotif: d.urlnotif,
            urlredirect: d.urlredirect,
            resultrans: None,
            defi: false,
            carte_fin: None,
            numauto: None,
            cree_le: self.clock.now(),
            traite_le: None,
        };
        self.repo.payfip_creer(&op).await?;
        Ok(op.idop)
    }

    async fn detail(&self, idop: &str) -> anyhow::Result<Option<DetailOperation>> {
        Ok(self.operation(idop).await?.map(|op| DetailOperation {
            idop: op.idop,
            refdet: op.refdet,
            montant_centimes: op.montant_centimes,
            resultrans: op.resultrans,
            carte_fin: op.carte_fin,
            numauto: op.numauto,
            traite_le: op.traite_le,
        }))
    }
}

/// Durée pendant laquelle une opération peut être payée.
pub const OPERATION_VALIDITE: time::Duration = time::Duration::hours(1);

/// Ce que le bac à sable fait d'une carte valide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    Acceptee,
    Refusee,
    Defi3ds,
}

pub const CARTE_ACCEPTEE: &str = "4111111111111111";
pub const CARTE_REFUSEE: &str = "4000000000000002";
pub const CARTE_3DS: &str = "4000000000003220";
/// Le code à usage unique du défi 3-D Secure du bac à sable.
pub const CODE_3DS: &str = "123456";

pub fn issue(numero: &str) -> Issue {
    match numero {
        CARTE_REFUSEE => Issue::Refusee,
        CARTE_3DS => Issue::Defi3ds,
        _ => Issue::Acceptee,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cartes_du_bac_a_sable_valides_et_distinctes() {
        for c in [CARTE_ACCEPTEE, CARTE_REFUSEE, CARTE_3DS] {
            assert!(immat_domain::NumeroCarte::parse(c).is_ok(), "{c}");
        }
        assert_eq!(issue(CARTE_ACCEPTEE), Issue::Acceptee);
        assert_eq!(issue(CARTE_REFUSEE), Issue::Refusee);
        assert_eq!(issue(CARTE_3DS), Issue::Defi3ds);
        assert_eq!(issue("5555555555554444"), Issue::Acceptee);
    }

    #[test]
    fn idop_de_36_caracteres() {
        let a = nouvel_idop();
        assert_eq!(a.len(), 36);
        assert_ne!(a, nouvel_idop());
    }
}
