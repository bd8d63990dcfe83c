//! « Mon Espace » : le point de départ des démarches.

use crate::{components::auth_guard::RequireAuth, session::use_session};
use immat_domain::Profil;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn MonEspacePage() -> impl IntoView {
    view! {
        <crate::components::page::TitrePage titre="Mon Espace".to_owned() />
        <RequireAuth>
            <MonEspace />
        </RequireAuth>
    }
}

#[component]
fn MonEspace() -> impl IntoView {
    let session = use_session();
    let user = move || session.user.get();
    view! {
        <h1>"Mon Espace"</h1>
        {move || user().map(|u| view! {
            <p class="fr-text--lead" data-testid="welcome">
                "Bonjour " <strong>{u.nom_affiche()}</strong> "."
            </p>
            <p>
                <span class="fr-badge fr-badge--info fr-badge--no-icon fr-mr-1w">{u.type_compte.libelle()}</span>
                <span class="fr-badge fr-badge--no-icon">{u.profil.libelle()}</span>
                {u.raison_sociale.clone().map(|r| view! { <span class="fr-ml-1w">{r}</span> })}
            </p>
        })}
        {move || {
            if user().is_some_and(|u| u.profil == Profil::AgentCert) {
                view! {
                    <h2>"Espace agent du CERT"</h2>
                    <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
                        <li><A href="/cert" attr:class="fr-btn">"Instruction des démarches"</A></li>
                        <li><A href="/cert/envois" attr:class="fr-btn fr-btn--secondary">"Boîte d'envoi (e-mails et courriers émis)"</A></li>
                        <li><A href="/cert/habilitations" attr:class="fr-btn fr-btn--secondary">"Habilitations de professionnels"</A></li>
                    </ul>
                }
                .into_any()
            } else {
                view! {
                    <div class="fr-grid-row fr-grid-row--gutters">
                        <div class="fr-col-12 fr-col-md-6">
                            <div class="fr-tile fr-enlarge-link">
                                <div class="fr-tile__body">
                                    <div class="fr-tile__content">
                                        <h2 class="fr-tile__title">
                                            <A href="/espace-vehicule">
                                                "Je refais ma carte grise (certificat d'immatriculation)"
                                            </A>
                                        </h2>
                                        <p class="fr-tile__detail">
                                            "Vos véhicules, vos démarches en cours et une nouvelle demande."
                                        </p>
                                    </div>
                                </div>
                            </div>
                        </div>
                    </div>
                    <p class="fr-mt-3w">
                        <A href="/espace-vehicule#panier" attr:class="fr-btn fr-btn--secondary">"Accès au panier"</A>
                    </p>
                }
                .into_any()
            }
        }}
    }
}
