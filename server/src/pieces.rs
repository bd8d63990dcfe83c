//! Les pièces jointes côté serveur : le contrôle par le contenu (le domaine
//! reconnaît la signature ; ici, un PDF doit s'analyser et une image se
//! décoder, dimensions vérifiées avant tout décodage) et le stockage hors de
//! la racine web, sous un nom aléatoire, avec l'empreinte SHA-256.

use immat_domain::pieces::{dimensions_acceptables, reconnaitre, FormatPiece, PieceError};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::{io::Cursor, path::PathBuf};

/// Contrôle le contenu d'un fichier envoyé ; rend son format.
pub fn controler(octets: &[u8]) -> Result<FormatPiece, PieceError> {
    let format = reconnaitre(octets)?;
    match format {
        FormatPiece::Pdf => controler_pdf(octets)?,
        FormatPiece::Png => controler_png(octets)?,
        FormatPiece::Jpeg => controler_jpeg(octets)?,
    }
    Ok(format)
}

/// La structure d'un PDF, analysée en un seul passage linéaire, sans rien
/// décompresser ni suivre de référence (donc sans récursion, sans boucle ni
/// allocation que le fichier commanderait) :
/// - `startxref` (dans les 1 024 derniers octets) désigne, dans le fichier,
///   une table `xref` ou un flux de références (`n g obj`) ;
/// - les dictionnaires et tableaux s'ouvrent et se ferment à 64 niveaux au
///   plus, les chaînes se ferment, chaque `stream` a son `endstream` ;
/// - la chaîne des `/Prev` (mises à jour incrémentales) est courte et sans
///   répétition.
///
/// (Le premier contrôle passait par un analyseur complet, lopdf : un PDF
/// forgé y provoquait un débordement de pile ou une boucle sans fin.)
pub fn controler_pdf(o: &[u8]) -> Result<(), PieceError> {
    const PROFONDEUR_MAX: usize = 64;
    const PREV_MAX: usize = 64;
    let illisible = || PieceError::PdfIllisible;
    // startxref et son décalage.
    let fin = &o[o.len().saturating_sub(1024)..];
    let pos = fin.windows(9).rposition(|w| w == b"startxref").ok_or_else(illisible)?;
    let apres = &fin[pos + 9..];
    let chiffres: Vec<u8> = apres.iter().copied().skip_while(u8::is_ascii_whitespace).take_while(u8::is_ascii_digit).collect();
    let decalage: usize = std::str::from_utf8(&chiffres).ok().and_then(|s| s.parse().ok()).ok_or_else(illisible)?;
    let cible = o.get(decalage..).ok_or_else(illisible)?;
    let xref_classique = cible.starts_with(b"xref");
    let xref_flux = {
        let tete: Vec<u8> = cible.iter().take(40).copied().collect();
        let t = String::from_utf8_lossy(&tete);
        let mut mots = t.split_ascii_whitespace();
        matches!((mots.next(), mots.next(), mots.next()), (Some(a), Some(b), Some(c))
            if a.bytes().all(|x| x.is_ascii_digit()) && b.bytes().all(|x| x.is_ascii_digit()) && c.starts_with("obj"))
    };
    if !xref_classique && !xref_flux {
        return Err(illisible());
    }
    // Un passage sur les jetons.
    let mut prevs: Vec<usize> = Vec::new();
    let (mut i, mut profondeur) = (0usize, 0usize);
    let n = o.len();
    let delimiteur = |c: u8| c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c);
    while i < n {
        match o[i] {
            b'%' => {
                while i < n && o[i] != b'\n' && o[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                // Chaîne littérale : parenthèses imbriquées, échappements.
                let mut niveau = 0usize;
                loop {
                    if i >= n {
                        return Err(illisible());
                    }
                    match o[i] {
                        b'\\' => i += 1,
                        b'(' => niveau += 1,
                        b')' => {
                            niveau -= 1;
                            if niveau == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'<' if o.get(i + 1) == Some(&b'<') => {
                profondeur += 1;
                if profondeur > PROFONDEUR_MAX {
                    return Err(illisible());
                }
                i += 2;
            }
            b'<' => {
                // Chaîne hexadécimale.
                while i < n && o[i] != b'>' {
                    i += 1;
                }
                if i >= n {
                    return Err(illisible());
                }
                i += 1;
            }
            b'>' if o.get(i + 1) == Some(&b'>') => {
                profondeur = profondeur.checked_sub(1).ok_or_else(illisible)?;
                i += 2;
            }
            b'[' => {
                profondeur += 1;
                if profondeur > PROFONDEUR_MAX {
                    return Err(illisible());
                }
                i += 1;
            }
            b']' => {
                profondeur = profondeur.checked_sub(1).ok_or_else(illisible)?;
                i += 1;
            }
            b's' if o[i..].starts_with(b"stream") && (i == 0 || delimiteur(o[i - 1])) => {
                // Les données d'un flux, jusqu'à son « endstream ».
                let debut = i + 6;
                let reste = o.get(debut..).ok_or_else(illisible)?;
                let fin = reste.windows(9).position(|w| w == b"endstream").ok_or_else(illisible)?;
                i = debut + fin + 9;
            }
            b'/' if o[i..].starts_with(b"/Prev") && o.get(i + 5).is_some_and(|c| delimiteur(*c)) => {
                let chiffres: Vec<u8> =
                    o[i + 5..].iter().copied().skip_while(u8::is_ascii_whitespace).take_while(u8::is_ascii_digit).take(20).collect();
                let valeur: usize = std::str::from_utf8(&chiffres).ok().and_then(|s| s.parse().ok()).ok_or_else(illisible)?;
                if valeur >= n || valeur == decalage || prevs.contains(&valeur) || prevs.len() >= PREV_MAX {
                    return Err(illisible());
                }
                prevs.push(valeur);
                i += 5;
            }
            _ => i += 1,
        }
    }
    if profondeur != 0 {
        return Err(illisible());
    }
    Ok(())
}

fn controler_png(octets: &[u8]) -> Result<(), PieceError> {
    let mut decoder = png::Decoder::new(Cursor::new(octets));
    // Les blocs compressés ne peuvent pas demander plus que cela.
    decoder.set_limits(png::Limits { bytes: 64 * 1024 * 1024 });
    let mut reader = decoder.read_info().map_err(|_| PieceError::ImageIllisible)?;
    let (largeur, hauteur) = (reader.info().width, reader.info().height);
    dimensions_acceptables(largeur, hauteur)?;
    // Décodage ligne à ligne : la mémoire reste celle d'une ligne.
    let mut lignes = 0u32;
    while let Some(_ligne) = reader.next_row().map_err(|_| PieceError::ImageIllisible)? {
        lignes += 1;
    }
    if !reader.info().interlaced && lignes < hauteur {
        return Err(PieceError::ImageIllisible);
    }
    Ok(())
}

fn controler_jpeg(octets: &[u8]) -> Result<(), PieceError> {
    use zune_jpeg::{zune_core::options::DecoderOptions, JpegDecoder};
    // L'en-tête est lu jusqu'au maximum du format (65 535) : le domaine juge
    // les dimensions annoncées avant tout décodage.
    let options = DecoderOptions::default().set_max_width(usize::from(u16::MAX)).set_max_height(usize::from(u16::MAX));
    let mut decoder = JpegDecoder::new_with_options(octets, options);
    decoder.decode_headers().map_err(|_| PieceError::ImageIllisible)?;
    let (largeur, hauteur) = decoder.dimensions().ok_or(PieceError::ImageIllisible)?;
    dimensions_acceptables(
        u32::try_from(largeur).map_err(|_| PieceError::ImageTropGrande)?,
        u32::try_from(hauteur).map_err(|_| PieceError::ImageTropGrande)?,
    )?;
    decoder.decode().map_err(|_| PieceError::ImageIllisible)?;
    Ok(())
}

/// Le contrôle hors du fil des requêtes, deux à la fois au plus (le
/// décodage d'une grande image coûte de la mémoire et du temps de calcul :
/// des envois simultanés attendent leur tour).
pub async fn controler_a_part(octets: bytes::Bytes) -> anyhow::Result<Result<FormatPiece, PieceError>> {
    static PERMIS: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> = std::sync::OnceLock::new();
    let permis = PERMIS.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(2))).clone();
    let _permis = permis.acquire_owned().await?;
    Ok(tokio::task::spawn_blocking(move || controler(&octets)).await?)
}

/// Le dossier des pièces (hors de la racine web servie).
#[derive(Debug, Clone)]
pub struct Stockage {
    dossier: PathBuf,
}

/// Un fichier écrit : son nom aléatoire et son empreinte.
#[derive(Debug, Clone)]
pub struct FichierEcrit {
    pub fichier: String,
    pub sha256: String,
}

impl Stockage {
    pub fn new(dossier: PathBuf) -> Self {
        Self { dossier }
    }

    /// Écrit le fichier sous un nom aléatoire (128 bits), sans extension.
    pub async fn ecrire(&self, octets: &[u8]) -> std::io::Result<FichierEcrit> {
        tokio::fs::create_dir_all(&self.dossier).await?;
        let mut alea = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut alea);
        let fichier = hex::encode(alea);
        tokio::fs::write(self.dossier.join(&fichier), octets).await?;
        Ok(FichierEcrit { fichier, sha256: hex::encode(Sha256::digest(octets)) })
    }

    /// Relit un fichier ; l'empreinte doit correspondre (un fichier altéré
    /// sur le disque n'est pas servi).
    pub async fn lire(&self, fichier: &str, sha256: &str) -> std::io::Result<Vec<u8>> {
        if fichier.len() != 32 || !fichier.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "nom de pièce invalide"));
        }
        let octets = tokio::fs::read(self.dossier.join(fichier)).await?;
        if hex::encode(Sha256::digest(&octets)) != sha256 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "empreinte de la pièce différente"));
        }
        Ok(octets)
    }

    /// Efface un fichier écrit dont l'enregistrement a échoué.
    pub async fn effacer(&self, fichier: &str) {
        let _ = tokio::fs::remove_file(self.dossier.join(fichier)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Un PNG valide de 2 × 1 pixels, écrit par l'encodeur du crate.
    fn png_valide(largeur: u32, hauteur: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut e = png::Encoder::new(&mut out, largeur, hauteur);
            e.set_color(png::ColorType::Grayscale);
            let mut w = e.write_header().unwrap();
            w.write_image_data(&vec![128u8; (largeur * hauteur) as usize]).unwrap();
        }
        out
    }

    #[test]
    fn png_valide_accepte_tronque_refuse() {
        let p = png_valide(40, 30);
        assert_eq!(controler(&p), Ok(FormatPiece::Png));
        assert_eq!(controler(&p[..p.len() / 2]), Err(PieceError::ImageIllisible));
    }

    #[test]
    fn png_qui_annonce_des_dimensions_enormes_refuse_sans_decoder() {
        // L'en-tête IHDR d'une « bombe » : 100 000 × 100 000 pixels annoncés.
        let mut p = png_valide(1, 1);
        p[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        p[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // Le CRC de l'IHDR recalculé, pour que seul le décompte compte.
        let crc = crc32(&p[12..29]);
        p[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(controler(&p), Err(PieceError::ImageTropGrande));
    }

    fn crc32(octets: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in octets {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn pdf_genere_accepte_et_faux_pdf_refuse() {
        let mut pdf = crate::documents::Pdf::new("Déclaration de vol", "pied").unwrap();
        pdf.para("Récépissé de déclaration de vol.");
        let octets = pdf.finish().unwrap();
        assert_eq!(controler(&octets), Ok(FormatPiece::Pdf));
        // Une signature PDF et une fin, mais rien à analyser entre les deux.
        assert_eq!(controler(b"%PDF-1.7\nceci n'est pas un PDF\n%%EOF\n"), Err(PieceError::PdfIllisible));
    }

    #[test]
    fn pdf_forge_refuse_sans_deborder_ni_boucler() {
        // 200 000 tableaux imbriqués dans la remorque (débordement de pile
        // d'un analyseur récursif).
        let mut p = b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /A ".to_vec();
        p.extend(std::iter::repeat_n(b'[', 200_000));
        p.extend_from_slice(b" >>\nstartxref\n9\n%%EOF\n");
        assert_eq!(controler(&p), Err(PieceError::PdfIllisible));
        // Une remorque dont /Prev désigne sa propre table (boucle sans fin).
        let boucle = b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev 9 >>\nstartxref\n9\n%%EOF\n";
        assert_eq!(controler(boucle), Err(PieceError::PdfIllisible));
        // Deux /Prev qui se renvoient l'un à l'autre.
        let ping = b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev 60 >>\n<< /Prev 60 >>\nstartxref\n9\n%%EOF\n";
        assert_eq!(controler(ping), Err(PieceError::PdfIllisible));
        // startxref hors du fichier, flux sans fin, chaîne non fermée.
        assert_eq!(controler(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\nstartxref\n99999\n%%EOF\n"), Err(PieceError::PdfIllisible));
        assert_eq!(controler(b"%PDF-1.4\n1 0 obj\n<< /Length 5 >>\nstream\nabc\nstartxref\n9\n%%EOF\n"), Err(PieceError::PdfIllisible));
        assert_eq!(controler(b"%PDF-1.4\nxref\n(jamais fermee\nstartxref\n9\n%%EOF\n"), Err(PieceError::PdfIllisible));
    }

    #[test]
    fn jpeg_corrompu_refuse() {
        assert_eq!(controler(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1]), Err(PieceError::ImageIllisible));
    }

    #[tokio::test]
    async fn stockage_nom_aleatoire_et_empreinte() {
        let dir = tempfile::tempdir().unwrap();
        let s = Stockage::new(dir.path().join("pieces"));
        let a = s.ecrire(b"abc").await.unwrap();
        let b = s.ecrire(b"abc").await.unwrap();
        assert_ne!(a.fichier, b.fichier);
        assert_eq!(a.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(s.lire(&a.fichier, &a.sha256).await.unwrap(), b"abc");
        assert!(s.lire("../../etc/passwd", &a.sha256).await.is_err());
        tokio::fs::write(dir.path().join("pieces").join(&a.fichier), b"abd").await.unwrap();
        assert!(s.lire(&a.fichier, &a.sha256).await.is_err());
    }
}
