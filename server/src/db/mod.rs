//! Le dépôt : toute la SQL du serveur est derrière le trait [`Repository`].
//!
//! Deux moteurs, choisis par le préfixe de l'URL dans [`connect`] :
//! SQLite par défaut (un fichier, migrations au démarrage, mode WAL) et
//! PostgreSQL (`postgres://…`, plusieurs instances du serveur). Les deux
//! partagent une seule implémentation SQL (`sql/`), compilée pour chacun ;
//! les gestionnaires HTTP n'en savent rien.

mod postgres;
mod sqlite;

use crate::config::Config;
use immat_domain::{
    adresse_postale::AdresseNormalisee,
    compte::{Profil, TypeCompte},
    demarche::{Etape, EtatDemarche, Teleprocedure},
    limites::Limite,
    regles::SituationAdministrative,
    taxes::{Energie, Genre},
    PourQui,
};
use serde::{de::DeserializeOwned, Serialize};
use std::sync::Arc;
use time::OffsetDateTime;

pub use postgres::PostgresRepository;
pub use sqlite::SqliteRepository;

/// Une ligne qu'une transaction verrouille avant de lire puis d'écrire
/// (PostgreSQL ; SQLite n'a qu'un écrivain à la fois).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Verrou {
    Compte(i64),
    Vehicule(i64),
    /// Toutes les tables du registre (la réinitialisation de la
    /// démonstration, pendant que d'autres instances servent).
    Registre,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("enregistrement introuvable")]
    NotFound,
    #[error("conflit : {0}")]
    Conflict(String),
    #[error("donnée invalide en base : {0}")]
    Corrupt(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type DbResult<T> = Result<T, DbError>;

#[derive(Debug, Clone)]
pub struct CompteRecord {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub prenom: String,
    pub nom: String,
    pub profil: Profil,
    pub certifie_franceconnect: bool,
    pub raison_sociale: Option<String>,
    pub siren: Option<String>,
    /// L'adresse électronique est confirmée (sinon pas de connexion).
    pub confirme: bool,
}

impl CompteRecord {
    pub fn type_compte(&self) -> TypeCompte {
        TypeCompte::de(self.profil, self.certifie_franceconnect)
    }
}

#[derive(Debug, Clone)]
pub struct NewCompte {
    pub email: String,
    pub password_hash: String,
    pub prenom: String,
    pub nom: String,
    pub profil: Profil,
    pub certifie_franceconnect: bool,
    pub raison_sociale: Option<String>,
    pub siren: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VehiculeRecord {
    pub id: i64,
    pub immatriculation: String,
    pub type_immatriculation: immat_domain::TypeImmatriculation,
    pub vin: String,
    pub marque: String,
    pub modele: String,
    pub genre: Genre,
    pub energie: Energie,
    pub puissance_cv: u16,
    pub ptac_kg: Option<u32>,
    pub date_premiere_immatriculation: immat_domain::DateFr,
    pub numero_formule: Option<String>,
    pub date_certificat: Option<immat_domain::DateCertificat>,
    pub compte_id: Option<i64>,
    pub titulaire_nom: String,
    pub titulaire_prenoms: Option<String>,
    pub titulaire_raison_sociale: Option<String>,
    pub titulaire_siren: Option<String>,
    /// L'état civil du titulaire inscrit (personne physique), quand le
    /// registre le porte : AAAA-MM-JJ, et le code COG de la commune ou du
    /// pays de naissance. Sert au rattachement par l'identité.
    pub titulaire_date_naissance: Option<String>,
    pub titulaire_lieu_naissance: Option<String>,
    pub cotitulaire: Option<String>,
    pub adresse_voie: String,
    pub adresse_complement: Option<String>,
    pub adresse_lieu_dit: Option<String>,
    pub adresse_code_postal: String,
    pub adresse_commune: String,
    pub location_longue_duree: bool,
    pub changements_adresse: u32,
    pub situation: SituationAdministrative,
    pub gage_creancier: Option<String>,
    pub code_confidentiel_hash: Option<String>,
    /// Change quand un nouveau code confidentiel sert pour la première fois.
    pub code_confidentiel_version: i64,
    /// Le vol du certificat est enregistré au SIV.
    pub vol_certificat_enregistre: bool,
}

/// Un véhicule à inscrire au registre (données de démonstration).
pub type NewVehicule = VehiculeRecord;

#[derive(Debug, Clone)]
pub struct DemarcheRecord {
    pub id: i64,
    pub numero: String,
    pub compte_id: i64,
    pub vehicule_id: Option<i64>,
    pub teleprocedure: Teleprocedure,
    pub etat: EtatDemarche,
    pub pour_qui: PourQui,
    pub donnees: serde_json::Value,
    pub etape: Etape,
    /// Incrémentée à chaque écriture (écritures conditionnelles).
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// L'agent du CERT qui l'a prise, et depuis quand.
    pub agent_id: Option<i64>,
    pub agent_depuis: Option<OffsetDateTime>,
    /// Depuis quand elle attend le CERT (la file).
    pub en_attente_depuis: Option<String>,
}

#[async_trait::async_trait]
pub trait Repository:
    DemarcheRepository
    + LimiteRepository
    + PaiementRepository
    + PayfipRepository
    + InstructionRepository
    + CompteRepository
    + FranceConnectRepository
    + HabilitationRepository
    + RattachementRepository
    + Send
    + Sync
    + 'static
{
    async fn migrate(&self) -> DbResult<()>;

    async fn compte_par_email(&self, email: &str) -> DbResult<Option<CompteRecord>>;
    async fn compte(&self, id: i64) -> DbResult<CompteRecord>;
    /// La base contient-elle des comptes dont l'e-mail finit par ce domaine ?
    async fn comptes_du_domaine(&self, domaine: &str) -> DbResult<i64>;
    /// Crée le compte s'il n'existe pas (idempotent, clé : l'e-mail).
    async fn inserer_compte_si_absent(&self, c: &NewCompte) -> DbResult<i64>;

    async fn creer_session(&self, token_hash: &str, compte_id: i64, expires_at: OffsetDateTime) -> DbResult<()>;
    /// Le compte d'une session encore valide.
    async fn compte_de_session(&self, token_hash: &str, maintenant: OffsetDateTime) -> DbResult<Option<CompteRecord>>;
    async fn supprimer_session(&self, token_hash: &str) -> DbResult<()>;

    /// Inscrit le véhicule s'il n'existe pas (idempotent, clé :
    /// l'immatriculation).
    async fn inserer_vehicule_si_absent(&self, v: &NewVehicule) -> DbResult<i64>;
    async fn vehicules_du_compte(&self, compte_id: i64) -> DbResult<Vec<VehiculeRecord>>;
    async fn demarches_du_compte(&self, compte_id: i64) -> DbResult<Vec<DemarcheRecord>>;

    /// Le droit de faire une tâche de fond qu'une seule instance fait à la
    /// fois (`None` : une autre la fait en ce moment). Le droit tombe quand
    /// le verrou rendu est lâché.
    async fn tache_exclusive(&self, tache: TacheDeFond) -> DbResult<Option<VerrouTache>>;
}

/// Les tâches de fond qu'une seule instance du serveur fait à la fois.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TacheDeFond {
    /// Le rapprochement des paiements non réglés.
    Rapprochement,
}

impl TacheDeFond {
    /// La clé du verrou consultatif PostgreSQL (fixe : toutes les instances
    /// la partagent).
    pub(crate) fn cle(self) -> i64 {
        match self {
            TacheDeFond::Rapprochement => 0x1A4E_0001,
        }
    }
}

/// Le droit de faire une tâche de fond ; lâché, il revient aux autres.
pub struct VerrouTache {
    _garde: Box<dyn Send>,
}

impl VerrouTache {
    pub(crate) fn new(garde: impl Send + 'static) -> Self {
        Self { _garde: Box::new(garde) }
    }
}

/// Ouvre la base désignée par la configuration et applique les migrations
/// (horloge du système).
pub async fn connect(config: &Config) -> anyhow::Result<Arc<dyn Repository>> {
    connect_with_clock(config, Arc::new(crate::clock::SystemClock)).await
}

/// Comme [`connect`], avec l'horloge donnée (la même que celle de
/// l'application : les tests la fixent).
pub async fn connect_with_clock(config: &Config, clock: Arc<dyn crate::clock::Clock>) -> anyhow::Result<Arc<dyn Repository>> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
        let repo = SqliteRepository::connect(&url, clock).await?;
        repo.migrate().await?;
        Ok(Arc::new(repo))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let repo = PostgresRepository::connect(&url, config.db_max_connexions, clock)
            .await
            .map_err(|e| anyhow::anyhow!("PostgreSQL injoignable ou connexion refusée : {e}"))?;
        repo.migrate().await?;
        Ok(Arc::new(repo))
    } else {
        anyhow::bail!("URL de base non reconnue : {url}")
    }
}

