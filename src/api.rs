//! Le client de l'API `/api/v1`, seul endroit du SPA qui parle HTTP.
//!
//! Toute erreur devient un [`ClientError`] : l'erreur JSON de l'API
//! (message en français, erreurs par champ) ou l'indisponibilité du service.

use gloo_net::http::{Request, Response};
use immat_domain::api::{ApiError, EspaceVehicule, LoginRequest, Utilisateur};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

const BASE: &str = "/api/v1";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Api(ApiError),
    #[error("Le service est injoignable. Vérifiez votre connexion puis réessayez.")]
    Injoignable,
    #[error("Le serveur a renvoyé une réponse inattendue. Veuillez réessayer.")]
    Reponse,
}

impl ClientError {
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }
    pub fn non_authentifie(&self) -> bool {
        self.api().is_some_and(|e| e.code == immat_domain::api::CodeErreur::NonAuthentifie)
    }
}

pub type ApiResult<T> = Result<T, ClientError>;

// Le JSON est décodé et encodé par le navigateur (`JSON.parse`,
// `JSON.stringify`) et converti par serde-wasm-bindgen : serde_json n'entre
// pas dans le wasm (mesuré : voir le README, « Poids du premier chargement »).

/// Le corps JSON d'une réponse, décodé en `T`.
async fn decoder<T: DeserializeOwned>(resp: &Response) -> Option<T> {
    let texte = resp.text().await.ok()?;
    let valeur = js_sys::JSON::parse(&texte).ok()?;
    serde_wasm_bindgen::from_value(valeur).ok()
}

/// Un corps de requête en texte JSON (objets JavaScript simples : les
/// tables deviennent des objets, les entiers des nombres).
fn encoder<B: Serialize>(corps: &B) -> ApiResult<String> {
    let valeur = corps.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|_| ClientError::Reponse)?;
    js_sys::JSON::stringify(&valeur).map(String::from).map_err(|_| ClientError::Reponse)
}

/// Le corps des requêtes qui n'envoient rien : `{}`.
#[derive(Serialize)]
struct Vide {}

/// L'erreur JSON de l'API, ou ce que vaut une réponse sans elle.
async fn erreur(resp: &Response) -> ClientError {
    match decoder::<ApiError>(resp).await {
        Some(e) => ClientError::Api(e),
        // Un proxy ou un serveur arrêté répond sans corps JSON.
        None if resp.status() >= 500 => ClientError::Injoignable,
        None => ClientError::Reponse,
    }
}

async fn read<T: DeserializeOwned>(resp: Response) -> ApiResult<T> {
    if resp.ok() {
        decoder(&resp).await.ok_or(ClientError::Reponse)
    } else {
        Err(erreur(&resp).await)
    }
}

async fn read_empty(resp: Response) -> ApiResult<()> {
    if resp.ok() {
        Ok(())
    } else {
        Err(erreur(&resp).await)
    }
}

async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    let resp = Request::get(&format!("{BASE}{path}")).send().await.map_err(|_| ClientError::Injoignable)?;
    read(resp).await
}

/// Envoie `corps` en JSON ; la réponse brute.
async fn envoyer<B: Serialize>(builder: gloo_net::http::RequestBuilder, corps: &B) -> ApiResult<Response> {
    builder
        .header("Content-Type", "application/json")
        .body(encoder(corps)?)
        .map_err(|_| ClientError::Reponse)?
        .send()
        .await
        .map_err(|_| ClientError::Injoignable)
}

