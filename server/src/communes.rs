//! La liste officielle des communes et de leurs codes postaux (COG), tirée
//! du paquet npm `@etalab/decoupage-administratif` 6.0.0 par
//! `scripts/generate-communes.mjs` et embarquée dans le binaire.

use std::collections::HashMap;

static DONNEES: &str = include_str!("../data/communes.tsv");

pub struct Communes {
    par_code_postal: HashMap<&'static str, Vec<&'static str>>,
}

impl Communes {
    pub fn charger() -> Self {
        let mut par_code_postal: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for ligne in DONNEES.lines() {
            let mut champs = ligne.split('\t');
            if let (Some(cp), Some(_insee), Some(nom)) = (champs.next(), champs.next(), champs.next()) {
                par_code_postal.entry(cp).or_default().push(nom);
            }
        }
        Self { par_code_postal }
    }

    pub fn du_code_postal(&self, code_postal: &str) -> &[&'static str] {
        self.par_code_postal.get(code_postal).map_or(&[], Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.par_code_postal.len()
    }

    pub fn is_empty(&self) -> bool {
        self.par_code_postal.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn communes_chargees() {
        let c = Communes::charger();
        assert!(c.len() > 6000, "{} codes postaux", c.len());
        assert_eq!(c.du_code_postal("13001"), ["Marseille"]);
        assert!(c.du_code_postal("69002").contains(&"Lyon"));
        assert!(c.du_code_postal("00000").is_empty());
    }
}