/// Le code texte d'une énumération serde (`snake_case`).
pub(crate) fn code_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(crate) fn from_code<T: DeserializeOwned>(s: &str) -> DbResult<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| DbError::Corrupt(s.to_owned()))
}

#[derive(Debug, Clone)]
pub struct NewEnvoi {
    pub canal: immat_domain::api::Canal,
    pub destinataire: String,
    pub objet: String,
    pub corps: String,
    pub vehicule_id: Option<i64>,
}

/// Un envoi tel que stocké : c'est aussi l'objet de l'API.
pub type EnvoiRecord = immat_domain::api::Envoi;

#[derive(Debug, Clone)]
pub struct CodeCessionRecord {
    pub id: i64,
    pub code_hash: String,
    pub expire_at: Option<OffsetDateTime>,
    pub utilise: bool,
    /// La démarche (changement de titulaire) qui l'a pris.
    pub utilise_par: Option<i64>,
}

/// La réponse à une réservation de tentative ([`LimiteRepository`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// La tentative est accordée : c'est la `n`-ième de la fenêtre.
    Accordee(u32),
    /// La clé est bloquée jusqu'à cet instant.
    Bloquee(OffsetDateTime),
}

/// Les limites de tentatives, en base pour qu'elles tiennent entre plusieurs
/// instances du serveur. Chaque opération est une écriture atomique.
#[async_trait::async_trait]
pub trait LimiteRepository: Send + Sync + 'static {
    /// Réserve une tentative sous la clé, avant de la vérifier : compte la
    /// tentative (une seule instruction, sans lecture préalable) ; au-delà du
    /// maximum de la fenêtre, bloque la clé. Un blocage en cours n'est ni
    /// levé ni raccourci.
    async fn reserver_tentative(&self, cle: &str, limite: &Limite, maintenant: OffsetDateTime) -> DbResult<Reservation>;
    /// Bloque la clé jusqu'à `jusqu_a`, ou plus tard si elle l'est déjà.
    async fn bloquer(&self, cle: &str, jusqu_a: OffsetDateTime) -> DbResult<()>;
    /// Remet le compte à zéro après un succès, sauf blocage en cours.
    async fn effacer_tentatives(&self, cle: &str, maintenant: OffsetDateTime) -> DbResult<()>;
    /// Rend une tentative réservée qui a réussi (compteurs partagés : client,
    /// compte tous véhicules), sauf blocage en cours.
    async fn rendre_tentative(&self, cle: &str, maintenant: OffsetDateTime) -> DbResult<()>;
    /// Le blocage en cours de la clé, sans rien compter.
    async fn blocage(&self, cle: &str, maintenant: OffsetDateTime) -> DbResult<Option<OffsetDateTime>>;
    /// Efface les clés dont la fenêtre et le blocage sont échus (la table ne
    /// grossit pas sans fin). Rend le nombre de clés effacées.
    async fn purger_limites(&self, maintenant: OffsetDateTime, plus_longue_fenetre_secondes: i64) -> DbResult<u64>;
}

