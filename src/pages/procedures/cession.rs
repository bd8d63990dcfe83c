//! « DÉCLARATION DE CESSION » : le titulaire actuel, le nouvel acquéreur,
//! la date et l'heure de la cession, « Poursuivre ».

use super::etapes::{aujourd_hui, AdresseFields, AdresseSignals, Ctx};
use crate::{
    api::{self, ClientError},
    components::{
        field::TextField,
        form_errors::FormErrors,
        status::ClientErrorAlert,
        wizard::{RadioGroup, TitulaireActuel},
    },
};
use immat_domain::procedures::{Acquereur, AcquereurSaisie, CessionSaisie, DemarcheVue, DetailsDemarche, TypePersonne};
use immat_domain::Teleprocedure;
use leptos::prelude::*;

/// La déclaration de cession dans l'assistant commun.
pub const UI: super::ProcedureUi = super::ProcedureUi { saisie: |ctx| view! { <SaisieCession ctx=ctx /> }.into_any(), recapitulatif, fin };

fn details(v: &DemarcheVue) -> Option<&immat_domain::procedures::DetailsCession> {
    let DetailsDemarche::Cession(c) = &v.details else { return None };
    Some(c)
}

fn recapitulatif(v: &DemarcheVue) -> AnyView {
    let cession = details(v).and_then(|c| c.cession.clone());
    view! {
        <h3>"Nouvel acquéreur"</h3>
        <p data-testid="recap-declare">
            {cession.as_ref().map(|c| c.acquereur.libelle())}
            {match cession.as_ref().map(|c| &c.acquereur) {
                Some(Acquereur::Physique { date_naissance, .. }) => format!(", né(e) le {date_naissance}"),
                _ => String::new(),
            }}
            <br />
            {v.details.adresse_retenue().map(super::etapes::lignes)}
            {cession.map(|c| format!("Cession le {} à {}", c.date_cession, c.heure_cession))}
        </p>
    }
    .into_any()
}

/// Le code de cession (montré une seule fois) et le rappel de conserver le
/// certificat de situation administrative.
fn fin(v: &DemarcheVue) -> AnyView {
    let expire = details(v).and_then(|c| c.code_cession_expire_le.clone()).unwrap_or_default();
    view! {
        {v.code_cession.clone().map(|code| view! {
            <div class="fr-callout fr-mb-4w">
                <h3 class="fr-callout__title">"Code de cession"</h3>
                <p class="fr-callout__text">
                    <strong class="fr-text--lead" data-testid="code-cession">{code}</strong>
                    <br />
                    {format!(
                        "Remettez ce code à l'acquéreur : il lui permet de faire la téléprocédure « Changement de titulaire ». Valable jusqu'au {expire}. Notez-le : il ne sera plus affiché."
                    )}
                </p>
            </div>
        })}
        <p class="fr-text--bold">"Attention : il est impératif de conserver le certificat de situation administrative."</p>
    }
    .into_any()
}

#[component]
pub fn SaisieCession(ctx: Ctx) -> impl IntoView {
    let v = ctx.vue.get_untracked();
    let titulaire = v.as_ref().map(|v| v.vehicule.titulaire.clone());
    let avertissement = v.as_ref().and_then(|v| v.avertissement.clone());
    let s = v.as_ref().and_then(details).and_then(|c| c.saisie.clone()).unwrap_or_default();
    let type_personne = RwSignal::new(s.acquereur.type_personne);
    let nom = RwSignal::new(s.acquereur.nom.clone());
    let prenoms = RwSignal::new(s.acquereur.prenoms.clone());
    let naissance = RwSignal::new(s.acquereur.date_naissance.clone());
    let raison_sociale = RwSignal::new(s.acquereur.raison_sociale.clone());
    let siret = RwSignal::new(s.acquereur.siret.clone());
    let date_cession = RwSignal::new(s.date_cession.clone());
    let heure_cession = RwSignal::new(s.heure_cession.clone());
    let a = AdresseSignals::new(Some(s.adresse.clone()).filter(|a| !a.voie.is_empty() || !a.code_postal.is_empty()));
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = ctx
        .soumission(errors, alerte, |numero, req: CessionSaisie| async move { api::saisir(Teleprocedure::Cession, &numero, &req).await });
    let pending = envoi.en_cours();
    let saisie = move || CessionSaisie {
        acquereur: AcquereurSaisie {
            type_personne: type_personne.get_untracked(),
            nom: nom.get_untracked(),
            prenoms: prenoms.get_untracked(),
            date_naissance: naissance.get_untracked(),
            raison_sociale: raison_sociale.get_untracked(),
            siret: siret.get_untracked(),
        },
        adresse: a.saisie(),
        date_cession: date_cession.get_untracked(),
        heure_cession: heure_cession.get_untracked(),
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = saisie();
        // La date du jour du navigateur ; le serveur revalide avec la sienne.
        if errors.retenir(req.valider(aujourd_hui(), None)).is_some() {
            envoi.envoyer(req);
        }
    };
    let physique = move || type_personne.get() == TypePersonne::Physique;
    view! {
        {ctx.stepper()}
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {avertissement.map(|m| view! { <div class="fr-alert fr-alert--warning fr-mb-3w" data-testid="avertissement"><p>{m}</p></div> })}
        {titulaire.map(|t| view! { <TitulaireActuel titulaire=t titre="Titulaire actuel (vendeur)" /> })}
        <form on:submit=on_submit novalidate data-testid="cession-form">
            <RadioGroup name="acquereur-type" legend="Le nouvel acquéreur est" value=type_personne
                error=errors.of("acquereur.type_personne") options=TypePersonne::TOUS.into_iter().map(|t| (t, t.libelle().to_owned())).collect() />
            <Show
                when=physique
                fallback=move || view! {
                    <TextField id="acquereur-raison-sociale" label="Raison sociale" value=raison_sociale
                        error=errors.of("acquereur.raison_sociale") on_input=errors.clear_field("acquereur.raison_sociale") autocomplete="organization" required=true />
                    <TextField id="acquereur-siret" label="Numéro SIRET" hint="14 chiffres" value=siret
                        error=errors.of("acquereur.siret") on_input=errors.clear_field("acquereur.siret") required=true />
                }
            >
                <TextField id="acquereur-nom" label="Nom de l'acquéreur" value=nom
                    error=errors.of("acquereur.nom") on_input=errors.clear_field("acquereur.nom") autocomplete="family-name" required=true />
                <TextField id="acquereur-prenoms" label="Prénoms de l'acquéreur" value=prenoms
                    error=errors.of("acquereur.prenoms") on_input=errors.clear_field("acquereur.prenoms") autocomplete="given-name" required=true />
                <TextField id="acquereur-date-naissance" label="Date de naissance de l'acquéreur" hint="Format jj/mm/aaaa"
                    value=naissance error=errors.of("acquereur.date_naissance") on_input=errors.clear_field("acquereur.date_naissance") input_type="date" required=true />
            </Show>
            <AdresseFields a=a errors=errors legend="Adresse de l'acquéreur" />
            <TextField id="date-cession" label="Date de la cession" hint="Format jj/mm/aaaa" value=date_cession
                error=errors.of("date_cession") on_input=errors.clear_field("date_cession") input_type="date" required=true />
            <TextField id="heure-cession" label="Heure de la cession" hint="Format hh:mm" value=heure_cession
                error=errors.of("heure_cession") on_input=errors.clear_field("heure_cession") input_type="time" required=true />
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><button class="fr-btn" type="submit" disabled=move || pending.get()>"Poursuivre"</button></li>
            </ul>
        </form>
    }
}