async fn send_json<B: Serialize, T: DeserializeOwned>(builder: gloo_net::http::RequestBuilder, body: &B) -> ApiResult<T> {
    read(envoyer(builder, body).await?).await
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send_json(Request::post(&format!("{BASE}{path}")), body).await
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClientConfig {
    pub bandeau_demo: Option<String>,
    /// « S'identifier avec FranceConnect » est configuré sur le serveur.
    #[serde(default)]
    pub franceconnect: bool,
}

pub async fn config() -> ApiResult<ClientConfig> {
    get("/config").await
}

/// L'usager connecté, ou `None` sans session.
pub async fn me() -> ApiResult<Option<Utilisateur>> {
    match get::<Utilisateur>("/auth/me").await {
        Ok(u) => Ok(Some(u)),
        Err(e) if e.non_authentifie() => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn login(req: &LoginRequest) -> ApiResult<Utilisateur> {
    post("/auth/login", req).await
}

/// « Mon compte » : l'identité et les sessions ouvertes.
pub async fn mon_compte() -> ApiResult<immat_domain::compte::MonCompte> {
    get("/compte").await
}

/// Un `POST` sans réponse (204).
async fn post_vide<B: Serialize>(path: &str, body: &B) -> ApiResult<()> {
    read_empty(envoyer(Request::post(&format!("{BASE}{path}")), body).await?).await
}

/// « Se déconnecter partout ».
pub async fn deconnexion_partout() -> ApiResult<()> {
    post_vide("/compte/deconnexion-partout", &Vide {}).await
}

/// « Supprimer mon compte ».
pub async fn supprimer_compte(mot_de_passe: String) -> ApiResult<()> {
    post_vide("/compte/suppression", &immat_domain::compte::SuppressionCompte { mot_de_passe }).await
}

/// Déconnexion ; une session FranceConnect rend l'adresse de la
/// déconnexion chez le fournisseur.
pub async fn logout() -> ApiResult<Option<String>> {
    let resp = envoyer(Request::post(&format!("{BASE}/auth/logout")), &Vide {}).await?;
    if resp.status() == 200 {
        read::<Redirection>(resp).await.map(|r| Some(r.url))
    } else {
        read_empty(resp).await.map(|()| None)
    }
}

use immat_domain::franceconnect::{CertificationCompte, Redirection};

/// « S'identifier avec FranceConnect » : l'adresse du fournisseur.
pub async fn franceconnect() -> ApiResult<String> {
    post::<_, Redirection>("/auth/franceconnect", &Vide {}).await.map(|r| r.url)
}

/// « Certifier mon compte avec FranceConnect » (mot de passe exigé).
pub async fn certifier_franceconnect(mot_de_passe: String) -> ApiResult<String> {
    post::<_, Redirection>("/compte/franceconnect", &CertificationCompte { mot_de_passe }).await.map(|r| r.url)
}

pub async fn espace() -> ApiResult<EspaceVehicule> {
    get("/espace").await
}

/// « Ajouter un véhicule » : le numéro et le code confidentiel.
pub async fn ajouter_vehicule(req: &immat_domain::rattachement::AjoutVehicule) -> ApiResult<immat_domain::rattachement::VehiculeAjoute> {
    post("/vehicules", req).await
}

// --- Démarches -------------------------------------------------------------

use immat_domain::procedures::{
    ChoixVerification, DemandeCodeConfidentiel, DemarcheVue, EnvoiCodeConfidentiel, NouvelleDemarche, ValidationDemarche,
};

async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send_json(Request::put(&format!("{BASE}{path}")), body).await
}

pub async fn demarrer(req: &NouvelleDemarche) -> ApiResult<DemarcheVue> {
    post("/demarches", req).await
}

pub async fn demarche(numero: &str) -> ApiResult<DemarcheVue> {
    get(&format!("/demarches/{numero}")).await
}

/// L'étape « Saisie » d'une téléprocédure, à sa route (donnée par le
/// domaine), avec le corps qui lui est propre.
pub async fn saisir<B: Serialize>(tp: immat_domain::Teleprocedure, numero: &str, req: &B) -> ApiResult<DemarcheVue> {
    put(&tp.route_de_saisie().replace("{numero}", numero), req).await
}

pub async fn verification(numero: &str, accepter: bool) -> ApiResult<DemarcheVue> {
    put(&format!("/demarches/{numero}/verification"), &ChoixVerification { accepter }).await
}

pub async fn valider(numero: &str, clu: Vec<String>) -> ApiResult<DemarcheVue> {
    post(&format!("/demarches/{numero}/valider"), &ValidationDemarche { clu }).await
}

/// « Payer » : la page du prestataire de paiement où aller.
pub async fn payer(numero: &str) -> ApiResult<immat_domain::paiement::PaiementInitie> {
    post(&format!("/demarches/{numero}/paiements"), &Vide {}).await
}

/// « Cliquer ici pour enregistrer votre paiement » : la démarche à jour.
pub async fn verifier_paiement(numero: &str) -> ApiResult<DemarcheVue> {
    post(&format!("/demarches/{numero}/paiements/verifier"), &Vide {}).await
}

pub async fn demander_code(req: &DemandeCodeConfidentiel) -> ApiResult<EnvoiCodeConfidentiel> {
    post("/code-confidentiel/demande", req).await
}

use immat_domain::habilitation::{DeclarationHabilitation, HabilitationVue, RefusHabilitation};

/// Le compte d'une société déclare son habilitation de professionnel.
pub async fn declarer_habilitation(req: &DeclarationHabilitation) -> ApiResult<HabilitationVue> {
    post("/compte/habilitation", req).await
}

/// Les habilitations en attente de vérification (CERT).
pub async fn habilitations_en_attente() -> ApiResult<Vec<HabilitationVue>> {
    get("/cert/habilitations").await
}

pub async fn approuver_habilitation(id: i64) -> ApiResult<()> {
    post_vide(&format!("/cert/habilitations/{id}/approuver"), &Vide {}).await
}

pub async fn refuser_habilitation(id: i64, req: &RefusHabilitation) -> ApiResult<()> {
    post_vide(&format!("/cert/habilitations/{id}/refuser"), req).await
}

pub async fn envois() -> ApiResult<Vec<immat_domain::api::Envoi>> {
    get("/cert/envois").await
}

// --- Pièces jointes et échanges avec le CERT ---------------------------------

use immat_domain::pieces::{AcceptationPiece, DemandeCorrection, DossierCert, FileCert, RefusDemarche, ReponseUsager, TypePiece};

/// Envoie une pièce : le corps est le fichier lui-même, son nom d'origine en
/// paramètre (le serveur le garde comme simple information).
pub async fn deposer_piece(numero: &str, t: TypePiece, fichier: &web_sys::File) -> ApiResult<DemarcheVue> {
    let nom = String::from(js_sys::encode_uri_component(&fichier.name()));
    let type_mime = fichier.type_();
    let resp = Request::post(&format!("{BASE}/demarches/{numero}/pieces/{}?nom={nom}", t.code()))
        .header("Content-Type", if type_mime.is_empty() { "application/octet-stream" } else { &type_mime })
        .body(wasm_bindgen::JsValue::from(fichier.clone()))
        .map_err(|_| ClientError::Reponse)?
        .send()
        .await
        .map_err(|_| ClientError::Injoignable)?;
    read(resp).await
}

/// « Abandonner la demande » (brouillon, ou correction demandée).
pub async fn abandonner(numero: &str) -> ApiResult<()> {
    post_vide(&format!("/demarches/{numero}/abandonner"), &Vide {}).await
}

/// « Envoyer » : la réponse à la note du CERT.
pub async fn envoyer_reponse(numero: &str, message: String) -> ApiResult<DemarcheVue> {
    post(&format!("/demarches/{numero}/envoyer"), &ReponseUsager { message }).await
}

// --- Back office du CERT -----------------------------------------------------

pub async fn file_cert(etat: &str, teleprocedure: &str) -> ApiResult<FileCert> {
    let etat = String::from(js_sys::encode_uri_component(etat));
    let tp = String::from(js_sys::encode_uri_component(teleprocedure));
    get(&format!("/cert/demarches?etat={etat}&teleprocedure={tp}")).await
}

pub async fn dossier_cert(numero: &str) -> ApiResult<DossierCert> {
    get(&format!("/cert/demarches/{numero}")).await
}

pub async fn prendre(numero: &str) -> ApiResult<DossierCert> {
    post(&format!("/cert/demarches/{numero}/prendre"), &Vide {}).await
}

pub async fn liberer(numero: &str) -> ApiResult<DossierCert> {
    post(&format!("/cert/demarches/{numero}/liberer"), &Vide {}).await
}

/// « Accepter la pièce » ; sans pièce : « Accepter la demande ».
pub async fn accepter_piece(numero: &str, piece_id: Option<i64>) -> ApiResult<DossierCert> {
    post(&format!("/cert/demarches/{numero}/accepter"), &AcceptationPiece { piece_id }).await
}

pub async fn demander_correction(numero: &str, req: &DemandeCorrection) -> ApiResult<DossierCert> {
    post(&format!("/cert/demarches/{numero}/correction"), req).await
}

pub async fn refuser_demarche(numero: &str, refus: &RefusDemarche) -> ApiResult<DossierCert> {
    post(&format!("/cert/demarches/{numero}/refuser"), refus).await
}

// --- Comptes ----------------------------------------------------------------

use immat_domain::compte::{DemandeReinitialisation, InscriptionSaisie, Jeton, NouveauMotDePasse};

/// La réponse des routes de compte : un message à montrer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MessageServeur {
    pub message: String,
}

pub async fn inscription(req: &InscriptionSaisie) -> ApiResult<MessageServeur> {
    post("/auth/inscription", req).await
}

pub async fn confirmer_compte(jeton: &str) -> ApiResult<MessageServeur> {
    post("/auth/confirmation", &Jeton { jeton: jeton.to_owned() }).await
}

/// Le lien reçu à la nouvelle adresse électronique.
pub async fn confirmer_adresse(jeton: &str) -> ApiResult<MessageServeur> {
    post("/auth/confirmation-adresse", &Jeton { jeton: jeton.to_owned() }).await
}

/// « Changer d'adresse électronique ».
pub async fn changer_adresse(req: &immat_domain::compte::ChangementAdresseElectronique) -> ApiResult<MessageServeur> {
    post("/compte/adresse-electronique", req).await
}

pub async fn mot_de_passe_oublie(req: &DemandeReinitialisation) -> ApiResult<MessageServeur> {
    post("/auth/mot-de-passe-oublie", req).await
}

pub async fn nouveau_mot_de_passe(req: &NouveauMotDePasse) -> ApiResult<MessageServeur> {
    post("/auth/mot-de-passe", req).await
}