/// Une écriture conditionnelle d'une démarche : de l'état et de la version
/// de `d` vers l'état `vers`, à l'étape `etape`, avec ces données.
#[derive(Debug, Clone, Copy)]
pub struct Ecriture<'a> {
    pub d: &'a DemarcheRecord,
    pub vers: EtatDemarche,
    pub etape: Etape,
    pub donnees: &'a serde_json::Value,
}

#[async_trait::async_trait]
pub trait DemarcheRepository: Send + Sync + 'static {
    async fn vehicule_par_immatriculation(&self, immatriculation: &str) -> DbResult<Option<VehiculeRecord>>;
    async fn vehicule(&self, id: i64) -> DbResult<VehiculeRecord>;
    /// « Je n'ai pas de code confidentiel » : le nouveau code attend à côté
    /// de l'ancien, qui reste valable, et des autres codes en attente (un
    /// tiers qui demande un code ne prive le titulaire ni de son code ni de
    /// celui qu'il vient de recevoir). Au plus `garder` codes attendent.
    async fn proposer_code_confidentiel(&self, vehicule_id: i64, hash: &str, expire_at: OffsetDateTime, garder: u32) -> DbResult<()>;
    /// Les codes en attente encore valables : (identifiant, hachage).
    async fn codes_en_attente(&self, vehicule_id: i64, maintenant: OffsetDateTime) -> DbResult<Vec<(i64, String)>>;
    /// Un code en attente a servi : il remplace l'ancien, la version du code
    /// du véhicule change et les autres codes en attente tombent. Faux s'il
    /// n'attendait plus (course perdue).
    async fn adopter_code_confidentiel(&self, vehicule_id: i64, code_en_attente_id: i64) -> DbResult<bool>;

    /// Crée le brouillon, ou rend celui qui est déjà en cours pour ce compte,
    /// ce véhicule et cette téléprocédure (`false` : il existait).
    async fn creer_demarche(
        &self,
        numero: &str,
        compte_id: i64,
        vehicule_id: i64,
        tp: Teleprocedure,
        pour_qui: PourQui,
        donnees: &serde_json::Value,
    ) -> DbResult<(DemarcheRecord, bool)>;
    async fn demarche_par_numero(&self, numero: &str) -> DbResult<Option<DemarcheRecord>>;
    async fn demarche_en_cours(&self, compte_id: i64, vehicule_id: i64, tp: Teleprocedure) -> DbResult<Option<DemarcheRecord>>;
    /// Crée le brouillon d'une démarche, avec ou sans véhicule (une TPC de
    /// première immatriculation, une question), si le compte en a moins de
    /// `max_en_cours` en cours de cette téléprocédure : le compte et
    /// l'insertion se font en une seule instruction (vingt démarrages
    /// simultanés n'en créent pas plus). Sur un véhicule, celle qui est déjà
    /// en cours est rendue (`false`), comme [`Self::creer_demarche`].
    /// `None` : la limite est atteinte.
    #[allow(clippy::too_many_arguments)]
    async fn creer_demarche_plafonnee(
        &self,
        numero: &str,
        compte_id: i64,
        vehicule_id: Option<i64>,
        tp: Teleprocedure,
        pour_qui: PourQui,
        donnees: &serde_json::Value,
        max_en_cours: i64,
    ) -> DbResult<Option<(DemarcheRecord, bool)>>;
    /// Enregistre la saisie d'une étape, sans changer d'état, à condition que
    /// la démarche soit encore dans l'état et la version lus (`d.etat`,
    /// `d.version`) ; sinon [`DbError::Conflict`]. Rend la version écrite.
    async fn maj_demarche(&self, d: &DemarcheRecord, etape: Etape, donnees: &serde_json::Value) -> DbResult<DemarcheRecord>;
    /// Fait passer la démarche de `d.etat` à `vers` (transition calculée par
    /// le domaine), aux mêmes conditions.
    async fn changer_etat(
        &self,
        d: &DemarcheRecord,
        vers: EtatDemarche,
        etape: Etape,
        donnees: &serde_json::Value,
    ) -> DbResult<DemarcheRecord>;

    /// Termine un changement d'adresse : démarche et registre, ensemble, une
    /// seule fois.
    async fn terminer_changement_adresse(
        &self,
        e: Ecriture<'_>,
        vehicule_id: i64,
        version_registre: i64,
        a: &AdresseNormalisee,
        etiquettes_par_certificat: u32,
    ) -> DbResult<DemarcheRecord>;
    /// Termine une déclaration de cession : démarche, code de cession et
    /// véhicule « cédé », ensemble, une seule fois.
    async fn terminer_cession(
        &self,
        e: Ecriture<'_>,
        vehicule_id: i64,
        code_hash: &str,
        expire_at: OffsetDateTime,
    ) -> DbResult<DemarcheRecord>;

    /// Le changement de titulaire : démarche terminée, véhicule au nouveau
    /// titulaire (numéro SIV s'il était FNI, code confidentiel à renouveler),
    /// ensemble et une seule fois.
    async fn terminer_changement_titulaire(
        &self,
        e: Ecriture<'_>,
        vehicule_id: i64,
        n: &NouveauTitulaireRegistre,
    ) -> DbResult<DemarcheRecord>;
    /// Termine une démarche qui émet un nouveau certificat au même titulaire
    /// (duplicata) : démarche et registre, ensemble, une seule fois.
    async fn terminer_nouveau_certificat(&self, e: Ecriture<'_>, vehicule_id: i64, c: &NouveauCertificat) -> DbResult<DemarcheRecord>;
    /// Ce numéro d'immatriculation est-il libre ?
    async fn immatriculation_libre(&self, immatriculation: &str) -> DbResult<bool>;
    /// Crée le brouillon d'un changement de titulaire et lui réserve le code
    /// de cession (s'il y en a un), ensemble : un code pris par la démarche
    /// d'un autre acquéreur donne [`DbError::Conflict`] et rien n'est créé.
    async fn creer_demarche_acquereur(
        &self,
        numero: &str,
        compte_id: i64,
        vehicule_id: i64,
        pour_qui: PourQui,
        donnees: &serde_json::Value,
        code_cession_id: Option<i64>,
    ) -> DbResult<(DemarcheRecord, bool)>;

    /// Les codes de cession d'un véhicule : (id, hachage, expiration,
    /// utilisation).
    async fn codes_cession(&self, vehicule_id: i64) -> DbResult<Vec<CodeCessionRecord>>;

    async fn enregistrer_envoi(&self, e: &NewEnvoi) -> DbResult<i64>;
    /// Mode démonstration : efface démarches, envois, tentatives, véhicules
    /// et comptes (avec leurs sessions), avant un nouvel ensemencement.
    async fn vider_registre_demo(&self) -> DbResult<()>;
    async fn envois(&self) -> DbResult<Vec<EnvoiRecord>>;
    /// Un envoi de la boîte d'envoi.
    async fn envoi(&self, id: i64) -> DbResult<Option<EnvoiRecord>>;
}

