//! Premier écran commun : « l'initiateur de la demande », « le numéro
//! d'immatriculation », le code confidentiel là où le tableau du support le
//! demande, puis « Démarrer la procédure ».

use super::etapes::aujourd_hui;
use crate::{
    api::{self, ClientError},
    components::{
        field::TextField,
        form_errors::FormErrors,
        soumission::Soumission,
        status::ClientErrorAlert,
        wizard::{RadioGroup, Stepper},
    },
    session::use_session,
};
use immat_domain::{
    changement_titulaire::{ModePreuve, PreuveSaisie},
    compte::VoieDeCertification,
    procedures::{DemandeCodeConfidentiel, NouvelleDemarche},
    regles::elements_necessaires,
    tpc::{categorie, MotifTpc, CATALOGUE},
    PourQui, Teleprocedure,
};
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};

#[component]
pub fn Demarrer(tp: Teleprocedure) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let initiateur = RwSignal::new(PourQui::MoiMeme);
    let immatriculation = RwSignal::new(query.with_untracked(|q| q.get("immatriculation")).unwrap_or_default());
    let code = RwSignal::new(String::new());
    let mode_preuve = RwSignal::new(ModePreuve::CodeCession);
    let code_cession = RwSignal::new(String::new());
    let formule_ou_date = RwSignal::new(String::new());
    let motif_categorie = RwSignal::new(String::new());
    let motif_sous_categorie = RwSignal::new(String::new());
    let motif = move || MotifTpc { categorie: motif_categorie.get(), sous_categorie: motif_sous_categorie.get() };
    // Le numéro : toujours, sauf pour un motif qui ne concerne pas un
    // véhicule déjà immatriculé (première immatriculation, question).
    let immatriculation_demandee = move || !tp.demande_un_motif() || motif().demande_une_immatriculation();
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let info = RwSignal::new(None::<String>);

    let elements = Memo::new(move |_| {
        let compte = session.user.with(|u| u.as_ref().map(|u| u.type_compte))?;
        elements_necessaires(tp, compte, initiateur.get()).ok()
    });
    let refus_compte = move || {
        let compte = session.user.with(|u| u.as_ref().map(|u| u.type_compte))?;
        elements_necessaires(tp, compte, initiateur.get()).err().map(|e| e.to_string())
    };
    let code_requis = move || elements.get().is_some_and(|e| e.code_confidentiel);
    let preuve_requise = move || elements.get().is_some_and(|e| e.code_cession_ou_formule);
    let requete = move || NouvelleDemarche {
        teleprocedure: tp,
        pour_qui: initiateur.get_untracked(),
        immatriculation: immatriculation.get_untracked(),
        code_confidentiel: code.get_untracked(),
        preuve: PreuveSaisie {
            mode: mode_preuve.get_untracked(),
            code_cession: code_cession.get_untracked(),
            formule_ou_date: formule_ou_date.get_untracked(),
        },
        motif: MotifTpc { categorie: motif_categorie.get_untracked(), sous_categorie: motif_sous_categorie.get_untracked() },
    };

    let valider_immat = Callback::new(move |()| {
        if let Some(e) = elements.get_untracked() {
            let errs = requete().valider(&e, aujourd_hui()).err().unwrap_or_default();
            errors.set_fields(&["immatriculation"], &errs);
        }
    });

    let demarrage = {
        let navigate = navigate.clone();
        Soumission::new(
            |req: NouvelleDemarche| async move { api::demarrer(&req).await },
            move |r| match r {
                Ok(v) => navigate(&format!("/espace-vehicule/demarche/{}/{}", tp.slug(), v.numero), Default::default()),
                Err(e) => errors.show(e, alerte),
            },
        )
    };
    let pending = demarrage.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        alerte.set(None);
        let Some(e) = elements.get_untracked() else { return };
        let req = requete();
        if errors.retenir(req.valider(&e, aujourd_hui())).is_some() {
            demarrage.envoyer(req);
        }
    };

    let demande_de_code = Soumission::new(
        |req: DemandeCodeConfidentiel| async move { api::demander_code(&req).await },
        move |r| match r {
            Ok(r) => {
                errors.set_fields(&["immatriculation"], &[]);
                info.set(Some(r.message));
            }
            Err(e) => errors.show(e, alerte),
        },
    );
    let pas_de_code = move |_| {
        info.set(None);
        alerte.set(None);
        demande_de_code
            .envoyer(DemandeCodeConfidentiel { immatriculation: immatriculation.get_untracked(), pour_qui: initiateur.get_untracked() });
    };

    view! {
        <Stepper tp=tp current=Signal::derive(|| immat_domain::Etape::Demarrage) />
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {move || info.get().map(|m| view! {
            <div class="fr-alert fr-alert--info fr-mb-3w" role="status" data-testid="code-envoye">
                <h3 class="fr-alert__title">"Code confidentiel envoyé"</h3>
                <p>{m}</p>
            </div>
        })}
        <form on:submit=on_submit novalidate data-testid="demarrer-form">
            <RadioGroup name="initiateur" legend="L'initiateur de la demande" value=initiateur error=errors.of("pour_qui")
                options=PourQui::TOUS.into_iter().map(|p| (p, p.libelle().to_owned())).collect() />
            {move || refus_compte().map(|m| view! {
                <div class="fr-alert fr-alert--warning fr-mb-3w" role="alert" data-testid="certification-requise">
                    <p>{m}</p>
                    <p class="fr-mt-2w">
                        {if session.user.with_untracked(|u| {
                            u.as_ref().and_then(|u| u.profil.voie_de_certification()) == Some(VoieDeCertification::Habilitation)
                        }) {
                            view! {
                                <A href="/mon-compte#habilitation" attr:class="fr-btn fr-btn--secondary">
                                    "Déclarer mon habilitation de professionnel"
                                </A>
                            }.into_any()
                        } else {
                            view! {
                                <A href="/mon-compte?certifier=1" attr:class="fr-btn fr-btn--secondary">"Continuer avec FranceConnect"</A>
                            }.into_any()
                        }}
                    </p>
                </div>
            })}
            {tp.demande_un_motif().then(|| view! { <ChoixDuMotif categorie=motif_categorie sous_categorie=motif_sous_categorie errors=errors /> })}
            <Show when=immatriculation_demandee>
                <TextField id="immatriculation" label="Numéro d'immatriculation" hint="Format AB-123-CD, ou 123 ABC 75 pour un ancien numéro"
                    value=immatriculation error=errors.of("immatriculation") on_input=errors.clear_field("immatriculation")
                    autocomplete="off" required=true on_blur=valider_immat />
            </Show>
            <Show when=code_requis>
                <TextField id="code_confidentiel" label="Code confidentiel"
                    hint="8 caractères, reçus avec votre certificat d'immatriculation (par exemple AB2C-D3EF)"
                    value=code error=errors.of("code_confidentiel") on_input=errors.clear_field("code_confidentiel")
                    autocomplete="off" required=true />
                <p>
                    <button type="button" class="fr-btn fr-btn--tertiary fr-btn--sm" on:click=pas_de_code disabled=move || demande_de_code.en_cours().get()>
                        "Je n'ai pas de code confidentiel"
                    </button>
                </p>
            </Show>
            <Show when=preuve_requise>
                <RadioGroup name="preuve" legend="La cession du véhicule" value=mode_preuve error=errors.of("preuve.mode")
                    options=ModePreuve::TOUS.into_iter().map(|m| (m, m.libelle().to_owned())).collect() />
                <Show
                    when=move || mode_preuve.get() == ModePreuve::CodeCession
                    fallback=move || view! {
                        <TextField id="formule_ou_date" label="Numéro de formule ou date du certificat"
                            hint="Certificat SIV : le numéro de formule (par exemple 2021AB12345). Ancien numéro FNI : la date du certificat (jj/mm/aaaa)."
                            value=formule_ou_date error=errors.of("preuve.formule_ou_date") on_input=errors.clear_field("preuve.formule_ou_date")
                            autocomplete="off" required=true />
                    }
                >
                    <TextField id="code_cession" label="Code de cession"
                        hint="12 caractères, remis par le vendeur après sa déclaration de cession (par exemple ABCD-EFGH-JK23)"
                        value=code_cession error=errors.of("preuve.code_cession") on_input=errors.clear_field("preuve.code_cession")
                        autocomplete="off" required=true />
                </Show>
            </Show>
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li>
                    <button class="fr-btn" type="submit" disabled=move || pending.get() || refus_compte().is_some()>
                        "Démarrer la procédure"
                    </button>
                </li>
            </ul>
        </form>
    }
}

