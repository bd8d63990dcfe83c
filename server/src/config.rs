//! Configuration, par options de ligne de commande ou variables
//! d'environnement (`IMMAT_…`).

use std::path::PathBuf;

/// Le bandeau affiché en mode démonstration.
pub const BANDEAU_DEMO: &str = "Environnement de démonstration — service non officiel";

/// Le domaine des adresses des comptes de démonstration.
pub const DOMAINE_DEMO: &str = "demo.immat.fr";

#[derive(Debug, Clone, clap::Parser)]
#[command(name = "immat-server", about = "Immat — téléprocédures du certificat d'immatriculation (démonstration)")]
pub struct Config {
    /// Adresse d'écoute.
    #[arg(long, env = "IMMAT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// URL de la base : `sqlite:chemin.db` (par défaut, `immat.db` dans le
    /// dossier de données) ou `postgres://utilisateur:secret@hôte/base`
    /// (plusieurs instances du serveur sur une même base).
    #[arg(long, env = "IMMAT_DATABASE_URL")]
    pub database_url: Option<String>,
    /// PostgreSQL : connexions ouvertes au plus par instance.
    #[arg(long, env = "IMMAT_DB_MAX_CONNEXIONS", default_value_t = 16)]
    pub db_max_connexions: u32,
    /// Dossier des données (base SQLite, documents générés).
    #[arg(long, env = "IMMAT_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Dossier du SPA construit par Trunk.
    #[arg(long, env = "IMMAT_DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// Mode démonstration : comptes et véhicules de démonstration, bandeau
    /// « service non officiel ». Désactivé par défaut ; la commande du README
    /// l'active.
    #[arg(long, env = "IMMAT_DEMO", default_value_t = false, action = clap::ArgAction::Set)]
    pub demo: bool,
    /// Le bandeau « Environnement de démonstration » est affiché même hors du
    /// mode démonstration (par défaut : oui, ce service n'est pas officiel).
    #[arg(long, env = "IMMAT_BANDEAU", default_value_t = true, action = clap::ArgAction::Set)]
    pub bandeau: bool,
    /// Tests seulement : jeton qui ouvre `POST /api/v1/demo/reinitialiser`
    /// (en-tête `X-Immat-Test-Token`), en mode démonstration. Sans lui, la
    /// route n'existe pas.
    #[arg(long, env = "IMMAT_TEST_RESET_TOKEN")]
    pub test_reset_token: Option<String>,
    /// Cookies `Secure` et HSTS (à activer derrière HTTPS).
    #[arg(long, env = "IMMAT_SECURE_COOKIES", default_value_t = false, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,
    /// Derrière un proxy inverse : l'en-tête qui porte l'adresse du client
    /// (par exemple `X-Forwarded-For`, dont la dernière adresse est prise).
    /// Sans lui, l'adresse du pair TCP.
    #[arg(long, env = "IMMAT_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
    /// Relais SMTP pour les e-mails (`smtp://hôte:port`, sans TLS : un relais
    /// local). Sans lui, les e-mails restent dans la boîte d'envoi.
    #[arg(long, env = "IMMAT_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Expéditeur des e-mails.
    #[arg(long, env = "IMMAT_SMTP_FROM", default_value = "Immat <ne-pas-repondre@immat.demo>")]
    pub smtp_from: String,
    /// Durée d'une session, en heures.
    #[arg(long, env = "IMMAT_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: i64,

    /// L'adresse où le prestataire de paiement notifie le service
    /// (`http://hôte:port`). Par défaut : l'adresse d'écoute du serveur.
    #[arg(long, env = "IMMAT_URL_INTERNE")]
    pub url_interne: Option<String>,

    /// L'adresse publique du service, pour les liens envoyés par e-mail
    /// (confirmation d'un compte, nouveau mot de passe).
    #[arg(long, env = "IMMAT_URL_PUBLIQUE", default_value = "http://127.0.0.1:8080")]
    pub url_publique: String,

    /// Délai (ms) avant que le prestataire de paiement de démonstration
    /// n'envoie sa notification (les tests l'allongent pour arrêter le
    /// serveur entre l'acceptation et la notification).
    #[arg(long, env = "IMMAT_PAYFIP_DELAI_NOTIFICATION_MS", default_value_t = 0)]
    pub payfip_delai_notification_ms: u64,

    /// FranceConnect : l'URL de l'émetteur OpenID Connect (découverte sous
    /// `/.well-known/openid-configuration`). Sans elle, « S'identifier avec
    /// FranceConnect » dit que le service n'est pas configuré. La commande du
    /// README pointe vers le fournisseur local (`tools/franceconnect-local`).
    #[arg(long, env = "IMMAT_FC_EMETTEUR")]
    pub fc_emetteur: Option<String>,
    /// FranceConnect : l'identifiant du fournisseur de service.
    #[arg(long, env = "IMMAT_FC_CLIENT_ID", default_value = "immat-demo")]
    pub fc_client_id: String,
    /// FranceConnect : le secret du fournisseur de service.
    #[arg(long, env = "IMMAT_FC_CLIENT_SECRET", default_value = "")]
    pub fc_client_secret: String,

    /// Intervalle (s) du rapprochement des paiements non réglés.
    #[arg(long, env = "IMMAT_RAPPROCHEMENT_SECONDES", default_value_t = 30)]
    pub rapprochement_secondes: u64,
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("immat.db").display()))
    }

    pub fn bandeau(&self) -> Option<String> {
        (self.demo || self.bandeau).then(|| BANDEAU_DEMO.to_owned())
    }

    /// Une configuration pour les tests : base et SPA dans des dossiers
    /// donnés, démonstration active, sans jeton de réinitialisation.
    pub fn for_tests(data_dir: PathBuf, dist_dir: PathBuf) -> Self {
        Self {
            listen: "127.0.0.1:0".into(),
            database_url: None,
            db_max_connexions: 8,
            data_dir,
            dist_dir,
            demo: true,
            bandeau: true,
            test_reset_token: None,
            secure_cookies: false,
            client_ip_header: None,
            smtp_url: None,
            smtp_from: "Immat <ne-pas-repondre@immat.demo>".into(),
            session_hours: 12,
            url_interne: None,
            url_publique: "http://127.0.0.1:8080".into(),
            payfip_delai_notification_ms: 0,
            rapprochement_secondes: 30,
            fc_emetteur: None,
            fc_client_id: "immat-demo".into(),
            fc_client_secret: String::new(),
        }
    }
}