/// Un paiement (une tentative) d'une démarche, côté service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaiementRecord {
    pub id: i64,
    pub demarche_id: i64,
    pub tentative: i64,
    pub refdet: String,
    pub idop: Option<String>,
    pub montant_centimes: i64,
    pub etat: immat_domain::paiement::EtatPaiement,
    pub carte_fin: Option<String>,
    pub numero_autorisation: Option<String>,
    pub cree_le: OffsetDateTime,
    pub regle_le: Option<OffsetDateTime>,
}

/// Les paiements des démarches. Chaque écriture est conditionnelle à l'état
/// lu (`en_cours`) : une notification rejouée, un rapprochement et le clic
/// de l'usager ne règlent un paiement qu'une fois.
#[async_trait::async_trait]
pub trait PaiementRepository: Send + Sync + 'static {
    /// Écrit une nouvelle tentative « en cours » (rang calculé en SQL), ou
    /// [`DbError::Conflict`] s'il y en a déjà une en cours.
    async fn creer_paiement(&self, demarche_id: i64, numero: &str, montant_centimes: i64) -> DbResult<PaiementRecord>;
    async fn attacher_idop(&self, paiement_id: i64, idop: &str) -> DbResult<()>;
    async fn paiement_par_idop(&self, idop: &str) -> DbResult<Option<PaiementRecord>>;
    /// Les tentatives d'une démarche, la plus récente d'abord.
    async fn paiements_de(&self, demarche_id: i64) -> DbResult<Vec<PaiementRecord>>;
    /// Règle une tentative en cours ; faux si elle ne l'était plus.
    async fn regler_paiement(
        &self,
        paiement_id: i64,
        etat: immat_domain::paiement::EtatPaiement,
        carte_fin: Option<&str>,
        numero_autorisation: Option<&str>,
        quand: OffsetDateTime,
    ) -> DbResult<bool>;
    /// Les tentatives en cours (à rapprocher auprès du prestataire).
    async fn paiements_en_cours(&self) -> DbResult<Vec<PaiementRecord>>;
    /// Les démarches dont le paiement est réglé mais l'enregistrement pas
    /// fini : « payées », ou encore « à payer » avec un paiement réglé (arrêt
    /// entre les deux écritures).
    async fn demarches_a_finaliser(&self) -> DbResult<Vec<DemarcheRecord>>;
    async fn demarche(&self, id: i64) -> DbResult<DemarcheRecord>;
}

