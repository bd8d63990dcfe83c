//! Champ de saisie DSFR : libellé, aide, erreur reliée au champ
//! (`aria-describedby`, `aria-invalid`). La valeur saisie vit dans un signal
//! et n'est jamais effacée par une erreur.

use leptos::prelude::*;

#[component]
pub fn TextField(
    /// L'identifiant du champ (et son nom dans le formulaire).
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    /// Texte d'aide sous le libellé (format attendu…).
    #[prop(optional, into)]
    hint: Option<String>,
    value: RwSignal<String>,
    /// Le message d'erreur à afficher, s'il y en a un.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    /// Appelé quand le champ perd le focus (validation en direct).
    #[prop(optional, into)]
    on_blur: Option<Callback<()>>,
    /// Appelé à chaque frappe (pour effacer l'erreur que l'usager corrige).
    #[prop(optional, into)]
    on_input: Option<Callback<()>>,
) -> impl IntoView {
    let error_id = format!("{id}-desc-error");
    let hint_id = format!("{id}-hint");
    let has_hint = hint.is_some();
    let described_by = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class=move || {
            if error.with(Option::is_some) { "fr-input-group fr-input-group--error" } else { "fr-input-group" }
        }>
            <label class="fr-label" for=id.clone()>
                {label}
                {required.then(|| view! { <span class="fr-hint-text fr-sr-only">" (obligatoire)"</span> })}
                {hint.map(|h| view! { <span class="fr-hint-text" id=hint_id.clone()>{h}</span> })}
            </label>
            <input
                class=move || if error.with(Option::is_some) { "fr-input fr-input--error" } else { "fr-input" }
                id=id.clone()
                name=id.clone()
                type=input_type
                autocomplete=autocomplete
                required=required
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    if let Some(cb) = on_input {
                        cb.run(());
                    }
                }
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(());
                    }
                }
            />
            {move || {
                error.get().map(|m| view! { <p id=error_id.clone() class="fr-error-text">{m}</p> })
            }}
        </div>
    }
}
