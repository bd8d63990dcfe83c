//! « DEMANDE DE DUPLICATA » : le motif de la demande, la personne
//! concernée, le cas particulier ; « Poursuivre ». (Un vol que le registre
//! ne connaît pas passe ensuite par l'envoi de la déclaration au CERT.)

use super::etapes::Ctx;
use crate::{
    api::{self, ClientError},
    components::{form_errors::FormErrors, wizard::RadioGroup},
};
use immat_domain::{
    duplicata::{
        destination_du_titre, DetailsDuplicata, DuplicataSaisie, MotifDuplicata, PersonneConcernee, CAS_PARTICULIER, VOL_A_CONTROLER,
    },
    procedures::{DemarcheVue, DetailsPropres},
    Teleprocedure,
};
use leptos::prelude::*;

fn recapitulatif(v: &DemarcheVue) -> AnyView {
    let d = DetailsDuplicata::de(&v.details).and_then(|d| d.demande.clone());
    view! {
        <h3>"Demande de duplicata"</h3>
        <p data-testid="recap-declare">
            {d.as_ref().map(|d| format!("Motif : {}", d.motif.libelle()))}
            <br />
            {d.as_ref().map(|d| format!("Personne concernée : {}", d.personne_concernee.libelle()))}
            {d.as_ref().filter(|d| d.cas_particulier).map(|_| view! { <br /> {CAS_PARTICULIER} })}
            <br />
            {d.as_ref().map(|d| destination_du_titre(d.cas_particulier))}
        </p>
        {d.as_ref().filter(|d| d.declaration_de_vol).map(|_| view! {
            <div class="fr-alert fr-alert--info fr-mb-3w" data-testid="vol-a-controler"><p>{VOL_A_CONTROLER}</p></div>
        })}
    }
    .into_any()
}

#[component]
pub fn SaisieDuplicata(ctx: Ctx) -> impl IntoView {
    let s = ctx.details::<DetailsDuplicata>().and_then(|d| d.saisie).unwrap_or_default();
    let motif = RwSignal::new(s.motif);
    let personne = RwSignal::new(s.personne_concernee);
    let cas_particulier = RwSignal::new(s.cas_particulier);
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi =
        ctx.soumission(
            errors,
            alerte,
            |numero, req: DuplicataSaisie| async move { api::saisir(Teleprocedure::Duplicata, &numero, &req).await },
        );
    let pending = envoi.en_cours();
    let saisie = move || DuplicataSaisie {
        motif: motif.get_untracked(),
        personne_concernee: personne.get_untracked(),
        cas_particulier: cas_particulier.get_untracked(),
    };
    let pour_qui = ctx.vue.with_untracked(|v| v.as_ref().map(|v| v.pour_qui)).unwrap_or(immat_domain::PourQui::MoiMeme);
    // Le domaine valide en direct ce que le navigateur sait (choix faits,
    // personne concernée cohérente avec l'initiateur) ; le serveur sait si
    // le vol est déjà enregistré.
    let on_submit = Ctx::poursuivre(errors, envoi, saisie, move |s: &DuplicataSaisie| s.valider_saisie(pour_qui));
    view! {
        {ctx.entete(alerte, ctx.titulaire(), "Titulaire actuel")}
        <form on:submit=on_submit novalidate data-testid="duplicata-form">
            <RadioGroup name="motif" legend="1. Le motif de la demande" value=motif error=errors.of("motif")
                options=MotifDuplicata::TOUS.into_iter().map(|m| (Some(m), m.libelle().to_owned())).collect() />
            {move || (motif.get() == Some(MotifDuplicata::Vol)).then(|| view! {
                <p class="fr-text--sm" data-testid="info-vol">
                    "Si le vol de votre certificat n'est pas encore enregistré dans le système d'immatriculation, "
                    "vous enverrez la déclaration de vol remise par le commissariat ou la gendarmerie ; le CERT la contrôle avant le paiement."
                </p>
            })}
            <RadioGroup name="personne-concernee" legend="2. La personne concernée par la demande" value=personne error=errors.of("personne_concernee")
                options=PersonneConcernee::TOUS.into_iter().map(|p| (Some(p), p.libelle().to_owned())).collect() />
            <fieldset class="fr-fieldset" aria-labelledby="cas-particulier-legend">
                <legend class="fr-fieldset__legend" id="cas-particulier-legend">"3. Cas particulier (facultatif)"</legend>
                <div class="fr-fieldset__element">
                    <div class="fr-checkbox-group">
                        <input type="checkbox" id="cas-particulier" prop:checked=move || cas_particulier.get()
                            on:change=move |ev| cas_particulier.set(event_target_checked(&ev)) />
                        <label class="fr-label" for="cas-particulier">{CAS_PARTICULIER}</label>
                    </div>
                </div>
            </fieldset>
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><button class="fr-btn" type="submit" disabled=move || pending.get()>"Poursuivre"</button></li>
            </ul>
        </form>
    }
}

/// La demande de duplicata dans l'assistant commun.
pub const UI: super::ProcedureUi = super::ProcedureUi {
    saisie: |ctx| view! { <SaisieDuplicata ctx=ctx /> }.into_any(),
    recapitulatif,
    fin: |_| ().into_any(),
    pieces_au_recapitulatif: true,
};