/// Une opération chez le prestataire de paiement de démonstration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRecord {
    pub idop: String,
    pub refdet: String,
    pub montant_centimes: i64,
    pub objet: String,
    pub urlnotif: Option<String>,
    pub urlredirect: String,
    pub resultrans: Option<immat_domain::paiement::ResultatTransaction>,
    pub defi: bool,
    pub carte_fin: Option<String>,
    pub numauto: Option<String>,
    pub cree_le: OffsetDateTime,
    pub traite_le: Option<OffsetDateTime>,
}

/// Le stockage du prestataire de paiement (ses tables seulement).
#[async_trait::async_trait]
pub trait PayfipRepository: Send + Sync + 'static {
    async fn payfip_creer(&self, op: &OperationRecord) -> DbResult<()>;
    async fn payfip_operation(&self, idop: &str) -> DbResult<Option<OperationRecord>>;
    /// Une opération en attente passe au défi 3-D Secure ; faux sinon.
    async fn payfip_defi(&self, idop: &str) -> DbResult<bool>;
    /// Conclut une opération en attente ; faux si elle était déjà conclue
    /// (un seul débit, même sous deux envois simultanés).
    async fn payfip_conclure(
        &self,
        idop: &str,
        resultat: immat_domain::paiement::ResultatTransaction,
        carte_fin: Option<&str>,
        numauto: Option<&str>,
        quand: OffsetDateTime,
    ) -> DbResult<bool>;
    async fn payfip_notifiee(&self, idop: &str, quand: OffsetDateTime) -> DbResult<()>;
}

/// Un nouveau certificat au registre : nouveau numéro de formule, et numéro
/// SIV pour un véhicule qui était FNI.
#[derive(Debug, Clone)]
pub struct NouveauCertificat {
    /// La version du registre (du code confidentiel) lue au démarrage :
    /// l'écriture exige que le véhicule la porte encore, puis l'incrémente
    /// (un nouveau certificat vient avec un nouveau code confidentiel).
    pub version_registre: i64,
    /// L'écriture exige que le véhicule porte encore ce numéro.
    pub ancienne_immatriculation: String,
    pub immatriculation: String,
    pub numero_formule: String,
}

/// Ce que le changement de titulaire écrit au registre.
#[derive(Debug, Clone)]
pub struct NouveauTitulaireRegistre {
    /// Le compte du nouveau titulaire (« pour moi-même »), sinon aucun.
    pub compte_id: Option<i64>,
    /// Le nouveau certificat, avec la version du registre exigée.
    pub certificat: NouveauCertificat,
    pub titulaire_nom: String,
    pub titulaire_prenoms: Option<String>,
    pub titulaire_raison_sociale: Option<String>,
    pub titulaire_siren: Option<String>,
    pub cotitulaire: Option<String>,
    pub adresse: AdresseNormalisee,
}

// --- Instruction par le CERT (mode itératif) -------------------------------

use immat_domain::pieces::{Action, Auteur, FormatPiece, MotifCorrection, StatutPiece, TypePiece};

/// Une pièce jointe enregistrée.
#[derive(Debug, Clone)]
pub struct PieceRecord {
    pub id: i64,
    pub demarche_id: i64,
    pub type_piece: TypePiece,
    pub nom_original: String,
    pub format: FormatPiece,
    pub taille: i64,
    pub sha256: String,
    /// Le nom du fichier dans le dossier des pièces (aléatoire).
    pub fichier: String,
    pub statut: StatutPiece,
    pub deposee_le: OffsetDateTime,
}

