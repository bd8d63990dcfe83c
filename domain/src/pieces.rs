//! Les pièces jointes d'une démarche (la déclaration de vol d'un duplicata,
//! et plus tard les pièces de la téléprocédure complémentaire) et
//! l'instruction par le CERT : formats acceptés, reconnaissance par le
//! contenu, statuts, motifs de correction, messages échangés.
//!
//! Le domaine reconnaît un fichier par ses premiers octets et sa fin ; le
//! serveur vérifie en plus qu'un PDF s'analyse et qu'une image se décode.

use crate::api::ChampErreur;
use serde::{Deserialize, Serialize};

/// Taille maximale d'une pièce (10 Mo).
pub const TAILLE_MAX_OCTETS: usize = 10 * 1024 * 1024;

/// Ce que l'usager lit avant de choisir son fichier (DSFR `fr-upload` :
/// « Taille maximale : … Formats supportés : … »).
pub const CONSIGNE_FORMATS: &str = "Taille maximale : 10 Mo. Formats supportés : PDF, JPEG, PNG.";

/// L'attribut `accept` du champ de fichier (une aide, le serveur revérifie).
pub const ACCEPT: &str = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";

/// Nombre maximal d'envois de fichiers par démarche (versions remplacées
/// comprises) : le disque ne se remplit pas par des envois répétés.
pub const ENVOIS_MAX_PAR_DEMARCHE: i64 = 20;

/// Longueur maximale d'un message (réponse de l'usager, note du CERT).
pub const MESSAGE_MAX: usize = 2000;

/// Dimensions maximales d'une image (une en-tête qui annonce davantage est
/// refusée avant tout décodage : pas de « bombe » de décompression).
pub const IMAGE_COTE_MAX: u32 = 12_000;
pub const IMAGE_PIXELS_MAX: u64 = 50_000_000;

/// Une pièce qu'une démarche peut demander : la déclaration de vol d'un
/// duplicata, ou une pièce du catalogue de la TPC. Identifiée par son code
/// (deux pièces de même code sont la même pièce).
#[derive(Debug, Clone, Copy)]
pub struct TypePiece {
    code: &'static str,
    libelle: &'static str,
}

impl PartialEq for TypePiece {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}
impl Eq for TypePiece {}
impl std::hash::Hash for TypePiece {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.code.hash(h);
    }
}

impl TypePiece {
    /// Duplicata pour vol non encore enregistré au SIV.
    pub const DECLARATION_VOL: Self = Self { code: "declaration_vol", libelle: "Déclaration de vol du certificat d'immatriculation" };

    /// Une pièce du catalogue de la TPC.
    pub const fn de_la_tpc(p: &crate::tpc::Piece) -> Self {
        Self { code: p.code, libelle: p.libelle }
    }

    pub fn libelle(self) -> &'static str {
        self.libelle
    }

    /// Le libellé du bouton d'envoi (le support : « Envoyer la déclaration
    /// du vol »).
    pub fn action(self) -> &'static str {
        if self == Self::DECLARATION_VOL {
            "Envoyer la déclaration du vol"
        } else {
            "Envoyer la pièce"
        }
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    /// Le champ de formulaire de la pièce (les erreurs y sont attachées).
    pub fn champ(self) -> String {
        format!("piece_{}", self.code)
    }

    /// Toute pièce connue : la déclaration de vol et celles du catalogue.
    pub fn depuis_code(code: &str) -> Option<Self> {
        if code == Self::DECLARATION_VOL.code {
            return Some(Self::DECLARATION_VOL);
        }
        crate::tpc::toutes_les_pieces().find(|p| p.code == code).map(Self::de_la_tpc)
    }
}

impl Serialize for TypePiece {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for TypePiece {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Self::depuis_code(&code).ok_or_else(|| serde::de::Error::custom(format!("pièce inconnue : {code}")))
    }
}

/// Le format reconnu d'après le contenu du fichier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatPiece {
    Pdf,
    Jpeg,
    Png,
}

