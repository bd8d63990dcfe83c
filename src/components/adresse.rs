//! Les champs d'une adresse postale (saisie, validée en direct par le
//! domaine) et son affichage sur plusieurs lignes.

use crate::components::{field::TextField, form_errors::FormErrors};
use immat_domain::adresse_postale::{AdresseNormalisee, AdresseSaisie};
use leptos::prelude::*;

/// Les champs d'une adresse, en signaux (rien n'est perdu en cas d'erreur).
#[derive(Clone, Copy)]
pub struct AdresseSignals {
    pub voie: RwSignal<String>,
    pub complement: RwSignal<String>,
    pub lieu_dit: RwSignal<String>,
    pub code_postal: RwSignal<String>,
    pub commune: RwSignal<String>,
}

impl AdresseSignals {
    pub fn new(a: Option<AdresseSaisie>) -> Self {
        let a = a.unwrap_or_default();
        Self {
            voie: RwSignal::new(a.voie),
            complement: RwSignal::new(a.complement),
            lieu_dit: RwSignal::new(a.lieu_dit),
            code_postal: RwSignal::new(a.code_postal),
            commune: RwSignal::new(a.commune),
        }
    }
    pub fn saisie(&self) -> AdresseSaisie {
        AdresseSaisie {
            voie: self.voie.get_untracked(),
            complement: self.complement.get_untracked(),
            lieu_dit: self.lieu_dit.get_untracked(),
            code_postal: self.code_postal.get_untracked(),
            commune: self.commune.get_untracked(),
        }
    }
}

pub const CHAMPS_ADRESSE: [&str; 5] = ["adresse.voie", "adresse.complement", "adresse.lieu_dit", "adresse.code_postal", "adresse.commune"];

#[component]
pub fn AdresseFields(a: AdresseSignals, errors: FormErrors, #[prop(into)] legend: String) -> impl IntoView {
    let check = Callback::new(move |()| {
        let errs = immat_domain::adresse_postale::valider_adresse(&a.saisie(), "adresse").err().unwrap_or_default();
        // En direct : on ne signale que les champs déjà remplis.
        let remplis: Vec<_> = errs
            .into_iter()
            .filter(|e| match e.champ.as_str() {
                "adresse.voie" => !a.voie.get_untracked().trim().is_empty(),
                "adresse.code_postal" => !a.code_postal.get_untracked().trim().is_empty(),
                "adresse.commune" => !a.commune.get_untracked().trim().is_empty(),
                _ => true,
            })
            .collect();
        errors.set_fields(&CHAMPS_ADRESSE, &remplis);
    });
    view! {
        <fieldset class="fr-fieldset" aria-labelledby="adresse-legend">
            <legend class="fr-fieldset__legend" id="adresse-legend">{legend}</legend>
            <div class="fr-fieldset__element">
                <TextField id="adresse-voie" label="Numéro et libellé de la voie" hint="Par exemple : 12 rue de la République"
                    value=a.voie error=errors.of("adresse.voie") on_input=errors.clear_field("adresse.voie") autocomplete="address-line1" required=true on_blur=check />
            </div>
            <div class="fr-fieldset__element">
                <TextField id="adresse-complement" label="Complément d'adresse (facultatif)" hint="Bâtiment, résidence, étage…"
                    value=a.complement error=errors.of("adresse.complement") on_input=errors.clear_field("adresse.complement") autocomplete="address-line2" on_blur=check />
            </div>
            <div class="fr-fieldset__element">
                <TextField id="adresse-lieu-dit" label="Lieu-dit ou boîte postale (facultatif)"
                    value=a.lieu_dit error=errors.of("adresse.lieu_dit") on_input=errors.clear_field("adresse.lieu_dit") autocomplete="address-line3" on_blur=check />
            </div>
            <div class="fr-fieldset__element">
                <TextField id="adresse-code-postal" label="Code postal" hint="5 chiffres"
                    value=a.code_postal error=errors.of("adresse.code_postal") on_input=errors.clear_field("adresse.code_postal") autocomplete="postal-code" required=true on_blur=check />
            </div>
            <div class="fr-fieldset__element">
                <TextField id="adresse-commune" label="Commune"
                    value=a.commune error=errors.of("adresse.commune") on_input=errors.clear_field("adresse.commune") autocomplete="address-level2" required=true on_blur=check />
            </div>
        </fieldset>
    }
}

pub fn lignes(a: &AdresseNormalisee) -> impl IntoView {
    a.lignes().into_iter().map(|l| view! { {l} <br /> }).collect_view()
}