/// Une pièce à enregistrer (le fichier est déjà écrit).
#[derive(Debug, Clone)]
pub struct NewPiece {
    pub type_piece: TypePiece,
    pub nom_original: String,
    pub format: FormatPiece,
    pub taille: i64,
    pub sha256: String,
    pub fichier: String,
}

/// Une entrée d'historique.
#[derive(Debug, Clone)]
pub struct EvenementRecord {
    pub demarche_id: i64,
    pub auteur: Auteur,
    pub compte_id: Option<i64>,
    /// Prénom et nom de l'auteur (agent).
    pub nom_auteur: Option<String>,
    pub action: Action,
    pub motif: Option<MotifCorrection>,
    pub message: Option<String>,
    pub piece_id: Option<i64>,
    pub piece_nom: Option<String>,
    pub cree_le: OffsetDateTime,
}

/// Une entrée d'historique à écrire.
#[derive(Debug, Clone)]
pub struct NewEvenement {
    pub auteur: Auteur,
    pub compte_id: Option<i64>,
    pub action: Action,
    pub motif: Option<MotifCorrection>,
    pub message: Option<String>,
    pub piece_id: Option<i64>,
}

/// Une ligne de la file du CERT.
#[derive(Debug, Clone)]
pub struct LigneFileRecord {
    pub demarche: DemarcheRecord,
    pub immatriculation: Option<String>,
    pub usager: String,
    pub agent: Option<String>,
}

/// Une action de l'agent sur une démarche qu'il a prise : l'écriture de la
/// démarche (état, version et agent exigés), le statut d'une pièce (depuis
/// « déposée »), l'entrée d'historique ; ensemble, dans une transaction.
#[derive(Debug, Clone)]
pub struct ActionAgent<'a> {
    pub ecriture: Ecriture<'a>,
    pub agent_id: i64,
    pub piece: Option<(i64, StatutPiece)>,
    /// L'action rend la démarche à la file (elle quitte « en attente »).
    pub liberer: bool,
    pub evenements: Vec<NewEvenement>,
}

#[async_trait::async_trait]
pub trait InstructionRepository: Send + Sync + 'static {
    /// Enregistre une pièce : la démarche doit être brouillon ou en
    /// correction demandée ; la version active de ce type (déposée ou
    /// refusée) est remplacée, une pièce acceptée ne l'est pas.
    async fn deposer_piece(&self, demarche_id: i64, compte_id: i64, p: &NewPiece) -> DbResult<PieceRecord>;
    /// Toutes les pièces de la démarche (remplacées comprises), dans l'ordre.
    async fn pieces_de(&self, demarche_id: i64) -> DbResult<Vec<PieceRecord>>;
    /// La pièce `piece_id` de cette démarche (celle d'une autre démarche
    /// n'existe pas pour elle).
    async fn piece(&self, demarche_id: i64, piece_id: i64) -> DbResult<Option<PieceRecord>>;
    /// L'historique, le plus ancien d'abord.
    async fn evenements_de(&self, demarche_id: i64) -> DbResult<Vec<EvenementRecord>>;
    /// Vers « en attente du CERT » (« Valider » ou « Envoyer ») : l'écriture
    /// conditionnelle, l'heure d'entrée dans la file, l'entrée d'historique.
    /// « Abandonner la demande » : l'écriture conditionnelle de la démarche,
    /// le code de cession qu'elle avait réservé libéré (comme avant sa
    /// réservation : qui le détient peut recommencer), l'entrée
    /// d'historique ; ensemble.
    async fn abandonner(&self, e: Ecriture<'_>, evenement: &NewEvenement) -> DbResult<DemarcheRecord>;
    async fn soumettre_au_cert(&self, e: Ecriture<'_>, evenement: &NewEvenement) -> DbResult<DemarcheRecord>;
    /// La file : les démarches dans cet état (toutes celles qui concernent le
    /// CERT si `None`), de cette téléprocédure, les plus anciennes d'abord.
    async fn file_cert(&self, etat: Option<EtatDemarche>, tp: Option<Teleprocedure>) -> DbResult<Vec<LigneFileRecord>>;
    /// Le nombre de démarches par état (celles qui concernent le CERT).
    async fn compteurs_cert(&self) -> DbResult<Vec<(EtatDemarche, i64)>>;
    /// L'agent prend la démarche en attente : libre, déjà à lui, ou prise
    /// par un autre depuis avant `reprise_avant` (abandonnée). Sinon
    /// [`DbError::Conflict`].
    async fn prendre(&self, demarche_id: i64, agent_id: i64, reprise_avant: OffsetDateTime) -> DbResult<DemarcheRecord>;
    /// L'agent rend la démarche à la file.
    async fn liberer(&self, demarche_id: i64, agent_id: i64) -> DbResult<DemarcheRecord>;
    /// Une action de l'agent (voir [`ActionAgent`]).
    async fn action_agent(&self, a: &ActionAgent<'_>) -> DbResult<DemarcheRecord>;
}

// --- Comptes créés par les usagers -----------------------------------------

/// L'usage d'un jeton de lien.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageJeton {
    Confirmation,
    Reinitialisation,
    ChangementEmail,
}

impl UsageJeton {
    pub fn code(self) -> &'static str {
        match self {
            Self::Confirmation => "confirmation",
            Self::Reinitialisation => "reinitialisation",
            Self::ChangementEmail => "changement_email",
        }
    }
}