impl FormatPiece {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }

    pub fn est_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpeg",
            Self::Png => "png",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        [Self::Pdf, Self::Jpeg, Self::Png].into_iter().find(|f| f.code() == code)
    }
}

/// Pourquoi un fichier est refusé (message au champ).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PieceError {
    #[error("Le fichier est vide.")]
    Vide,
    #[error("Le fichier dépasse la taille maximale de 10 Mo.")]
    TropGrand,
    #[error("Ce fichier n'est ni un PDF, ni une image JPEG ou PNG. Formats supportés : PDF, JPEG, PNG.")]
    FormatNonReconnu,
    #[error("Ce fichier PDF est incomplet ou endommagé : il ne peut pas être lu. Enregistrez-le de nouveau puis réessayez.")]
    PdfIllisible,
    #[error("Cette image est endommagée : elle ne peut pas être lue. Enregistrez-la de nouveau puis réessayez.")]
    ImageIllisible,
    #[error("Cette image est trop grande (plus de 12 000 pixels de côté) : réduisez-la puis réessayez.")]
    ImageTropGrande,
}

/// Reconnaît le format d'après le contenu, jamais d'après le nom ni le type
/// déclaré : un PDF commence par `%PDF-` et finit par `%%EOF` ; une image
/// PNG ou JPEG par sa signature.
pub fn reconnaitre(octets: &[u8]) -> Result<FormatPiece, PieceError> {
    if octets.is_empty() {
        return Err(PieceError::Vide);
    }
    if octets.len() > TAILLE_MAX_OCTETS {
        return Err(PieceError::TropGrand);
    }
    if octets.starts_with(b"%PDF-") {
        // La fin de fichier doit être là (un PDF tronqué ne l'a pas).
        let fin = &octets[octets.len().saturating_sub(1024)..];
        if !fin.windows(5).any(|w| w == b"%%EOF") {
            return Err(PieceError::PdfIllisible);
        }
        return Ok(FormatPiece::Pdf);
    }
    if octets.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(FormatPiece::Png);
    }
    if octets.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FormatPiece::Jpeg);
    }
    Err(PieceError::FormatNonReconnu)
}

/// Les dimensions annoncées par une image sont-elles acceptables ?
pub fn dimensions_acceptables(largeur: u32, hauteur: u32) -> Result<(), PieceError> {
    if largeur == 0 || hauteur == 0 {
        return Err(PieceError::ImageIllisible);
    }
    if largeur > IMAGE_COTE_MAX || hauteur > IMAGE_COTE_MAX || u64::from(largeur) * u64::from(hauteur) > IMAGE_PIXELS_MAX {
        return Err(PieceError::ImageTropGrande);
    }
    Ok(())
}

/// Le nom d'origine, gardé seulement comme information : sans chemin, sans
/// caractère de contrôle, 120 caractères au plus ; « document » s'il ne
/// reste rien.
pub fn nom_d_origine(nom: &str) -> String {
    let base = nom.rsplit(['/', '\\']).next().unwrap_or_default();
    // Ni contrôle, ni caractère de mise en forme invisible (inversion du sens
    // d'écriture, espace de largeur nulle) qui maquillerait l'extension.
    let invisible =
        |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}');
    let propre: String = base.chars().filter(|c| !c.is_control() && !invisible(*c) && !matches!(c, '"' | '<' | '>')).take(120).collect();
    let propre = propre.trim().to_owned();
    if propre.is_empty() {
        "document".to_owned()
    } else {
        propre
    }
}

/// Le statut d'une pièce jointe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatutPiece {
    /// Envoyée, à contrôler par le CERT.
    Deposee,
    Acceptee,
    /// Refusée par le CERT : une correction est demandée.
    Refusee,
    /// Remplacée par un nouvel envoi (gardée pour l'historique).
    Remplacee,
}

