//! Les courriers : une lettre PDF au format d'une enveloppe à fenêtre de La
//! Poste (DL, fenêtre à droite) ; le bloc adresse respecte la norme AFNOR
//! NF Z 10-011 (6 lignes de 38 caractères au plus, déjà produites par
//! `immat_domain::adresse_postale::lignes_afnor`), placé à 110 mm du bord
//! gauche et 50 mm du haut, dans la fenêtre une fois la lettre pliée en
//! trois. L'expéditeur en haut à gauche, puis la date, la référence,
//! l'objet et le corps.
//!
//! La boîte d'envoi garde l'envoi (destinataire, objet, corps au code
//! masqué) ; la lettre s'en déduit à la demande : la copie d'archive que
//! l'agent ouvre porte le code masqué. L'exemplaire envoyé, code en clair,
//! n'est produit que pour le service d'impression (non branché dans cette
//! démonstration : voir le README).

use crate::documents::Pdf;
use time::Date;

/// Gauche du bloc adresse (mm depuis le bord gauche).
const ADRESSE_X: f32 = 110.0;
/// Haut du bloc adresse (mm depuis le bas d'une page A4 : 50 mm du haut).
const ADRESSE_HAUT: f32 = 297.0 - 50.0;
/// Interligne du bloc adresse, corps 10 points.
const INTERLIGNE: f32 = 4.6;

pub const EXPEDITEUR: [&str; 4] = [
    "Agence nationale des titres sécurisés",
    "Centre d'expertise et de ressources titres (CERT)",
    "Immat — environnement de démonstration",
    "Service non officiel",
];

/// Une lettre à imprimer.
pub struct Lettre<'a> {
    /// Les lignes AFNOR du destinataire (6 au plus, 38 caractères chacune).
    pub adresse: &'a [String],
    pub date: Date,
    pub reference: &'a str,
    pub objet: &'a str,
    pub corps: &'a str,
    /// La copie d'archive (code masqué), et non l'exemplaire envoyé.
    pub archive: bool,
}

const MOIS: [&str; 12] =
    ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

/// « 6 décembre 2026 ».
pub fn date_longue(d: Date) -> String {
    let mois = MOIS[usize::from(u8::from(d.month())) - 1];
    let jour = if d.day() == 1 { "1er".to_owned() } else { d.day().to_string() };
    format!("{jour} {mois} {}", d.year())
}

pub fn pdf(l: &Lettre<'_>) -> anyhow::Result<Vec<u8>> {
    let pied = if l.archive {
        format!("Copie d'archive de la boîte d'envoi — le code confidentiel y est masqué. Référence {}.", l.reference)
    } else {
        format!("Référence {} — Immat, environnement de démonstration, service non officiel.", l.reference)
    };
    let mut pdf = Pdf::vierge(l.objet, &pied)?;
    for (i, ligne) in EXPEDITEUR.iter().enumerate() {
        pdf.texte_en(ligne, 9.0, 20.0, 297.0 - 20.0 - i as f32 * 4.2, i == 0);
    }
    for (i, ligne) in l.adresse.iter().take(6).enumerate() {
        pdf.texte_en(ligne, 10.0, ADRESSE_X, ADRESSE_HAUT - i as f32 * INTERLIGNE, false);
    }
    pdf.texte_en(&format!("Le {}", date_longue(l.date)), 10.0, ADRESSE_X, 297.0 - 105.0, false);
    pdf.texte_en(&format!("Référence : {}", l.reference), 9.0, 20.0, 297.0 - 105.0, false);
    pdf.aller_a(297.0 - 115.0);
    pdf.heading(&format!("Objet : {}", l.objet));
    pdf.space(3.0);
    for paragraphe in l.corps.split("\n\n") {
        pdf.para(paragraphe.trim());
        pdf.space(2.0);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn date_en_toutes_lettres() {
        assert_eq!(date_longue(date!(2026 - 12 - 06)), "6 décembre 2026");
        assert_eq!(date_longue(date!(2027 - 01 - 01)), "1er janvier 2027");
    }

    #[test]
    fn lettre_pdf_avec_son_adresse() {
        let adresse = vec!["JULIEN PAUL".to_owned(), "12 RUE DE LA REPUBLIQUE".to_owned(), "69002 LYON".to_owned()];
        let octets = pdf(&Lettre {
            adresse: &adresse,
            date: date!(2026 - 12 - 06),
            reference: "COURRIER-1",
            objet: "Votre code confidentiel",
            corps: "Bonjour,\n\nVoici le code : ••••-••EF",
            archive: true,
        })
        .unwrap();
        assert!(octets.starts_with(b"%PDF-"));
    }
}
