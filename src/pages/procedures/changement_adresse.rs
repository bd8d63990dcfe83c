//! « CHANGEMENT D'ADRESSE » : le titulaire actuel, la nouvelle adresse,
//! « Poursuivre ».

use super::etapes::Ctx;
use crate::components::adresse::{lignes, AdresseFields, AdresseSignals};
use crate::{
    api::{self, ClientError},
    components::form_errors::FormErrors,
};
use immat_domain::Teleprocedure;
use immat_domain::{
    adresse_postale::valider_adresse,
    procedures::{DemarcheVue, DetailsChangementAdresse, NouvelleAdresse},
};
use leptos::prelude::*;

/// Le changement d'adresse dans l'assistant commun.
pub const UI: super::ProcedureUi = super::ProcedureUi {
    saisie: |ctx| view! { <SaisieAdresse ctx=ctx /> }.into_any(),
    recapitulatif,
    fin: |_| ().into_any(),
    pieces_au_recapitulatif: false,
};

fn recapitulatif(v: &DemarcheVue) -> AnyView {
    view! {
        <h3>"Nouvelle adresse"</h3>
        <p data-testid="recap-declare">{v.details.adresse_retenue().map(lignes)}</p>
    }
    .into_any()
}

#[component]
pub fn SaisieAdresse(ctx: Ctx) -> impl IntoView {
    let titulaire = ctx.titulaire();
    let a = AdresseSignals::new(ctx.details::<DetailsChangementAdresse>().and_then(|d| d.saisie));
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = ctx.soumission(errors, alerte, |numero, req: NouvelleAdresse| async move {
        api::saisir(Teleprocedure::ChangementAdresse, &numero, &req).await
    });
    let pending = envoi.en_cours();
    let on_submit =
        Ctx::poursuivre(errors, envoi, move || NouvelleAdresse { adresse: a.saisie() }, |req| valider_adresse(&req.adresse, "adresse"));
    view! {
        {ctx.entete(alerte, titulaire, "Titulaire actuel")}
        <div class="fr-notice fr-notice--info fr-mb-3w">
            <div class="fr-container">
                <div class="fr-notice__body">
                    <p class="fr-notice__title">
                        "Lorsque l'ancien certificat n'est plus valide, il faut de nouveau payer les taxes."
                    </p>
                </div>
            </div>
        </div>
        <form on:submit=on_submit novalidate data-testid="adresse-form">
            <AdresseFields a=a errors=errors legend="Nouvelle adresse" />
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><button class="fr-btn" type="submit" disabled=move || pending.get()>"Poursuivre"</button></li>
            </ul>
        </form>
    }
}