#[async_trait::async_trait]
pub trait CompteRepository: Send + Sync + 'static {
    /// Crée un compte à confirmer et son jeton de confirmation, ensemble ;
    /// `None` si l'adresse a déjà un compte (rien n'est créé).
    async fn creer_compte_a_confirmer(
        &self,
        c: &NewCompte,
        civilite: &str,
        jeton_hash: &str,
        expire_le: OffsetDateTime,
    ) -> DbResult<Option<i64>>;
    /// Un nouveau jeton pour ce compte ; les jetons non utilisés du même
    /// usage tombent (seul le dernier lien vaut).
    async fn creer_jeton(&self, compte_id: i64, usage: UsageJeton, jeton_hash: &str, expire_le: OffsetDateTime) -> DbResult<()>;
    /// Le compte d'un jeton valable (ni utilisé ni expiré), sans le consommer.
    async fn compte_du_jeton(&self, jeton_hash: &str, usage: UsageJeton, maintenant: OffsetDateTime) -> DbResult<Option<CompteRecord>>;
    /// Consomme le jeton de confirmation et confirme le compte, ensemble ;
    /// faux si le jeton n'est plus valable.
    async fn confirmer_compte(&self, jeton_hash: &str, maintenant: OffsetDateTime) -> DbResult<bool>;
    /// Consomme le jeton de réinitialisation du compte, change le mot de
    /// passe, ferme toutes les sessions ; faux si le jeton n'est plus valable.
    async fn reinitialiser_mot_de_passe(
        &self,
        jeton_hash: &str,
        compte_id: i64,
        password_hash: &str,
        maintenant: OffsetDateTime,
    ) -> DbResult<bool>;
    /// Les sessions encore valables du compte, les plus récentes d'abord.
    async fn sessions_du_compte(&self, compte_id: i64, maintenant: OffsetDateTime) -> DbResult<Vec<SessionRecord>>;
    /// « Se déconnecter partout » : toutes les sessions du compte.
    async fn fermer_sessions(&self, compte_id: i64) -> DbResult<()>;
    /// Supprime le compte s'il n'a aucune démarche en cours (vérifié dans la
    /// même instruction que l'écriture) : l'identité est effacée, l'adresse
    /// libérée, les sessions et liens fermés, les véhicules détachés ; les
    /// démarches terminées restent (archives). Faux s'il a une démarche en
    /// cours.
    async fn supprimer_compte(&self, compte_id: i64, password_hash_factice: &str, maintenant: OffsetDateTime) -> DbResult<bool>;
    /// Un lien de changement d'adresse (le précédent non utilisé tombe).
    async fn creer_jeton_changement_email(
        &self,
        compte_id: i64,
        jeton_hash: &str,
        nouvelle_adresse: &str,
        expire_le: OffsetDateTime,
    ) -> DbResult<()>;
    /// Consomme le jeton et change l'adresse, ensemble (rien si l'adresse a
    /// été prise entre-temps).
    async fn changer_email(&self, jeton_hash: &str, maintenant: OffsetDateTime) -> DbResult<ChangementEmail>;
}

/// Ce que donne un lien de changement d'adresse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangementEmail {
    Fait {
        ancienne: String,
        nouvelle: String,
    },
    /// Déjà utilisé, expiré ou inconnu.
    Perime,
    /// Un autre compte a cette adresse.
    AdressePrise,
}

/// Une session ouverte.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub created_at: String,
    pub expires_at: String,
}

/// Un départ vers FranceConnect, gardé jusqu'au retour.
#[derive(Debug, Clone)]
pub struct TentativeFranceConnect {
    pub nonce: String,
    pub verificateur_pkce: String,
    /// Le compte classique à certifier (prouvé par son mot de passe).
    pub compte_id: Option<i64>,
}

/// Un compte créé par une première connexion FranceConnect.
#[derive(Debug, Clone)]
pub struct NewCompteFranceConnect {
    pub sub: String,
    pub email: String,
    pub password_hash: String,
    pub civilite: Option<String>,
    pub prenom: String,
    pub nom: String,
    pub nom_de_naissance: String,
    pub date_naissance: String,
    pub lieu_naissance: String,
}

/// Ce que donne une première connexion FranceConnect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreationFranceConnect {
    Cree(i64),
    /// Ce `sub` a déjà un compte (une autre connexion l'a créé entre-temps).
    DejaLie(i64),
    /// L'adresse est celle d'un compte existant, non lié.
    AdresseExistante,
}

