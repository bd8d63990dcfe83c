//! Les briques des assistants : indicateur d'étapes DSFR, panneau du
//! titulaire actuel, détail repliable « + », boutons radio.

use immat_domain::{api::TitulaireVue, Etape, Teleprocedure};
use leptos::prelude::*;

/// « Étape 2 sur 4 » (composant Indicateur d'étapes du DSFR), d'après les
/// étapes que le domaine donne à la téléprocédure.
#[component]
pub fn Stepper(tp: Teleprocedure, #[prop(into)] current: Signal<Etape>) -> impl IntoView {
    let titles = tp.etapes();
    let total = titles.len() as u32;
    // L'écran de fin reste sur la dernière étape de l'indicateur.
    let rang = move || tp.etape(current.get()).map_or(total, |(rang, _)| rang);
    let current = Signal::derive(rang);
    let title = move || titles.get(current.get().saturating_sub(1) as usize).map(|(_, t)| *t).unwrap_or_default();
    let next = move || titles.get(current.get() as usize).map(|(_, t)| *t);
    view! {
        <div class="fr-stepper" data-testid="stepper">
            <h2 class="fr-stepper__title">
                {title}
                <span class="fr-stepper__state">{move || format!("Étape {} sur {}", current.get(), total)}</span>
            </h2>
            <div
                class="fr-stepper__steps"
                data-fr-current-step=move || current.get().to_string()
                data-fr-steps=total.to_string()
            ></div>
            {move || next().map(|n| view! {
                <p class="fr-stepper__details">
                    <span class="fr-text--bold">"Étape suivante : "</span>
                    {n}
                </p>
            })}
        </div>
    }
}

/// « Les informations du titulaire actuel apparaissent. »
#[component]
pub fn TitulaireActuel(titulaire: TitulaireVue, #[prop(into)] titre: String) -> impl IntoView {
    let a = &titulaire.adresse;
    let adresse = a.une_ligne();
    view! {
        <div class="fr-callout fr-mb-4w" data-testid="titulaire-actuel">
            <h3 class="fr-callout__title">{titre}</h3>
            <p class="fr-callout__text">
                <strong>{titulaire.nom_complet()}</strong>
                <br />
                {adresse}
            </p>
        </div>
    }
}

/// Un détail repliable (« cliquer sur + ») : accordéon DSFR piloté par un
/// signal.
#[component]
pub fn Detail(#[prop(into)] id: String, #[prop(into)] titre: String, children: Children) -> impl IntoView {
    let open = RwSignal::new(false);
    let controls = id.clone();
    view! {
        <section class="fr-accordion">
            <h3 class="fr-accordion__title">
                <button
                    type="button"
                    class="fr-accordion__btn"
                    aria-expanded=move || open.get().to_string()
                    aria-controls=controls
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {titre}
                </button>
            </h3>
            <div
                id=id
                class=move || if open.get() { "fr-collapse fr-collapse--expanded" } else { "fr-collapse" }
            >
                {children()}
            </div>
        </section>
    }
}

/// Un groupe de boutons radio DSFR, sur une valeur typée (les boutons ne
/// portent que leur rang : aucune chaîne à reconvertir).
#[component]
pub fn RadioGroup<T>(
    #[prop(into)] name: String,
    #[prop(into)] legend: String,
    options: Vec<(T, String)>,
    value: RwSignal<T>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let error_id = format!("{name}-desc-error");
    let error_id2 = error_id.clone();
    view! {
        <fieldset
            class=move || if error.with(Option::is_some) { "fr-fieldset fr-fieldset--error" } else { "fr-fieldset" }
            aria-labelledby=format!("{name}-legend")
            role="radiogroup"
        >
            <legend class="fr-fieldset__legend" id=format!("{name}-legend")>{legend}</legend>
            {options
                .into_iter()
                .enumerate()
                .map(|(rang, (v, label))| {
                    let id = format!("{name}-{rang}");
                    let name = name.clone();
                    let error_id = error_id.clone();
                    view! {
                        <div class="fr-fieldset__element">
                            <div class="fr-radio-group">
                                <input
                                    type="radio"
                                    id=id.clone()
                                    name=name
                                    value=rang.to_string()
                                    prop:checked=move || value.with(|x| *x == v)
                                    on:change=move |_| value.set(v)
                                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                                    aria-describedby=move || error.with(Option::is_some).then(|| error_id.clone())
                                />
                                <label class="fr-label" for=id>{label}</label>
                            </div>
                        </div>
                    }
                })
                .collect_view()}
            {move || error.get().map(|m| view! {
                <div class="fr-messages-group" aria-live="assertive">
                    <p class="fr-message fr-message--error" id=error_id2.clone()>{m}</p>
                </div>
            })}
        </fieldset>
    }
}
