//! Le fournisseur de service FranceConnect : un vrai client OpenID Connect
//! (crate `openidconnect`), flux « authorization code » avec `state`,
//! `nonce`, PKCE (S256) et `acr_values=eidas1`. Le jeton d'identité est
//! vérifié contre le JWKS du fournisseur (signature RS256 ou ES256,
//! émetteur, audience, expiration selon l'horloge injectée, nonce, niveau
//! eIDAS) ; l'identité pivot vient de l'endpoint `userinfo` (JSON ou JWT
//! signé), dont le `sub` doit être celui du jeton d'identité.
//!
//! Le fournisseur n'est qu'une configuration (URL d'émetteur, client,
//! secret) : le fournisseur local de démonstration
//! (`tools/franceconnect-local`, le paquet npm `oidc-provider`) ou
//! l'environnement d'intégration de FranceConnect.

use crate::clock::Clock;
use immat_domain::franceconnect::{niveau_accepte, EchecFranceConnect, IdentitePivot, NIVEAU_EIDAS, PORTEES};
use openidconnect::{
    core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken, CoreJsonWebKey, CoreJwsSigningAlgorithm},
    AdditionalClaims, AuthType, AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl, IssuerUrl,
    LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use tokio::sync::RwLock;

/// Durée pendant laquelle la découverte (métadonnées et JWKS) est gardée.
const DECOUVERTE_VALIDE: Duration = Duration::minutes(10);

/// Le client construit depuis la découverte : autorisation connue, jeton
/// et userinfo selon les métadonnées.
type ClientFc = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// La configuration d'un fournisseur FranceConnect.
#[derive(Debug, Clone)]
pub struct ConfigFranceConnect {
    pub emetteur: String,
    pub client_id: String,
    pub client_secret: String,
    /// L'adresse publique du service : le retour est
    /// `…/api/v1/auth/franceconnect/retour`, la sortie `…/connexion`.
    pub url_publique: String,
}

/// Les claims de FranceConnect hors du standard OpenID Connect.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClaimsFranceConnect {
    #[serde(default)]
    pub birthplace: Option<String>,
    #[serde(default)]
    pub birthcountry: Option<String>,
}
impl AdditionalClaims for ClaimsFranceConnect {}

/// Ce que garde le service entre le départ vers le fournisseur et le retour.
pub struct Autorisation {
    pub url: String,
    pub etat: String,
    pub nonce: String,
    pub verificateur_pkce: String,
}

/// Une identité reçue et vérifiée.
#[derive(Debug, Clone)]
pub struct IdentiteRecue {
    pub sub: String,
    pub pivot: IdentitePivot,
    /// Le jeton d'identité brut : l'indice de la déconnexion chez le
    /// fournisseur.
    pub id_token: String,
}

pub struct FranceConnect {
    config: ConfigFranceConnect,
    http: openidconnect::reqwest::Client,
    clock: Arc<dyn Clock>,
    decouverte: RwLock<Option<(ProviderMetadataWithLogout, OffsetDateTime)>>,
}