impl StatutPiece {
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Deposee => "Envoyée, en attente de contrôle",
            Self::Acceptee => "Acceptée par le CERT",
            Self::Refusee => "Refusée par le CERT",
            Self::Remplacee => "Remplacée",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Deposee => "deposee",
            Self::Acceptee => "acceptee",
            Self::Refusee => "refusee",
            Self::Remplacee => "remplacee",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        [Self::Deposee, Self::Acceptee, Self::Refusee, Self::Remplacee].into_iter().find(|s| s.code() == code)
    }
}

/// L'usager peut-il (re)déposer une pièce qui a ce statut ? Une pièce
/// acceptée ne se remplace plus.
pub fn remplacable(statut: Option<StatutPiece>) -> bool {
    !matches!(statut, Some(StatutPiece::Acceptee))
}

/// Le motif d'une demande de correction (le support : la pièce était
/// illisible).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotifCorrection {
    Illisible,
    Incomplete,
    NonConforme,
}

impl MotifCorrection {
    pub const TOUS: [Self; 3] = [Self::Illisible, Self::Incomplete, Self::NonConforme];

    pub fn libelle(self) -> &'static str {
        match self {
            Self::Illisible => "Pièce illisible",
            Self::Incomplete => "Pièce incomplète",
            Self::NonConforme => "Pièce non conforme",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Illisible => "illisible",
            Self::Incomplete => "incomplete",
            Self::NonConforme => "non_conforme",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|m| m.code() == code)
    }
}

/// Un message saisi (réponse de l'usager, note du CERT) : espaces retirés,
/// 2 000 caractères au plus, obligatoire là où il le faut.
pub fn valider_message(texte: &str, champ: &str, obligatoire: bool) -> Result<Option<String>, ChampErreur> {
    let t = texte.trim();
    if t.is_empty() {
        return if obligatoire { Err(ChampErreur::new(champ, "Saisissez un message.")) } else { Ok(None) };
    }
    if t.chars().count() > MESSAGE_MAX {
        return Err(ChampErreur::new(champ, format!("Le message ne doit pas dépasser {MESSAGE_MAX} caractères.")));
    }
    Ok(Some(t.to_owned()))
}

/// Chaque pièce obligatoire est envoyée et n'a pas été refusée ; sinon une
/// erreur au champ de chaque pièce qui manque. `statut` : le statut de la
/// version active d'une pièce, s'il y en a une. (Le SPA l'applique avant
/// l'envoi, le serveur à nouveau.)
pub fn exiger_pieces(requises: &[TypePiece], statut: impl Fn(TypePiece) -> Option<StatutPiece>) -> Result<(), Vec<ChampErreur>> {
    let erreurs: Vec<ChampErreur> = requises
        .iter()
        .filter_map(|t| match statut(*t) {
            None => Some(ChampErreur::new(t.champ(), format!("Joignez la pièce « {} ».", t.libelle()))),
            Some(StatutPiece::Refusee) => {
                Some(ChampErreur::new(t.champ(), "Cette pièce a été refusée par le CERT : envoyez-en une nouvelle version."))
            }
            Some(_) => None,
        })
        .collect();
    if erreurs.is_empty() {
        Ok(())
    } else {
        Err(erreurs)
    }
}

/// « Refuser la pièce jointe » : la pièce, le motif et le message à
/// l'usager (obligatoire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeCorrection {
    /// La pièce à corriger ; aucune : une précision demandée sur la demande
    /// elle-même (une TPC sans pièce).
    #[serde(default)]
    pub piece_id: Option<i64>,
    pub motif: Option<MotifCorrection>,
    #[serde(default)]
    pub message: String,
}

impl DemandeCorrection {
    pub fn valider(&self) -> Result<(MotifCorrection, String), Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        let motif = self.motif;
        if motif.is_none() {
            erreurs.push(ChampErreur::new("motif", "Choisissez le motif de la correction."));
        }
        let message = valider_message(&self.message, "message", true).map_err(|e| erreurs.push(e)).ok().flatten();
        match (motif, message) {
            (Some(m), Some(t)) if erreurs.is_empty() => Ok((m, t)),
            _ => Err(erreurs),
        }
    }
}

