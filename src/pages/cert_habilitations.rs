//! Le CERT vérifie les habilitations déclarées par les professionnels de
//! l'automobile : « Approuver » (le compte devient celui d'un professionnel
//! habilité), ou « Refuser » avec un motif que le professionnel lit.

use crate::{
    api::{self, ClientError},
    components::{
        auth_guard::RequireAuth,
        form_errors::FormErrors,
        soumission::Soumission,
        status::{ClientErrorAlert, Loading},
    },
};
use immat_domain::habilitation::{HabilitationVue, RefusHabilitation};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn CertHabilitationsPage() -> impl IntoView {
    view! {
        <crate::components::page::TitrePage titre="Habilitations de professionnels à vérifier".to_owned() />
        <RequireAuth>
            <CertHabilitations />
        </RequireAuth>
    }
}

#[component]
fn CertHabilitations() -> impl IntoView {
    let demandes = LocalResource::new(api::habilitations_en_attente);
    let recharger = Callback::new(move |()| demandes.refetch());
    view! {
        <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
            <ol class="fr-breadcrumb__list">
                <li><A href="/cert" attr:class="fr-breadcrumb__link">"Instruction des démarches"</A></li>
                <li><a class="fr-breadcrumb__link" aria-current="page">"Habilitations"</a></li>
            </ol>
        </nav>
        <h1>"Habilitations de professionnels à vérifier"</h1>
        <p>"Vérifiez le SIRET et le numéro d'habilitation auprès de la préfecture avant d'approuver : le compte devient alors "
           "celui d'un professionnel de l'automobile habilité (compte certifié)."</p>
        <p>"Pour une certification par le représentant légal, vérifiez sur l'extrait Kbis de la société que la personne "
           "identifiée par FranceConnect la représente : le compte devient certifié et les véhicules inscrits à son SIREN "
           "le rejoignent."</p>
        {move || match demandes.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => view! { <ClientErrorAlert error=e /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p data-testid="empty-state">"Aucune demande en attente."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="fr-raw-list">
                    {list.into_iter().map(|h| view! { <Demande h=h recharger=recharger /> }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

#[component]
fn Demande(h: HabilitationVue, recharger: Callback<()>) -> impl IntoView {
    let id = h.id;
    let motif = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let approbation = Soumission::new(
        move |(): ()| async move { api::approuver_habilitation(id).await },
        move |r| match r {
            Ok(()) => recharger.run(()),
            Err(e) => alerte.set(Some(e)),
        },
    );
    let refus = Soumission::new(
        move |req: RefusHabilitation| async move { api::refuser_habilitation(id, &req).await },
        move |r| match r {
            Ok(()) => recharger.run(()),
            Err(e) => errors.show(e, alerte),
        },
    );
    let champ_motif = format!("motif-{id}");
    let erreur_motif = format!("motif-{id}-erreur");
    view! {
        <li class="immat-vehicle-card" data-testid="habilitation">
            <h2 class="fr-h5" id=format!("habilitation-{id}")>{h.raison_sociale.clone()}</h2>
            <p class="fr-badge fr-badge--info fr-badge--sm" data-testid="nature">{h.nature.libelle()}</p>
            <dl class="immat-identite">
                {match h.representant.clone() {
                    Some(r) => view! {
                        <dt>"SIREN"</dt><dd>{h.siret.clone()}</dd>
                        <dt>"Représentant légal (identité FranceConnect)"</dt><dd data-testid="representant">{r}</dd>
                    }.into_any(),
                    None => view! {
                        <dt>"SIRET"</dt><dd>{h.siret.clone()}</dd>
                        <dt>"Numéro d'habilitation"</dt><dd>{h.numero.clone()}</dd>
                    }.into_any(),
                }}
                <dt>"Compte"</dt><dd>{h.email.clone()}</dd>
                <dt>"Demandée le"</dt><dd>{h.demandee_le.clone()}</dd>
            </dl>
            {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
            <button class="fr-btn fr-mb-2w" type="button" aria-describedby=format!("habilitation-{id}") disabled=move || approbation.en_cours().get()
                on:click=move |_| { alerte.set(None); approbation.envoyer(()); }>"Approuver"</button>
            <div class=move || if errors.of("motif").get().is_some() { "fr-input-group fr-input-group--error" } else { "fr-input-group" }>
                <label class="fr-label" for=champ_motif.clone()>"Motif du refus"
                    <span class="fr-hint-text">"Le professionnel le lit dans « Mon compte »."</span>
                </label>
                <textarea class="fr-input" id=champ_motif.clone() rows="2" maxlength="1000"
                    aria-invalid=move || errors.of("motif").get().is_some().then_some("true")
                    aria-describedby=move || errors.of("motif").get().is_some().then(|| erreur_motif.clone())
                    prop:value=move || motif.get()
                    on:input=move |ev| { motif.set(event_target_value(&ev)); errors.clear_field("motif").run(()); }></textarea>
                {move || errors.of("motif").get().map(|m| view! { <p class="fr-error-text" id=format!("motif-{id}-erreur")>{m}</p> })}
            </div>
            <button class="fr-btn fr-btn--secondary" type="button" aria-describedby=format!("habilitation-{id}") disabled=move || refus.en_cours().get()
                on:click=move |_| { alerte.set(None); refus.envoyer(RefusHabilitation { motif: motif.get_untracked() }); }>"Refuser"</button>
        </li>
    }
}