impl FranceConnect {
    pub fn new(config: ConfigFranceConnect, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        IssuerUrl::new(config.emetteur.clone())?;
        // Sans secret, un jeton HS256 se signerait avec une clé vide.
        anyhow::ensure!(!config.client_secret.is_empty(), "IMMAT_FC_CLIENT_SECRET est vide");
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Suivre une redirection ouvrirait la porte aux SSRF.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Self { config, http, clock, decouverte: RwLock::new(None) })
    }

    fn url_retour(&self) -> String {
        format!("{}/api/v1/auth/franceconnect/retour", self.config.url_publique.trim_end_matches('/'))
    }

    fn url_sortie(&self) -> String {
        format!("{}/connexion", self.config.url_publique.trim_end_matches('/'))
    }

    /// Les métadonnées du fournisseur (découverte et JWKS), gardées
    /// quelques minutes ; `forcer` les relit (une clé inconnue : rotation).
    async fn metadonnees(&self, forcer: bool) -> Result<ProviderMetadataWithLogout, EchecFranceConnect> {
        let maintenant = self.clock.now();
        if !forcer {
            if let Some((m, lu_le)) = self.decouverte.read().await.as_ref() {
                if maintenant - *lu_le < DECOUVERTE_VALIDE {
                    return Ok(m.clone());
                }
            }
        }
        let emetteur = IssuerUrl::new(self.config.emetteur.clone()).map_err(|_| EchecFranceConnect::Indisponible)?;
        let m = ProviderMetadataWithLogout::discover_async(emetteur, &self.http).await.map_err(|e| {
            tracing::warn!(erreur = %e, "FranceConnect : découverte impossible");
            EchecFranceConnect::Indisponible
        })?;
        *self.decouverte.write().await = Some((m.clone(), maintenant));
        Ok(m)
    }

    fn client(&self, m: ProviderMetadataWithLogout) -> Result<ClientFc, EchecFranceConnect> {
        let retour = RedirectUrl::new(self.url_retour()).map_err(|_| EchecFranceConnect::Indisponible)?;
        Ok(CoreClient::from_provider_metadata(
            m,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        // FranceConnect authentifie le client par `client_secret_post`.
        .set_auth_type(AuthType::RequestBody)
        .set_redirect_uri(retour))
    }

    /// L'adresse où envoyer le navigateur, et ce qu'il faut garder pour le
    /// retour.
    pub async fn autorisation(&self) -> Result<Autorisation, EchecFranceConnect> {
        let client = self.client(self.metadonnees(false).await?)?;
        let (defi, verificateur) = PkceCodeChallenge::new_random_sha256();
        let mut requete = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_auth_context_value(AuthenticationContextClass::new(NIVEAU_EIDAS.into()))
            .set_pkce_challenge(defi);
        for p in PORTEES.iter().filter(|p| **p != "openid") {
            requete = requete.add_scope(Scope::new((*p).into()));
        }
        let (url, etat, nonce) = requete.url();
        Ok(Autorisation {
            url: url.to_string(),
            etat: etat.secret().clone(),
            nonce: nonce.secret().clone(),
            verificateur_pkce: verificateur.secret().clone(),
        })
    }

    /// Échange le code, vérifie le jeton d'identité et lit l'identité pivot.
    pub async fn identite(&self, code: &str, verificateur_pkce: &str, nonce: &str) -> Result<IdentiteRecue, EchecFranceConnect> {
        let client = self.client(self.metadonnees(false).await?)?;
        let jetons = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| EchecFranceConnect::Indisponible)?
            .set_pkce_verifier(PkceCodeVerifier::new(verificateur_pkce.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                tracing::warn!(erreur = %e, "FranceConnect : échange du code refusé");
                EchecFranceConnect::Jeton
            })?;
        let id_token: &CoreIdToken = jetons.id_token().ok_or(EchecFranceConnect::Jeton)?;
        let claims = match self.verifier(&client, id_token, nonce) {
            Ok(c) => c,
            // Une clé inconnue : le fournisseur a peut-être changé de clé ;
            // une nouvelle découverte, une seule fois.
            Err(Refus { cle_inconnue: true }) => {
                let client = self.client(self.metadonnees(true).await?)?;
                self.verifier(&client, id_token, nonce).map_err(|_| EchecFranceConnect::Jeton)?
            }
            Err(_) => return Err(EchecFranceConnect::Jeton),
        };
        let sub = claims.subject().clone();
        let infos: UserInfoClaims<ClaimsFranceConnect, CoreGenderClaim> = client
            .user_info(jetons.access_token().clone(), Some(sub.clone()))
            .map_err(|_| EchecFranceConnect::Indisponible)?
            .request_async(&self.http)
            .await
            .map_err(|e| {
                tracing::warn!(erreur = %e, "FranceConnect : userinfo refusé");
                EchecFranceConnect::Jeton
            })?;
        let texte = |v: Option<String>| v.unwrap_or_default();
        let pivot = IdentitePivot {
            given_name: texte(infos.given_name().and_then(|l| l.get(None)).map(|v| v.to_string())),
            family_name: texte(infos.family_name().and_then(|l| l.get(None)).map(|v| v.to_string())),
            preferred_username: texte(infos.preferred_username().map(|v| v.to_string())),
            birthdate: texte(infos.birthdate().map(|v| v.to_string())),
            gender: texte(infos.gender().map(|g: &CoreGenderClaim| g.to_string())),
            birthplace: texte(infos.additional_claims().birthplace.clone()),
            birthcountry: texte(infos.additional_claims().birthcountry.clone()),
            email: texte(infos.email().map(|v| v.to_string())),
        };
        Ok(IdentiteRecue { sub: sub.to_string(), pivot, id_token: id_token.to_string() })
    }

    /// La vérification du jeton d'identité.
    fn verifier(&self, client: &ClientFc, id_token: &CoreIdToken, nonce: &str) -> Result<openidconnect::core::CoreIdTokenClaims, Refus> {
        let t = self.clock.now();
        // Hors de la plage de chrono : on refuse plutôt que de dater 1970.
        let maintenant = chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).ok_or(Refus { cle_inconnue: false })?;
        let verificateur = client
            .id_token_verifier()
            // Les seuls algorithmes de FranceConnect v2 (asymétriques) : pas de
            // HS256 signé avec le secret, pas de `none`, quoi qu'annonce la
            // découverte.
            .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, CoreJwsSigningAlgorithm::EcdsaP256Sha256])
            .set_time_fn(move || maintenant);
        let claims = id_token.claims(&verificateur, &Nonce::new(nonce.to_owned())).map_err(|e| {
            tracing::warn!(erreur = %e, "FranceConnect : jeton d'identité refusé");
            Refus {
                cle_inconnue: matches!(
                    e,
                    openidconnect::ClaimsVerificationError::SignatureVerification(openidconnect::SignatureVerificationError::NoMatchingKey)
                ),
            }
        })?;
        let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned()).unwrap_or_default();
        if !niveau_accepte(&acr) {
            tracing::warn!(acr, "FranceConnect : niveau eIDAS insuffisant");
            return Err(Refus { cle_inconnue: false });
        }
        Ok(claims.clone())
    }

    /// L'adresse de déconnexion chez le fournisseur (`end_session_endpoint`),
    /// avec le jeton d'identité en indice et le retour vers `/connexion`.
    pub async fn deconnexion(&self, id_token: &str) -> Option<String> {
        let m = self.metadonnees(false).await.ok()?;
        let fin: EndSessionUrl = m.additional_metadata().end_session_endpoint.clone()?;
        let jeton: CoreIdToken = id_token.parse().ok()?;
        let sortie = PostLogoutRedirectUrl::new(self.url_sortie()).ok()?;
        let url = LogoutRequest::from(fin)
            .set_id_token_hint(&jeton)
            .set_post_logout_redirect_uri(sortie)
            .set_state(CsrfToken::new_random())
            .http_get_url();
        Some(url.to_string())
    }
}

/// Un jeton d'identité refusé ; `cle_inconnue` : sa clé n'est pas dans le
/// JWKS connu (rotation possible).
#[derive(Debug, Clone, Copy)]
struct Refus {
    cle_inconnue: bool,
}

/// Une clé publique du JWKS (type nommé pour les tests).
pub type CleFournisseur = CoreJsonWebKey;
