//! « DÉCLARATION DE CESSION » : le titulaire actuel, le nouvel acquéreur,
//! la date et l'heure de la cession, « Poursuivre ».

use super::etapes::{aujourd_hui, Ctx};
use crate::components::{
    adresse::{lignes, AdresseFields, AdresseSignals},
    personne::{identite, PersonneFields, PersonneSignals},
};
use crate::{
    api::{self, ClientError},
    components::{field::TextField, form_errors::FormErrors},
};
use immat_domain::procedures::{AcquereurSaisie, CessionSaisie, DemarcheVue, DetailsCession, DetailsPropres};
use immat_domain::Teleprocedure;
use leptos::prelude::*;

/// La déclaration de cession dans l'assistant commun.
pub const UI: super::ProcedureUi =
    super::ProcedureUi { saisie: |ctx| view! { <SaisieCession ctx=ctx /> }.into_any(), recapitulatif, fin, pieces_au_recapitulatif: false };

fn recapitulatif(v: &DemarcheVue) -> AnyView {
    let cession = DetailsCession::de(&v.details).and_then(|c| c.cession.clone());
    view! {
        <h3>"Nouvel acquéreur"</h3>
        <p data-testid="recap-declare">
            {cession.as_ref().map(|c| identite(c.acquereur.libelle(), c.acquereur.naissance()))}
            <br />
            {v.details.adresse_retenue().map(lignes)}
            {cession.map(|c| format!("Cession le {} à {}", c.date_cession, c.heure_cession))}
        </p>
    }
    .into_any()
}

/// Le code de cession (montré une seule fois) et le rappel de conserver le
/// certificat de situation administrative.
fn fin(v: &DemarcheVue) -> AnyView {
    let expire = DetailsCession::de(&v.details).and_then(|c| c.code_cession_expire_le.clone()).unwrap_or_default();
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
    let titulaire = ctx.titulaire();
    let s = ctx.details::<DetailsCession>().and_then(|c| c.saisie).unwrap_or_default();
    let q = &s.acquereur;
    let personne = PersonneSignals::new(q.type_personne, &q.nom, &q.prenoms, &q.date_naissance, &q.raison_sociale, &q.siret);
    let date_cession = RwSignal::new(s.date_cession.clone());
    let heure_cession = RwSignal::new(s.heure_cession.clone());
    let a = AdresseSignals::new(Some(s.adresse.clone()).filter(|a| !a.voie.is_empty() || !a.code_postal.is_empty()));
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = ctx
        .soumission(errors, alerte, |numero, req: CessionSaisie| async move { api::saisir(Teleprocedure::Cession, &numero, &req).await });
    let pending = envoi.en_cours();
    let saisie = move || {
        let (type_personne, nom, prenoms, date_naissance, raison_sociale, siret) = personne.valeurs();
        CessionSaisie {
            acquereur: AcquereurSaisie { type_personne, nom, prenoms, date_naissance, raison_sociale, siret },
            adresse: a.saisie(),
            date_cession: date_cession.get_untracked(),
            heure_cession: heure_cession.get_untracked(),
        }
    };
    // La date du jour du navigateur ; le serveur revalide avec la sienne.
    let on_submit = Ctx::poursuivre(errors, envoi, saisie, |req| req.valider(aujourd_hui(), None));
    view! {
        {ctx.entete(alerte, titulaire, "Titulaire actuel (vendeur)")}
        <form on:submit=on_submit novalidate data-testid="cession-form">
            <PersonneFields p=personne errors=errors prefixe="acquereur" legende="Le nouvel acquéreur est" qui="de l'acquéreur"
                entreprise=("siret", "Numéro SIRET", "14 chiffres") />
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