/// « Choisir le motif » de la TPC : une catégorie dans la liste, puis une
/// sous-catégorie qui en dépend (deux listes natives : le clavier suffit).
#[component]
fn ChoixDuMotif(categorie: RwSignal<String>, sous_categorie: RwSignal<String>, errors: FormErrors) -> impl IntoView {
    let (erreur_c, erreur_sc) = (errors.of("motif.categorie"), errors.of("motif.sous_categorie"));
    let sous_categories = move || categorie.with(|c| self::categorie(c).map(|c| c.sous_categories).unwrap_or_default());
    view! {
        <fieldset class="fr-fieldset" aria-labelledby="motif-legend">
            <legend class="fr-fieldset__legend" id="motif-legend">"Le motif de la demande"</legend>
            <div class="fr-fieldset__element">
                <div class=move || if erreur_c.with(Option::is_some) { "fr-select-group fr-select-group--error" } else { "fr-select-group" }>
                    <label class="fr-label" for="motif-categorie">"Catégorie"<span class="fr-sr-only">" (obligatoire)"</span></label>
                    <select class="fr-select" id="motif-categorie" name="motif-categorie"
                        aria-invalid=move || erreur_c.with(Option::is_some).then_some("true")
                        aria-describedby=move || erreur_c.with(Option::is_some).then_some("motif-categorie-desc-error")
                        prop:value=move || categorie.get()
                        on:change=move |ev| {
                            categorie.set(event_target_value(&ev));
                            sous_categorie.set(String::new());
                            errors.clear_field("motif.categorie").run(());
                        }>
                        <option value="" disabled>"Sélectionner une catégorie"</option>
                        {CATALOGUE.iter().map(|c| view! { <option value=c.code>{c.libelle}</option> }).collect_view()}
                    </select>
                    {move || erreur_c.get().map(|m| view! { <p class="fr-error-text" id="motif-categorie-desc-error">{m}</p> })}
                </div>
            </div>
            <div class="fr-fieldset__element">
                <div class=move || if erreur_sc.with(Option::is_some) { "fr-select-group fr-select-group--error" } else { "fr-select-group" }>
                    <label class="fr-label" for="motif-sous-categorie">
                        "Sous-catégorie"<span class="fr-sr-only">" (obligatoire)"</span>
                        <span class="fr-hint-text">"La liste dépend de la catégorie choisie."</span>
                    </label>
                    <select class="fr-select" id="motif-sous-categorie" name="motif-sous-categorie"
                        disabled=move || categorie.with(String::is_empty)
                        aria-invalid=move || erreur_sc.with(Option::is_some).then_some("true")
                        aria-describedby=move || erreur_sc.with(Option::is_some).then_some("motif-sous-categorie-desc-error")
                        prop:value=move || sous_categorie.get()
                        on:change=move |ev| {
                            sous_categorie.set(event_target_value(&ev));
                            errors.clear_field("motif.sous_categorie").run(());
                        }>
                        <option value="" disabled>"Sélectionner une sous-catégorie"</option>
                        {move || sous_categories().iter().map(|sc| view! { <option value=sc.code>{sc.libelle}</option> }).collect_view()}
                    </select>
                    {move || erreur_sc.get().map(|m| view! { <p class="fr-error-text" id="motif-sous-categorie-desc-error">{m}</p> })}
                </div>
            </div>
        </fieldset>
    }
}
