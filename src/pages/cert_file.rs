//! Le back office du CERT, la file : les démarches à instruire, filtrées
//! par état et par téléprocédure, les plus anciennes d'abord, avec le
//! nombre de démarches par état.

use crate::{
    api,
    components::{
        auth_guard::RequireAuth,
        status::{ClientErrorAlert, Loading},
    },
};
use immat_domain::{EtatDemarche, Teleprocedure};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn CertFilePage() -> impl IntoView {
    view! {
        <crate::components::page::TitrePage titre="Instruction des démarches (CERT)".to_owned() />
        <RequireAuth>
            <CertFile />
        </RequireAuth>
    }
}

/// Les états que le CERT suit (ceux de la file).
const ETATS: [EtatDemarche; 5] =
    [EtatDemarche::EnAttenteCert, EtatDemarche::CorrectionDemandee, EtatDemarche::APayer, EtatDemarche::Terminee, EtatDemarche::Refusee];

#[component]
fn CertFile() -> impl IntoView {
    let etat = RwSignal::new(EtatDemarche::EnAttenteCert.code().to_owned());
    let tp = RwSignal::new(String::new());
    let file = LocalResource::new(move || {
        let (e, t) = (etat.get(), tp.get());
        async move { api::file_cert(&e, &t).await }
    });
    view! {
        <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
            <ol class="fr-breadcrumb__list">
                <li><A href="/mon-espace" attr:class="fr-breadcrumb__link">"Mon Espace"</A></li>
                <li><a class="fr-breadcrumb__link" aria-current="page">"Instruction des démarches"</a></li>
            </ol>
        </nav>
        <h1>"Instruction des démarches (CERT)"</h1>
        <div class="fr-grid-row fr-grid-row--gutters fr-mb-3w">
            <div class="fr-col-12 fr-col-md-6">
                <div class="fr-select-group">
                    <label class="fr-label" for="filtre-etat">"État"</label>
                    <select class="fr-select" id="filtre-etat" on:change=move |ev| etat.set(event_target_value(&ev))>
                        <option value="" selected=move || etat.with(String::is_empty)>"Tous les états"</option>
                        {ETATS.into_iter().map(|e| view! {
                            <option value=e.code() selected=move || etat.with(|x| x == e.code())>{e.libelle()}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="fr-col-12 fr-col-md-6">
                <div class="fr-select-group">
                    <label class="fr-label" for="filtre-tp">"Téléprocédure"</label>
                    <select class="fr-select" id="filtre-tp" on:change=move |ev| tp.set(event_target_value(&ev))>
                        <option value="" selected=move || tp.with(String::is_empty)>"Toutes les téléprocédures"</option>
                        {Teleprocedure::TOUTES.into_iter().map(|t| view! {
                            <option value=t.slug() selected=move || tp.with(|x| x == t.slug())>{t.libelle()}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
        </div>
        {move || match file.get() {
            None => view! { <Loading label="Chargement de la file…" /> }.into_any(),
            Some(Err(e)) => view! { <ClientErrorAlert error=e /> }.into_any(),
            Some(Ok(f)) => view! {
                <ul class="fr-tags-group fr-mb-2w" data-testid="compteurs">
                    {f.compteurs.iter().map(|(e, n)| view! {
                        <li><p class="fr-tag" data-etat=e.code()>{format!("{} : {n}", e.libelle())}</p></li>
                    }).collect_view()}
                </ul>
                {if f.demarches.is_empty() {
                    view! { <p data-testid="file-vide">"Aucune démarche dans cet état."</p> }.into_any()
                } else {
                    view! {
                        <div class="fr-table">
                            <table data-testid="file-cert">
                                <caption>"Démarches, les plus anciennes d'abord"</caption>
                                <thead><tr>
                                    <th scope="col">"Démarche"</th><th scope="col">"Téléprocédure"</th><th scope="col">"Véhicule"</th>
                                    <th scope="col">"Usager"</th><th scope="col">"En attente depuis"</th><th scope="col">"État"</th><th scope="col">"Agent"</th>
                                </tr></thead>
                                <tbody>
                                    {f.demarches.into_iter().map(|l| {
                                        let href = format!("/cert/demarches/{}", l.numero);
                                        let texte = l.numero.clone();
                                        view! {
                                        <tr data-numero=l.numero.clone()>
                                            <td><A href=href>{texte}</A></td>
                                            <td>{l.teleprocedure.libelle()}</td>
                                            <td>{l.immatriculation.clone().unwrap_or_default()}</td>
                                            <td>{l.usager.clone()}</td>
                                            <td>{l.en_attente_depuis.clone()}</td>
                                            <td>{l.etat.libelle()}</td>
                                            <td>{l.agent.clone().unwrap_or_else(|| "—".into())}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            }.into_any(),
        }}
        <p class="fr-mt-3w"><A href="/cert/envois" attr:class="fr-link">"Boîte d'envoi (e-mails et courriers émis)"</A></p>
        <p><A href="/cert/habilitations" attr:class="fr-link">"Habilitations de professionnels à vérifier"</A></p>
    }
}