/// « Refuser la démarche » : le message à l'usager (obligatoire), et la
/// confirmation que c'est bien la démarche qui est refusée, définitivement
/// (une pièce illisible ou incomplète se traite par « Refuser la pièce
/// jointe », que l'usager corrige).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusDemarche {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub confirme: bool,
}

/// Le message d'un refus de démarche non confirmé.
pub const REFUS_NON_CONFIRME: &str = "Confirmez le refus définitif de la démarche. Pour une pièce illisible ou incomplète, \
     utilisez plutôt « Refuser la pièce jointe » : l'usager pourra la corriger.";

impl RefusDemarche {
    /// Le message à l'usager, une fois le refus confirmé ; une erreur par
    /// champ.
    pub fn valider(&self) -> Result<String, Vec<ChampErreur>> {
        let mut erreurs = Vec::new();
        let message = match valider_message(&self.message, "message", true) {
            Ok(Some(m)) => Some(m),
            Ok(None) => {
                erreurs.push(ChampErreur::new("message", "Saisissez un message."));
                None
            }
            Err(e) => {
                erreurs.push(e);
                None
            }
        };
        if !self.confirme {
            erreurs.push(ChampErreur::new("confirme", REFUS_NON_CONFIRME));
        }
        match message {
            Some(m) if erreurs.is_empty() => Ok(m),
            _ => Err(erreurs),
        }
    }
}

/// « Accepter la pièce ».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptationPiece {
    /// La pièce acceptée ; aucune : la demande elle-même, une fois toutes
    /// ses pièces acceptées (ou si elle n'en demande pas).
    #[serde(default)]
    pub piece_id: Option<i64>,
}

/// La réponse de l'usager à la note du CERT (« Envoyer »).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReponseUsager {
    #[serde(default)]
    pub message: String,
}

/// Une pièce jointe telle que l'usager et le CERT la voient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PieceVue {
    pub id: i64,
    pub type_piece: TypePiece,
    pub nom: String,
    pub format: FormatPiece,
    pub taille_octets: u64,
    pub sha256: String,
    pub statut: StatutPiece,
    pub deposee_le: String,
    /// L'adresse de téléchargement (pour l'usager ou pour l'agent).
    pub url: String,
}

impl PieceVue {
    /// « 1,2 Mo », « 340 ko ».
    pub fn taille(&self) -> String {
        taille_lisible(self.taille_octets)
    }
}

pub fn taille_lisible(octets: u64) -> String {
    if octets >= 1024 * 1024 {
        let dixiemes = octets * 10 / (1024 * 1024);
        format!("{},{} Mo", dixiemes / 10, dixiemes % 10)
    } else {
        format!("{} ko", octets.div_ceil(1024))
    }
}

/// Une pièce que la démarche demande, et ce qui en a été envoyé.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PieceRequiseVue {
    pub type_piece: TypePiece,
    pub libelle: String,
    pub obligatoire: bool,
    /// La version active (ni remplacée), s'il y en a une.
    pub piece: Option<PieceVue>,
}

/// Qui a écrit une entrée de l'historique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Auteur {
    Usager,
    Cert,
    Systeme,
}

impl Auteur {
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Usager => "Usager",
            Self::Cert => "CERT",
            Self::Systeme => "Système",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Usager => "usager",
            Self::Cert => "cert",
            Self::Systeme => "systeme",
        }
    }
    pub fn depuis_code(code: &str) -> Option<Self> {
        [Self::Usager, Self::Cert, Self::Systeme].into_iter().find(|a| a.code() == code)
    }
}

/// Ce qui s'est passé (une entrée de l'historique, piste d'audit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    PieceDeposee,
    EnvoiAuCert,
    ReponseUsager,
    PriseEnCharge,
    Liberation,
    PieceAcceptee,
    CorrectionDemandee,
    DemarcheAcceptee,
    DemarcheRefusee,
    DemarcheAbandonnee,
}

