use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <crate::components::page::TitrePage titre="Accueil".to_owned() />
        <h1>"Les démarches en ligne de votre certificat d'immatriculation"</h1>
        <p class="fr-text--lead">
            "Changement d'adresse, déclaration de cession, changement de titulaire, duplicata "
            "et téléprocédure complémentaire : faites vos démarches depuis votre espace."
        </p>
        <div class="fr-callout fr-mb-4w">
            <h2 class="fr-callout__title">"Pré requis"</h2>
            <p class="fr-callout__text">
                "La création de compte est obligatoire pour effectuer les démarches. Certaines procédures "
                "nécessitent un compte certifié : il est préférable de le créer directement à l'aide de FranceConnect "
                "(compte impots.gouv.fr, ameli.fr ou idn.laposte.fr), ou d'être un professionnel de l'automobile habilité."
            </p>
            {move || {
                if session.user.with(Option::is_some) {
                    view! { <A href="/mon-espace" attr:class="fr-btn">"Accéder à Mon Espace"</A> }.into_any()
                } else {
                    view! { <A href="/connexion" attr:class="fr-btn">"Se connecter"</A> }.into_any()
                }
            }}
        </div>
    }
}
