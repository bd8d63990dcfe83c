//! L'identité d'une personne physique ou morale (acquéreur, nouveau
//! titulaire) : champs et libellé.

use crate::components::{field::TextField, form_errors::FormErrors, wizard::RadioGroup};
use immat_domain::{procedures::TypePersonne, DateFr};
use leptos::prelude::*;

/// L'identité d'une personne physique ou morale (acquéreur, nouveau
/// titulaire), en signaux.
#[derive(Clone, Copy)]
pub struct PersonneSignals {
    pub type_personne: RwSignal<TypePersonne>,
    pub nom: RwSignal<String>,
    pub prenoms: RwSignal<String>,
    pub naissance: RwSignal<String>,
    pub raison_sociale: RwSignal<String>,
    /// SIRET (acquéreur) ou SIREN (titulaire).
    pub entreprise: RwSignal<String>,
}

impl PersonneSignals {
    /// Les valeurs saisies : type, nom, prénoms, date de naissance, raison
    /// sociale, identifiant d'entreprise.
    pub fn valeurs(&self) -> (TypePersonne, String, String, String, String, String) {
        (
            self.type_personne.get_untracked(),
            self.nom.get_untracked(),
            self.prenoms.get_untracked(),
            self.naissance.get_untracked(),
            self.raison_sociale.get_untracked(),
            self.entreprise.get_untracked(),
        )
    }

    pub fn new(type_personne: TypePersonne, nom: &str, prenoms: &str, naissance: &str, raison_sociale: &str, entreprise: &str) -> Self {
        Self {
            type_personne: RwSignal::new(type_personne),
            nom: RwSignal::new(nom.to_owned()),
            prenoms: RwSignal::new(prenoms.to_owned()),
            naissance: RwSignal::new(naissance.to_owned()),
            raison_sociale: RwSignal::new(raison_sociale.to_owned()),
            entreprise: RwSignal::new(entreprise.to_owned()),
        }
    }
}

/// Les champs d'une personne : `prefixe` nomme les champs (`acquereur.nom`…),
/// `qui` complète les libellés (« Nom de l'acquéreur »), `entreprise` est le
/// nom du champ, le libellé et l'aide de l'identifiant d'entreprise.
#[component]
pub fn PersonneFields(
    p: PersonneSignals,
    errors: FormErrors,
    prefixe: &'static str,
    legende: &'static str,
    qui: &'static str,
    entreprise: (&'static str, &'static str, &'static str),
) -> impl IntoView {
    let champ = move |nom: &str| format!("{prefixe}.{nom}");
    let id = move |nom: &str| format!("{prefixe}-{}", nom.replace('_', "-"));
    let (champ_entreprise, libelle_entreprise, aide_entreprise) = entreprise;
    let physique = move || p.type_personne.get() == TypePersonne::Physique;
    view! {
        <RadioGroup name=id("type") legend=legende value=p.type_personne
            error=errors.of(champ("type_personne")) options=TypePersonne::TOUS.into_iter().map(|t| (t, t.libelle().to_owned())).collect() />
        <Show
            when=physique
            fallback=move || view! {
                <TextField id=id("raison_sociale") label="Raison sociale" value=p.raison_sociale
                    error=errors.of(champ("raison_sociale")) on_input=errors.clear_field(champ("raison_sociale")) autocomplete="organization" required=true />
                <TextField id=id(champ_entreprise) label=libelle_entreprise hint=aide_entreprise value=p.entreprise
                    error=errors.of(champ(champ_entreprise)) on_input=errors.clear_field(champ(champ_entreprise)) required=true />
            }
        >
            <TextField id=id("nom") label=format!("Nom {qui}") value=p.nom
                error=errors.of(champ("nom")) on_input=errors.clear_field(champ("nom")) autocomplete="family-name" required=true />
            <TextField id=id("prenoms") label=format!("Prénoms {qui}") value=p.prenoms
                error=errors.of(champ("prenoms")) on_input=errors.clear_field(champ("prenoms")) autocomplete="given-name" required=true />
            <TextField id=id("date_naissance") label=format!("Date de naissance {qui}") hint="Format jj/mm/aaaa"
                value=p.naissance error=errors.of(champ("date_naissance")) on_input=errors.clear_field(champ("date_naissance")) input_type="date" required=true />
        </Show>
    }
}

/// « Léa MARTIN, né(e) le 14/07/1990 » : le libellé, et la date de
/// naissance d'une personne physique.
pub fn identite(libelle: String, naissance: Option<&DateFr>) -> String {
    match naissance {
        Some(d) => format!("{libelle}, né(e) le {d}"),
        None => libelle,
    }
}
