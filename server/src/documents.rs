//! Les documents PDF remis à l'usager : récapitulatif de la demande et
//! certificat de situation administrative. Police DejaVu Sans embarquée
//! (licence libre, `assets/fonts/LICENSE-DejaVu.txt`) : le texte est
//! sélectionnable et extractible.

use printpdf::{IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference};
use std::io::Cursor;

static REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

const MARGE: f32 = 20.0;
const HAUT: f32 = 277.0;
const BAS: f32 = 22.0;
/// Caractères par ligne pour un corps de 10 points sur la largeur utile.
const LARGEUR_CARACTERES: usize = 88;

pub struct Pdf {
    doc: PdfDocumentReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    layer: PdfLayerReference,
    y: f32,
    pied: String,
}

impl Pdf {
    pub fn new(titre: &str, pied: &str) -> anyhow::Result<Self> {
        let (doc, page, layer) = PdfDocument::new(titre, Mm(210.0), Mm(297.0), "Contenu");
        let regular = doc.add_external_font(Cursor::new(REGULAR)).map_err(|e| anyhow::anyhow!("police : {e}"))?;
        let bold = doc.add_external_font(Cursor::new(BOLD)).map_err(|e| anyhow::anyhow!("police : {e}"))?;
        let layer = doc.get_page(page).get_layer(layer);
        let mut pdf = Self { doc, regular, bold, layer, y: HAUT, pied: pied.to_owned() };
        pdf.text_bold("RÉPUBLIQUE FRANÇAISE — Immat (environnement de démonstration)", 9.0);
        pdf.space(4.0);
        pdf.text_bold(titre, 16.0);
        pdf.space(4.0);
        Ok(pdf)
    }

    /// Une page vierge (un courrier place lui-même ses blocs).
    pub fn vierge(titre: &str, pied: &str) -> anyhow::Result<Self> {
        let (doc, page, layer) = PdfDocument::new(titre, Mm(210.0), Mm(297.0), "Contenu");
        let regular = doc.add_external_font(Cursor::new(REGULAR)).map_err(|e| anyhow::anyhow!("police : {e}"))?;
        let bold = doc.add_external_font(Cursor::new(BOLD)).map_err(|e| anyhow::anyhow!("police : {e}"))?;
        let layer = doc.get_page(page).get_layer(layer);
        Ok(Self { doc, regular, bold, layer, y: HAUT, pied: pied.to_owned() })
    }

    /// Un texte à la position donnée (en mm depuis le coin bas gauche).
    pub fn texte_en(&self, text: &str, size: f32, x: f32, y: f32, bold: bool) {
        let font = if bold { &self.bold } else { &self.regular };
        self.layer.use_text(text, size, Mm(x), Mm(y), font);
    }

    /// La suite du texte part de cette hauteur (mm depuis le bas).
    pub fn aller_a(&mut self, y: f32) {
        self.y = y;
    }

    fn ensure(&mut self, hauteur: f32) {
        if self.y - hauteur < BAS {
            self.footer();
            let (page, layer) = self.doc.add_page(Mm(210.0), Mm(297.0), "Contenu");
            self.layer = self.doc.get_page(page).get_layer(layer);
            self.y = HAUT;
        }
    }

    fn footer(&self) {
        self.layer.use_text(self.pied.clone(), 8.0, Mm(MARGE), Mm(12.0), &self.regular);
    }

    pub fn space(&mut self, mm: f32) {
        self.y -= mm;
    }

    fn write(&mut self, text: &str, size: f32, bold: bool) {
        let hauteur = size * 0.45;
        self.ensure(hauteur);
        self.y -= hauteur;
        let font = if bold { &self.bold } else { &self.regular };
        self.layer.use_text(text, size, Mm(MARGE), Mm(self.y), font);
        self.y -= 1.5;
    }

    pub fn text_bold(&mut self, text: &str, size: f32) {
        self.write(text, size, true);
    }

    pub fn heading(&mut self, text: &str) {
        self.space(3.0);
        self.write(text, 12.0, true);
    }

    /// Un paragraphe, coupé aux mots.
    pub fn para(&mut self, text: &str) {
        for ligne in wrap(text, LARGEUR_CARACTERES) {
            self.write(&ligne, 10.0, false);
        }
    }

    /// « Libellé : valeur ».
    pub fn field(&mut self, label: &str, value: &str) {
        self.para(&format!("{label} : {value}"));
    }

    pub fn finish(self) -> anyhow::Result<Vec<u8>> {
        self.footer();
        self.doc.save_to_bytes().map_err(|e| anyhow::anyhow!("écriture du PDF : {e}"))
    }
}

fn wrap(text: &str, largeur: usize) -> Vec<String> {
    let mut lignes = Vec::new();
    let mut courante = String::new();
    for mot in text.split_whitespace() {
        if !courante.is_empty() && courante.chars().count() + 1 + mot.chars().count() > largeur {
            lignes.push(std::mem::take(&mut courante));
        }
        if !courante.is_empty() {
            courante.push(' ');
        }
        courante.push_str(mot);
    }
    if !courante.is_empty() || lignes.is_empty() {
        lignes.push(courante);
    }
    lignes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_valide_avec_police_embarquee() {
        let mut pdf = Pdf::new("Récapitulatif de la demande", "pied").unwrap();
        for i in 0..120 {
            pdf.field("Ligne", &format!("valeur {i} avec des accents é à ç"));
        }
        let bytes = pdf.finish().unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let s = String::from_utf8_lossy(&bytes);
        assert!(s.contains("DejaVuSans"), "police embarquée");
        // 120 lignes ne tiennent pas sur une page : plusieurs pages.
        assert!(!s.contains("/Count 1\n") && !s.contains("/Count 1 "), "plusieurs pages attendues");
    }

    #[test]
    fn coupe_aux_mots() {
        assert_eq!(wrap("un deux trois", 7), ["un deux", "trois"]);
        assert_eq!(wrap("", 7), [""]);
    }
}
