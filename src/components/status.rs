//! États de chargement et messages d'erreur.

use crate::api::ClientError;
use leptos::prelude::*;

#[component]
pub fn Loading(#[prop(into, default = "Chargement…".to_owned())] label: String) -> impl IntoView {
    view! {
        <p class="fr-text--lg" role="status" aria-live="polite" data-testid="loading">
            <span class="fr-icon-refresh-line" aria-hidden="true"></span>
            " "
            {label}
        </p>
    }
}

/// Une alerte DSFR d'erreur, annoncée aux lecteurs d'écran.
#[component]
pub fn ErrorAlert(#[prop(into)] title: String, #[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="fr-alert fr-alert--error fr-mb-3w" role="alert" data-testid="error-alert">
            <h3 class="fr-alert__title">{title}</h3>
            <p>{message}</p>
        </div>
    }
}

/// L'alerte à montrer pour une erreur d'API.
#[component]
pub fn ClientErrorAlert(error: ClientError) -> impl IntoView {
    let title = match &error {
        ClientError::Injoignable => "Service injoignable",
        ClientError::Api(e) if e.code == immat_domain::api::CodeErreur::NonAuthentifie => "Session expirée",
        _ => "Une erreur est survenue",
    };
    view! { <ErrorAlert title=title message=error.to_string() /> }
}