impl Action {
    pub const TOUTES: [Self; 10] = [
        Self::PieceDeposee,
        Self::EnvoiAuCert,
        Self::ReponseUsager,
        Self::PriseEnCharge,
        Self::Liberation,
        Self::PieceAcceptee,
        Self::CorrectionDemandee,
        Self::DemarcheAcceptee,
        Self::DemarcheRefusee,
        Self::DemarcheAbandonnee,
    ];

    pub fn libelle(self) -> &'static str {
        match self {
            Self::PieceDeposee => "Pièce envoyée",
            Self::EnvoiAuCert => "Demande envoyée au CERT",
            Self::ReponseUsager => "Réponse de l'usager envoyée au CERT",
            Self::PriseEnCharge => "Prise en charge par un agent",
            Self::Liberation => "Rendue à la file",
            Self::PieceAcceptee => "Pièce acceptée",
            Self::CorrectionDemandee => "Correction demandée",
            Self::DemarcheAcceptee => "Demande acceptée par le CERT",
            Self::DemarcheRefusee => "Demande refusée par le CERT",
            Self::DemarcheAbandonnee => "Demande abandonnée par l'usager",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::PieceDeposee => "piece_deposee",
            Self::EnvoiAuCert => "envoi_au_cert",
            Self::ReponseUsager => "reponse_usager",
            Self::PriseEnCharge => "prise_en_charge",
            Self::Liberation => "liberation",
            Self::PieceAcceptee => "piece_acceptee",
            Self::CorrectionDemandee => "correction_demandee",
            Self::DemarcheAcceptee => "demarche_acceptee",
            Self::DemarcheRefusee => "demarche_refusee",
            Self::DemarcheAbandonnee => "demarche_abandonnee",
        }
    }

    pub fn depuis_code(code: &str) -> Option<Self> {
        Self::TOUTES.into_iter().find(|a| a.code() == code)
    }

    /// L'usager voit-il cette entrée dans ses échanges avec le CERT ? (La
    /// prise en charge et la libération sont internes au CERT.)
    pub fn visible_par_l_usager(self) -> bool {
        !matches!(self, Self::PriseEnCharge | Self::Liberation)
    }
}

/// Une entrée de l'historique d'une démarche.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvenementVue {
    pub auteur: Auteur,
    /// Le nom de l'agent (vu par le CERT seulement).
    pub agent: Option<String>,
    pub action: Action,
    pub motif: Option<MotifCorrection>,
    pub message: Option<String>,
    /// Le nom de la pièce concernée.
    pub piece: Option<String>,
    pub le: String,
}

/// L'instruction d'une démarche, telle que l'usager la voit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionVue {
    /// Les pièces que la démarche peut recevoir ; `obligatoire` : celles que
    /// la saisie enregistrée demande.
    pub pieces_requises: Vec<PieceRequiseVue>,
    /// Les échanges avec le CERT (les plus anciens d'abord).
    pub echanges: Vec<EvenementVue>,
}

impl InstructionVue {
    /// La dernière « Note du CERT » (la demande de correction ou le refus).
    pub fn note_du_cert(&self) -> Option<&EvenementVue> {
        self.echanges
            .iter()
            .rev()
            .find(|e| e.auteur == Auteur::Cert && matches!(e.action, Action::CorrectionDemandee | Action::DemarcheRefusee))
    }

    /// Les pièces obligatoires.
    pub fn obligatoires(&self) -> impl Iterator<Item = &PieceRequiseVue> {
        self.pieces_requises.iter().filter(|p| p.obligatoire)
    }

    /// Toutes les pièces obligatoires sont-elles envoyées et non refusées ?
    pub fn pieces_completes(&self) -> bool {
        self.pieces_requises
            .iter()
            .filter(|p| p.obligatoire)
            .all(|p| p.piece.as_ref().is_some_and(|x| matches!(x.statut, StatutPiece::Deposee | StatutPiece::Acceptee)))
    }
}

// --- Le back office du CERT ---------------------------------------------