#[async_trait::async_trait]
pub trait FranceConnectRepository: Send + Sync + 'static {
    async fn creer_tentative_franceconnect(&self, etat_hash: &str, t: &TentativeFranceConnect, expire_le: OffsetDateTime) -> DbResult<()>;
    /// Consomme la tentative (une seule fois, non expirée) ; les tentatives
    /// expirées sont purgées au passage.
    async fn consommer_tentative_franceconnect(
        &self,
        etat_hash: &str,
        maintenant: OffsetDateTime,
    ) -> DbResult<Option<TentativeFranceConnect>>;
    /// Le compte (non supprimé) lié à ce `sub`.
    async fn compte_par_sub(&self, sub: &str) -> DbResult<Option<CompteRecord>>;
    /// Crée le compte certifié d'une première connexion, atomiquement :
    /// ni deux comptes pour un `sub`, ni un compte sur une adresse prise.
    async fn creer_compte_franceconnect(&self, c: &NewCompteFranceConnect) -> DbResult<CreationFranceConnect>;
    /// Certifie un compte existant non lié (l'identité du compte devient
    /// celle de FranceConnect) ; faux si le compte est déjà lié, supprimé,
    /// ou si ce `sub` l'est à un autre compte.
    async fn certifier_compte(&self, compte_id: i64, c: &NewCompteFranceConnect) -> DbResult<bool>;
    /// Une session ouverte par FranceConnect, avec son jeton d'identité.
    async fn creer_session_franceconnect(
        &self,
        token_hash: &str,
        compte_id: i64,
        expires_at: OffsetDateTime,
        id_token: &str,
    ) -> DbResult<()>;
    /// Supprime la session ; rend le jeton d'identité si elle venait de
    /// FranceConnect.
    async fn fermer_session(&self, token_hash: &str) -> DbResult<Option<String>>;
}

/// Une demande d'habilitation, avec le compte qui l'a faite.
#[derive(Debug, Clone)]
pub struct HabilitationRecord {
    pub id: i64,
    pub compte_id: i64,
    pub email: String,
    pub raison_sociale: Option<String>,
    pub siret: String,
    pub numero: String,
    pub etat: immat_domain::habilitation::EtatHabilitation,
    pub demandee_le: String,
    pub motif_refus: Option<String>,
    pub nature: immat_domain::habilitation::NatureHabilitation,
    pub representant: Option<String>,
}

#[async_trait::async_trait]
pub trait HabilitationRepository: Send + Sync + 'static {
    /// Enregistre la demande « en attente » ; faux si le compte en a déjà une
    /// en attente ou approuvée (une demande refusée est remplacée).
    async fn declarer_habilitation(&self, compte_id: i64, siret: &str, numero: &str, maintenant: OffsetDateTime) -> DbResult<bool>;
    async fn habilitation_du_compte(&self, compte_id: i64) -> DbResult<Option<HabilitationRecord>>;
    /// Le représentant légal d'une société, confirmé par FranceConnect : la
    /// demande attend le CERT ; faux si le compte en a déjà une en attente
    /// ou approuvée (une demande refusée est remplacée).
    async fn declarer_representant(&self, compte_id: i64, siren: &str, representant: &str, maintenant: OffsetDateTime) -> DbResult<bool>;
    /// Les demandes d'un état (toutes sans filtre), les plus anciennes
    /// d'abord.
    async fn habilitations(&self, etat: Option<immat_domain::habilitation::EtatHabilitation>) -> DbResult<Vec<HabilitationRecord>>;
    /// Décide une demande en attente (écriture conditionnelle) ; approuvée,
    /// le compte devient celui d'un professionnel habilité, dans la même
    /// transaction. Faux si la demande n'est plus en attente ou si le compte
    /// n'est plus une personne morale active.
    async fn decider_habilitation(
        &self,
        habilitation_id: i64,
        agent_id: i64,
        motif_refus: Option<&str>,
        maintenant: OffsetDateTime,
    ) -> DbResult<bool>;
}

/// Le rattachement d'un véhicule du registre à un compte (« Mes
/// véhicules »), par le code confidentiel ou par l'identité.
#[async_trait::async_trait]
pub trait RattachementRepository: Send + Sync + 'static {
    /// Rattache le véhicule au compte s'il n'est à aucun compte, que son
    /// registre est encore à la version lue avec la preuve, qu'il n'est pas
    /// déclaré cédé et que le compte existe encore (écriture
    /// conditionnelle) ; le véhicule d'une autre personne ne change pas de
    /// compte.
    async fn rattacher_vehicule(&self, vehicule_id: i64, compte_id: i64, version_lue: i64) -> DbResult<Rattachement>;
    /// Les véhicules sans compte dont le titulaire inscrit est né ce jour-là
    /// (AAAA-MM-JJ) : les candidats d'une identité certifiée.
    async fn vehicules_sans_compte_nes_le(&self, date_naissance: &str) -> DbResult<Vec<VehiculeRecord>>;
}

/// Ce que devient un véhicule qu'un compte a prouvé.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rattachement {
    /// Il vient de rejoindre le compte.
    Rattache,
    /// Il y était déjà.
    DejaAuCompte,
    /// Il est au compte d'une autre personne, son registre a changé depuis
    /// la preuve, il est déclaré cédé, ou le compte n'existe plus.
    Ailleurs,
}
