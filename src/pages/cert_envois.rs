//! Page de démonstration de l'agent du CERT : les e-mails et courriers émis
//! (codes confidentiels). Le code n'y est jamais en clair : seuls ses deux
//! derniers caractères restent visibles.

use crate::{
    api,
    components::{
        auth_guard::RequireAuth,
        status::{ClientErrorAlert, Loading},
    },
};
use leptos::prelude::*;

#[component]
pub fn CertEnvoisPage() -> impl IntoView {
    view! {
        <crate::components::page::TitrePage titre="Envois de codes confidentiels (démonstration)".to_owned() />
        <RequireAuth>
            <CertEnvois />
        </RequireAuth>
    }
}

#[component]
fn CertEnvois() -> impl IntoView {
    let envois = LocalResource::new(api::envois);
    view! {
        <h1>"Envois de codes confidentiels (démonstration)"</h1>
        <p>
            "Les e-mails sont émis via le portail ; les courriers sont des lettres PDF pour enveloppe à fenêtre, adressées au "
            "format La Poste (AFNOR NF Z 10-011). La copie d'archive ouverte ici porte le code masqué."
        </p>
        <p class="fr-text--sm">"Par sécurité, les codes confidentiels sont masqués : seul le titulaire les reçoit en clair."</p>
        {move || match envois.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ClientErrorAlert error=e /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p data-testid="empty-state">"Aucun envoi pour l'instant."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="fr-raw-list" data-testid="envois">
                    {list.into_iter().map(|e| view! {
                        <li class="immat-vehicle-card" data-testid="envoi" data-canal=e.canal.code()>
                            <h2 class="fr-h6">{format!("{} — {}", e.canal.libelle(), e.objet)}</h2>
                            <p class="fr-text--sm">{format!("Émis le {} · véhicule {}", e.created_at, e.immatriculation.clone().unwrap_or_default())}</p>
                            <pre class="fr-text--sm" data-testid="destinataire">{e.destinataire.clone()}</pre>
                            <pre class="fr-text--sm immat-pre-wrap" data-testid="corps">{e.corps.clone()}</pre>
                            {(e.canal == immat_domain::api::Canal::Courrier).then(|| view! {
                                <p>
                                    <a class="fr-link fr-link--download" href=format!("/api/v1/cert/envois/{}/courrier", e.id) download="">
                                        {format!("Télécharger le courrier n° {} (PDF, copie d'archive)", e.id)}
                                    </a>
                                </p>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}
