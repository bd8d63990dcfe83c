//! Le bouton FranceConnect du DSFR (« S'identifier avec FranceConnect »,
//! « Qu'est-ce que FranceConnect ? ») et le message d'un retour en échec
//! (`?franceconnect=<code>` posé par le serveur).

use crate::{api, session::use_session};
use immat_domain::franceconnect::EchecFranceConnect;
use leptos::{prelude::*, task::spawn_local};

/// Envoie le navigateur chez le fournisseur d'identité.
pub fn partir_vers(url: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(url);
    }
}

#[component]
pub fn BoutonFranceConnect() -> impl IntoView {
    let session = use_session();
    let erreur = RwSignal::new(None::<String>);
    let en_cours = RwSignal::new(false);
    let partir = move |_| {
        en_cours.set(true);
        erreur.set(None);
        spawn_local(async move {
            match api::franceconnect().await {
                Ok(url) => partir_vers(&url),
                Err(e) => {
                    erreur.set(Some(e.to_string()));
                    en_cours.set(false);
                }
            }
        });
    };
    view! {
        <div class="fr-connect-group" data-testid="franceconnect">
            <button class="fr-connect" type="button" on:click=partir aria-describedby="franceconnect-etat franceconnect-erreur"
                disabled=move || session.franceconnect.get() != Some(true) || en_cours.get()>
                <span class="fr-connect__login">"S’identifier avec"</span>
                " "
                <span class="fr-connect__brand">"FranceConnect"</span>
            </button>
            <p>
                <a href="https://franceconnect.gouv.fr/" target="_blank" rel="noopener"
                    title="Qu’est-ce que FranceConnect ? - nouvelle fenêtre">"Qu’est-ce que FranceConnect ?"</a>
            </p>
            <p id="franceconnect-etat" class="fr-text--sm">
                {move || match session.franceconnect.get() {
                    Some(false) => "FranceConnect n'est pas configuré sur ce serveur.",
                    _ => "",
                }}
            </p>
            <p id="franceconnect-erreur" class="fr-error-text" role="alert" hidden=move || erreur.get().is_none()>
                {move || erreur.get().unwrap_or_default()}
            </p>
        </div>
    }
}

/// Le message d'un retour de FranceConnect en échec, d'après la requête.
#[component]
pub fn EchecDeFranceConnect(code: Signal<Option<String>>) -> impl IntoView {
    move || {
        code.get().and_then(|c| EchecFranceConnect::depuis_code(&c)).map(|e| {
            view! {
                <div class="fr-alert fr-alert--error fr-mb-3w" role="alert" data-testid="franceconnect-echec">
                    <h2 class="fr-alert__title">"Connexion avec FranceConnect impossible"</h2>
                    <p>{e.message()}</p>
                </div>
            }
        })
    }
}
