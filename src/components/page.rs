//! Le passage d'une page à l'autre (RGAA 8.6, 12.x) : chaque route donne
//! son titre au document ; entre le clic et la nouvelle page (un module
//! wasm chargé à la demande), l'ancienne page est inerte et un état de
//! chargement DSFR s'affiche ; la nouvelle page arrivée, le focus va sur son
//! `h1` et une région `aria-live` annonce son titre.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

/// Le nom du service, après le titre de chaque page.
const SERVICE: &str = "Immat — téléprocédures du certificat d'immatriculation";

/// Au-delà, l'état de chargement tombe de lui-même (une page qui n'a pas pu
/// être chargée le dit par ailleurs) : l'usager ne reste jamais bloqué.
const CHARGEMENT_MAX_MS: u32 = 15_000;

#[derive(Clone, Copy)]
pub struct Navigation {
    /// Une nouvelle route est demandée et sa page n'est pas encore là.
    pub en_cours: RwSignal<bool>,
    /// Le texte annoncé aux lecteurs d'écran à l'arrivée d'une page.
    pub annonce: RwSignal<String>,
    /// Compte les navigations : une minuterie ne lève que la sienne.
    numero: RwSignal<u32>,
}

impl Navigation {
    pub fn provide() -> Self {
        let nav = Self { en_cours: RwSignal::new(false), annonce: RwSignal::new(String::new()), numero: RwSignal::new(0) };
        provide_context(nav);
        nav
    }
}

/// Dans le routeur : une navigation commence dès que le chemin change.
#[component]
pub fn SuiviNavigation() -> impl IntoView {
    let nav = expect_context::<Navigation>();
    let location = use_location();
    Effect::new(move |precedent: Option<String>| {
        let chemin = location.pathname.get();
        if precedent.is_some_and(|p| p != chemin) {
            nav.en_cours.set(true);
            let n = nav.numero.get_untracked().wrapping_add(1);
            nav.numero.set(n);
            set_timeout(
                move || {
                    if nav.numero.get_untracked() == n {
                        nav.en_cours.set(false);
                    }
                },
                std::time::Duration::from_millis(u64::from(CHARGEMENT_MAX_MS)),
            );
        }
        chemin
    });
    // Une région d'état permanente (dans le contenu principal, hors de la
    // page inerte) : seul son contenu change, ce que les lecteurs d'écran
    // annoncent.
    view! {
        <div role="status" data-testid="etat-navigation">
            {move || nav.en_cours.get().then(|| view! {
                <div class="fr-alert fr-alert--info fr-alert--sm fr-mb-2w" data-testid="chargement-page">
                    <p>"Chargement de la page…"</p>
                </div>
            })}
        </div>
    }
}

/// La région annoncée aux lecteurs d'écran (dans le contenu principal).
#[component]
pub fn AnnoncePage() -> impl IntoView {
    let nav = expect_context::<Navigation>();
    view! { <p class="fr-sr-only" aria-live="polite" data-testid="annonce-page">{move || nav.annonce.get()}</p> }
}

/// Le titre de la page : celui du document (« titre — Immat … »), et, à
/// l'arrivée par une navigation, la fin du chargement, le focus sur le `h1`
/// (sauf si la page a déjà placé le focus dans son contenu) et l'annonce.
#[component]
pub fn TitrePage(#[prop(into)] titre: Signal<String>) -> impl IntoView {
    let nav = use_context::<Navigation>();
    Effect::new(move |_| {
        let titre = titre.get();
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        doc.set_title(&format!("{titre} — {SERVICE}"));
        let Some(nav) = nav else { return };
        if !nav.en_cours.get_untracked() {
            return;
        }
        nav.en_cours.set(false);
        nav.annonce.set(format!("{titre} : page chargée"));
        leptos::task::spawn_local(async move {
            leptos::task::tick().await;
            let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
            let deja_dans_la_page = doc.active_element().zip(doc.get_element_by_id("contenu")).is_some_and(|(actif, contenu)| {
                let noeud: &web_sys::Node = &actif;
                contenu.contains(Some(noeud)) && actif != contenu
            });
            if deja_dans_la_page {
                return;
            }
            let cible = doc.query_selector("#contenu h1").ok().flatten().or_else(|| doc.get_element_by_id("contenu"));
            if let Some(el) = cible.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                if !el.has_attribute("tabindex") {
                    let _ = el.set_attribute("tabindex", "-1");
                }
                let _ = el.focus();
            }
        });
    });
}
