//! « CHANGEMENT DE TITULAIRE » : le système reconnaît l'ancien titulaire ;
//! l'acquéreur saisit l'usage du véhicule, l'identité du nouveau titulaire
//! (et d'un cotitulaire), son adresse ; « Poursuivre ».

use super::etapes::{aujourd_hui, Ctx};
use crate::components::{
    adresse::{lignes, AdresseFields, AdresseSignals},
    personne::{identite, PersonneFields, PersonneSignals},
};
use crate::{
    api::{self, ClientError},
    components::{field::TextField, form_errors::FormErrors, wizard::RadioGroup},
};
use immat_domain::{
    changement_titulaire::{DetailsChangementTitulaire, TitulaireSaisie, UsageVehicule},
    procedures::{DemarcheVue, DetailsPropres},
    Teleprocedure,
};
use leptos::prelude::*;

/// Le changement de titulaire dans l'assistant commun.
pub const UI: super::ProcedureUi = super::ProcedureUi {
    saisie: |ctx| view! { <SaisieTitulaire ctx=ctx /> }.into_any(),
    recapitulatif,
    fin: |_| ().into_any(),
    pieces_au_recapitulatif: false,
};

fn recapitulatif(v: &DemarcheVue) -> AnyView {
    let t = DetailsChangementTitulaire::de(&v.details).and_then(|d| d.titulaire.clone());
    let ancien = DetailsChangementTitulaire::de(&v.details).and_then(|d| d.ancien_titulaire.clone());
    view! {
        {ancien.map(|a| view! { <p>{format!("Ancien titulaire : {}", a.nom_complet())}</p> })}
        <h3>"Nouveau titulaire"</h3>
        <p data-testid="recap-declare">
            {t.as_ref().map(|t| format!("Usage : {}", t.usage.libelle()))}
            <br />
            {t.as_ref().map(|t| identite(t.titulaire.libelle(), t.titulaire.naissance()))}
            <br />
            {t.as_ref().and_then(|t| t.cotitulaire.as_ref()).map(|c| view! { {format!("Cotitulaire : {}", c.libelle())} <br /> })}
            {v.details.adresse_retenue().map(lignes)}
        </p>
    }
    .into_any()
}

#[component]
pub fn SaisieTitulaire(ctx: Ctx) -> impl IntoView {
    let details = ctx.details::<DetailsChangementTitulaire>().unwrap_or_default();
    let gage = ctx.vue.with_untracked(|v| v.as_ref().is_some_and(|v| v.avertissement.is_some()));
    let (ancien, s) = (details.ancien_titulaire, details.saisie.unwrap_or_default());
    let usage = RwSignal::new(s.usage);
    let personne = PersonneSignals::new(s.type_personne, &s.nom, &s.prenoms, &s.date_naissance, &s.raison_sociale, &s.siren);
    let avec_cotitulaire = RwSignal::new(s.avec_cotitulaire);
    let co_nom = RwSignal::new(s.cotitulaire_nom.clone());
    let co_prenoms = RwSignal::new(s.cotitulaire_prenoms.clone());
    let gage_vu = RwSignal::new(s.gage_pris_connaissance);
    let a = AdresseSignals::new(Some(s.adresse.clone()).filter(|a| !a.voie.is_empty() || !a.code_postal.is_empty()));
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = ctx.soumission(errors, alerte, |numero, req: TitulaireSaisie| async move {
        api::saisir(Teleprocedure::ChangementTitulaire, &numero, &req).await
    });
    let pending = envoi.en_cours();
    let saisie = move || {
        let (type_personne, nom, prenoms, date_naissance, raison_sociale, siren) = personne.valeurs();
        TitulaireSaisie {
            usage: usage.get_untracked(),
            type_personne,
            nom,
            prenoms,
            date_naissance,
            raison_sociale,
            siren,
            avec_cotitulaire: avec_cotitulaire.get_untracked(),
            cotitulaire_nom: co_nom.get_untracked(),
            cotitulaire_prenoms: co_prenoms.get_untracked(),
            adresse: a.saisie(),
            gage_pris_connaissance: gage_vu.get_untracked(),
        }
    };
    let on_submit = Ctx::poursuivre(errors, envoi, saisie, move |req| req.valider(aujourd_hui(), gage));
    let gage_error = errors.of("gage_pris_connaissance");
    view! {
        {ctx.entete(alerte, ancien, "Le système reconnaît l'ancien titulaire")}
        <form on:submit=on_submit novalidate data-testid="titulaire-form">
            <RadioGroup name="usage" legend="Usage du véhicule" value=usage error=errors.of("usage")
                options=UsageVehicule::TOUS.into_iter().map(|u| (u, u.libelle().to_owned())).collect() />
            <PersonneFields p=personne errors=errors prefixe="titulaire" legende="Le nouveau titulaire est" qui="du nouveau titulaire"
                entreprise=("siren", "Numéro SIREN", "9 chiffres") />
            <div class="fr-fieldset__element">
                <div class="fr-checkbox-group">
                    <input type="checkbox" id="avec-cotitulaire" prop:checked=move || avec_cotitulaire.get()
                        on:change=move |ev| avec_cotitulaire.set(event_target_checked(&ev)) />
                    <label class="fr-label" for="avec-cotitulaire">"Ajouter un cotitulaire (facultatif)"</label>
                </div>
            </div>
            <Show when=move || avec_cotitulaire.get()>
                <TextField id="cotitulaire-nom" label="Nom du cotitulaire" value=co_nom
                    error=errors.of("cotitulaire.nom") on_input=errors.clear_field("cotitulaire.nom") required=true />
                <TextField id="cotitulaire-prenoms" label="Prénoms du cotitulaire" value=co_prenoms
                    error=errors.of("cotitulaire.prenoms") on_input=errors.clear_field("cotitulaire.prenoms") required=true />
            </Show>
            <AdresseFields a=a errors=errors legend="Adresse du nouveau titulaire" />
            {gage.then(|| view! {
                <div class=move || if gage_error.with(Option::is_some) { "fr-checkbox-group fr-checkbox-group--error fr-mb-3w" } else { "fr-checkbox-group fr-mb-3w" }>
                    <input type="checkbox" id="gage-pris-connaissance"
                        aria-invalid=move || gage_error.with(Option::is_some).then_some("true")
                        aria-describedby=move || gage_error.with(Option::is_some).then_some("gage-desc-error")
                        prop:checked=move || gage_vu.get()
                        on:change=move |ev| { gage_vu.set(event_target_checked(&ev)); errors.clear_field("gage_pris_connaissance").run(()); } />
                    <label class="fr-label" for="gage-pris-connaissance">"J'ai pris connaissance du gage inscrit sur ce véhicule *"</label>
                    {move || gage_error.get().map(|m| view! {
                        <div class="fr-messages-group"><p class="fr-message fr-message--error" id="gage-desc-error">{m}</p></div>
                    })}
                </div>
            })}
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><button class="fr-btn" type="submit" disabled=move || pending.get()>"Poursuivre"</button></li>
            </ul>
        </form>
    }
}
