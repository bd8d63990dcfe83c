//! En-tête, pied de page, bandeau de démonstration, liens d'évitement.

use crate::{api, session::use_session};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;

#[component]
pub fn SkipLinks() -> impl IntoView {
    view! {
        <div class="fr-skiplinks immat-skip-links">
            <nav class="fr-container" role="navigation" aria-label="Accès rapide">
                <ul class="fr-skiplinks__list">
                    <li><a class="fr-link" href="#contenu">"Contenu"</a></li>
                    <li><a class="fr-link" href="#pied-de-page">"Pied de page"</a></li>
                </ul>
            </nav>
        </div>
    }
}

/// « Environnement de démonstration — service non officiel », tant que le
/// serveur ne l'a pas désactivé.
#[component]
pub fn DemoNotice() -> impl IntoView {
    let session = use_session();
    move || {
        session.bandeau_demo.get().map(|texte| {
            view! { <p class="immat-demo-notice" role="note" data-testid="demo-notice">{texte}</p> }
        })
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    // Le menu mobile (sous 992 px, donc sur tablette en portrait) : sans le
    // JS du DSFR, c'est un signal qui l'ouvre.
    let menu_open = RwSignal::new(false);
    let logout = move |_: leptos::ev::MouseEvent| {
        menu_open.set(false);
        spawn_local(async move {
            // Une session FranceConnect se ferme aussi chez le fournisseur,
            // qui renvoie ensuite sur la page de connexion.
            let cible = api::logout().await.ok().flatten().unwrap_or_else(|| "/".to_owned());
            // Un rechargement complet : aucun état de la session précédente
            // ne survit dans la page.
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign(&cible);
            } else {
                session.user.set(None);
            }
        });
    };
    let logout = StoredValue::new(logout);
    let tools = move || {
        view! {
            <ul class="fr-btns-group">
                {move || match session.user.get() {
                    Some(u) => view! {
                        <li>
                            <A href="/mon-espace" attr:class="fr-btn fr-icon-account-circle-line" attr:data-testid="menu-user">
                                {"Mon Espace\u{a0}— "}
                                <span class="immat-user-name" data-testid="user-name">{u.nom_affiche()}</span>
                            </A>
                        </li>
                        <li>
                            <A href="/mon-compte" attr:class="fr-btn fr-icon-user-setting-line">"Mon compte"</A>
                        </li>
                        <li>
                            <button class="fr-btn fr-icon-logout-box-r-line" on:click=move |ev| logout.with_value(|f| f(ev))>
                                "Se déconnecter"
                            </button>
                        </li>
                    }
                    .into_any(),
                    None => view! {
                        <li>
                            <A href="/mon-espace" attr:class="fr-btn fr-icon-account-circle-line">"Mon Espace"</A>
                        </li>
                    }
                    .into_any(),
                }}
            </ul>
        }
    };
    view! {
        <header role="banner" class="fr-header">
            <div class="fr-header__body">
                <div class="fr-container">
                    <div class="fr-header__body-row">
                        <div class="fr-header__brand fr-enlarge-link">
                            <div class="fr-header__brand-top">
                                <div class="fr-header__logo">
                                    <p class="fr-logo">"République" <br /> "Française"</p>
                                </div>
                                <div class="fr-header__navbar">
                                    <button
                                        class="fr-btn--menu fr-btn"
                                        aria-controls="menu-principal"
                                        aria-haspopup="menu"
                                        aria-expanded=move || menu_open.get().to_string()
                                        title="Menu"
                                        data-testid="menu-button"
                                        on:click=move |_| menu_open.set(true)
                                    >
                                        "Menu"
                                    </button>
                                </div>
                            </div>
                            <div class="fr-header__service">
                                <A href="/" attr:title="Accueil — Immat">
                                    <p class="fr-header__service-title">"Immat — Certificat d'immatriculation"</p>
                                </A>
                                <p class="fr-header__service-tagline">"Téléprocédures de la carte grise (SIV)"</p>
                            </div>
                        </div>
                        <div class="fr-header__tools">
                            <div class="fr-header__tools-links">{tools}</div>
                        </div>
                    </div>
                </div>
            </div>
            <div
                id="menu-principal"
                class=move || if menu_open.get() { "fr-header__menu fr-modal fr-modal--opened" } else { "fr-header__menu fr-modal" }
                aria-label=move || menu_open.get().then_some("Menu")
                role=move || menu_open.get().then_some("dialog")
                aria-modal=move || menu_open.get().then_some("true")
            >
                <div class="fr-container">
                    <button class="fr-btn--close fr-btn" aria-controls="menu-principal" title="Fermer" on:click=move |_| menu_open.set(false)>
                        "Fermer"
                    </button>
                    <div class="fr-header__menu-links" on:click=move |_| menu_open.set(false)>{tools}</div>
                </div>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="fr-footer" role="contentinfo" id="pied-de-page" tabindex="-1">
            <div class="fr-container">
                <div class="fr-footer__body">
                    <div class="fr-footer__brand fr-enlarge-link">
                        <A href="/" attr:title="Retour à l'accueil — Immat">
                            <p class="fr-logo">"République" <br /> "Française"</p>
                        </A>
                    </div>
                    <div class="fr-footer__content">
                        <p class="fr-footer__content-desc">
                            "Immat reproduit les téléprocédures du certificat d'immatriculation (SIV) à des fins de démonstration. "
                            "Ce n'est pas le site de l'Agence nationale des titres sécurisés : aucune démarche réelle n'y est enregistrée."
                        </p>
                    </div>
                </div>
                <div class="fr-footer__bottom">
                    <ul class="fr-footer__bottom-list">
                        <li class="fr-footer__bottom-item">
                            <span class="fr-footer__bottom-link">"Accessibilité : partiellement conforme"</span>
                        </li>
                    </ul>
                    <div class="fr-footer__bottom-copy">
                        <p>"Sauf mention contraire, les contenus de ce site sont sous licence etalab-2.0."</p>
                    </div>
                </div>
            </div>
        </footer>
    }
}