/// Une ligne de la file du CERT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneFileCert {
    pub numero: String,
    pub teleprocedure: crate::Teleprocedure,
    pub etat: crate::EtatDemarche,
    pub immatriculation: Option<String>,
    pub usager: String,
    /// Depuis quand elle attend le CERT (heure de Paris, lisible).
    pub en_attente_depuis: String,
    /// L'agent qui l'a prise en charge.
    pub agent: Option<String>,
}

/// La file du CERT : le nombre de démarches par état, et les démarches
/// filtrées, les plus anciennes d'abord.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCert {
    pub compteurs: Vec<(crate::EtatDemarche, i64)>,
    pub demarches: Vec<LigneFileCert>,
}

/// L'usager, tel que l'agent le voit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagerVue {
    pub nom: String,
    pub email: String,
    pub compte: String,
}

/// Une démarche ouverte dans le back office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierCert {
    pub demarche: crate::procedures::DemarcheVue,
    pub usager: UsagerVue,
    /// L'agent qui l'a prise en charge.
    pub agent: Option<String>,
    pub pris_par_moi: bool,
    /// Toutes les pièces, remplacées comprises (adresses pour l'agent).
    pub pieces: Vec<PieceVue>,
    /// L'historique complet (piste d'audit).
    pub historique: Vec<EvenementVue>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_exigees_une_erreur_par_piece_manquante_ou_refusee() {
        let (a, b, c) = (
            TypePiece::DECLARATION_VOL,
            TypePiece::de_la_tpc(&crate::tpc::PIECES_MANDANT[0]),
            TypePiece::de_la_tpc(&crate::tpc::PIECES_MANDANT[1]),
        );
        let statut = |t: TypePiece| match t.code() {
            "declaration_vol" => Some(StatutPiece::Deposee),
            "identite_mandant" => Some(StatutPiece::Refusee),
            _ => None,
        };
        let e = exiger_pieces(&[a, b, c], statut).unwrap_err();
        let champs: Vec<&str> = e.iter().map(|e| e.champ.as_str()).collect();
        assert_eq!(champs, ["piece_identite_mandant", "piece_cerfa_13757"]);
        assert!(e[0].message.contains("refusée par le CERT"));
        assert_eq!(e[1].message, "Joignez la pièce « cerfa 13757 signé ».");
        assert!(exiger_pieces(&[a], statut).is_ok());
        assert!(exiger_pieces(&[], |_| None).is_ok());
    }

    use super::*;

    fn pdf(corps: &[u8]) -> Vec<u8> {
        let mut v = b"%PDF-1.4\n".to_vec();
        v.extend_from_slice(corps);
        v.extend_from_slice(b"\n%%EOF\n");
        v
    }

    #[test]
    fn reconnu_par_le_contenu() {
        assert_eq!(reconnaitre(&pdf(b"1 0 obj")), Ok(FormatPiece::Pdf));
        assert_eq!(reconnaitre(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Ok(FormatPiece::Png));
        assert_eq!(reconnaitre(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Ok(FormatPiece::Jpeg));
        // Un exécutable renommé « declaration.pdf » : refusé, quel que soit son nom.
        assert_eq!(reconnaitre(b"MZ\x90\0\x03\0\0\0"), Err(PieceError::FormatNonReconnu));
        assert_eq!(reconnaitre(b"\x7fELF\x02\x01"), Err(PieceError::FormatNonReconnu));
        // Un SVG (du script possible) n'est pas une image acceptée.
        assert_eq!(reconnaitre(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"), Err(PieceError::FormatNonReconnu));
        assert_eq!(reconnaitre(b""), Err(PieceError::Vide));
    }

    #[test]
    fn pdf_tronque_refuse() {
        let entier = pdf(&[b'x'; 4000]);
        assert_eq!(reconnaitre(&entier[..2000]), Err(PieceError::PdfIllisible));
    }

    #[test]
    fn taille_maximale() {
        let mut gros = pdf(b"");
        gros.resize(TAILLE_MAX_OCTETS + 1, b' ');
        assert_eq!(reconnaitre(&gros), Err(PieceError::TropGrand));
        let mut juste = b"\x89PNG\r\n\x1a\n".to_vec();
        juste.resize(TAILLE_MAX_OCTETS, 0);
        assert_eq!(reconnaitre(&juste), Ok(FormatPiece::Png));
    }

    #[test]
    fn dimensions() {
        assert!(dimensions_acceptables(2480, 3508).is_ok());
        assert_eq!(dimensions_acceptables(100_000, 100_000), Err(PieceError::ImageTropGrande));
        assert_eq!(dimensions_acceptables(12_000, 12_000), Err(PieceError::ImageTropGrande));
        assert_eq!(dimensions_acceptables(0, 10), Err(PieceError::ImageIllisible));
    }

    #[test]
    fn nom_sans_chemin_ni_controle() {
        assert_eq!(nom_d_origine("C:\\Users\\julien\\vol.pdf"), "vol.pdf");
        assert_eq!(nom_d_origine("../../etc/passwd"), "passwd");
        assert_eq!(nom_d_origine("décl\u{0}aration \"vol\".pdf"), "déclaration vol.pdf");
        assert_eq!(nom_d_origine("   "), "document");
        assert_eq!(nom_d_origine("facture\u{202E}fdp.exe"), "facturefdp.exe");
        assert_eq!(nom_d_origine("vol\u{200B}.pdf"), "vol.pdf");
        assert_eq!(nom_d_origine(&"a".repeat(500)).chars().count(), 120);
    }

    #[test]
    fn messages() {
        assert_eq!(valider_message("  ", "message", false), Ok(None));
        assert_eq!(valider_message("  ", "message", true).unwrap_err().champ, "message");
        assert_eq!(valider_message(" Voici ", "message", true), Ok(Some("Voici".into())));
        assert!(valider_message(&"é".repeat(MESSAGE_MAX + 1), "message", false).is_err());
        assert!(valider_message(&"é".repeat(MESSAGE_MAX), "message", false).is_ok());
        let d = DemandeCorrection { piece_id: Some(1), motif: None, message: String::new() };
        let champs: Vec<_> = d.valider().unwrap_err().into_iter().map(|e| e.champ).collect();
        assert_eq!(champs, ["motif", "message"]);
        let d = DemandeCorrection { piece_id: Some(1), motif: Some(MotifCorrection::Illisible), message: "Illisible, renvoyez-la.".into() };
        assert_eq!(d.valider(), Ok((MotifCorrection::Illisible, "Illisible, renvoyez-la.".into())));
    }

    #[test]
    fn tailles_lisibles() {
        assert_eq!(taille_lisible(1), "1 ko");
        assert_eq!(taille_lisible(340 * 1024), "340 ko");
        assert_eq!(taille_lisible(1_300_000), "1,2 Mo");
    }

    #[test]
    fn types_de_piece_par_leur_code() {
        assert_eq!(TypePiece::depuis_code("declaration_vol"), Some(TypePiece::DECLARATION_VOL));
        assert_eq!(serde_json::to_value(TypePiece::DECLARATION_VOL).unwrap(), "declaration_vol");
        let cerfa: TypePiece = serde_json::from_value(serde_json::json!("cerfa_13757")).unwrap();
        assert_eq!(cerfa.libelle(), "cerfa 13757 signé");
        assert_eq!(cerfa.action(), "Envoyer la pièce");
        assert!(serde_json::from_value::<TypePiece>(serde_json::json!("../../etc/passwd")).is_err());
        assert_eq!(TypePiece::depuis_code("mandat"), None);
        for p in crate::tpc::toutes_les_pieces() {
            assert_eq!(TypePiece::depuis_code(p.code).map(TypePiece::code), Some(p.code));
        }
    }

    #[test]
    fn piece_acceptee_non_remplacable() {
        assert!(remplacable(None));
        assert!(remplacable(Some(StatutPiece::Refusee)));
        assert!(remplacable(Some(StatutPiece::Deposee)));
        assert!(!remplacable(Some(StatutPiece::Acceptee)));
    }
}
