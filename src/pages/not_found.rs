use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <crate::components::page::TitrePage titre="Page non trouvée".to_owned() />
        <h1>"Page non trouvée"</h1>
        <p class="fr-text--lead">"La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée."</p>
        <A href="/" attr:class="fr-btn">"Page d'accueil"</A>
    }
}
