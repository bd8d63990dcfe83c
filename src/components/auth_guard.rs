//! Garde des pages protégées : sans session, l'usager part vers la page de
//! connexion, qui l'y ramène ensuite.

use crate::{components::status::Loading, session::use_session};
use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

/// Encode une valeur pour un paramètre d'URL.
pub fn encode_param(s: &str) -> String {
    js_sys::encode_uri_component(s).as_string().unwrap_or_default()
}

/// Un chemin de retour sûr : interne au site seulement.
pub fn safe_return_path(raw: Option<String>) -> String {
    match raw {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p,
        _ => "/mon-espace".to_owned(),
    }
}

#[component]
pub fn RequireAuth(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session.ready.get() && !session.unreachable.get() && session.user.with(Option::is_none) {
            let retour = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
            navigate(&format!("/connexion?retour={}", encode_param(&retour)), NavigateOptions { replace: true, ..Default::default() });
        }
    });
    let children = StoredValue::new(children);
    view! {
        <Show
            when=move || session.user.with(Option::is_some)
            fallback=move || {
                if session.unreachable.get() {
                    view! {
                        <crate::components::status::ErrorAlert
                            title="Service injoignable"
                            message="Le service est injoignable. Vérifiez votre connexion puis rechargez la page."
                        />
                    }
                    .into_any()
                } else {
                    view! { <Loading label="Vérification de votre session…" /> }.into_any()
                }
            }
        >
            {children.read_value()()}
        </Show>
    }
}
