//! Les étapes communes aux assistants : saisie d'adresse, vérification de
//! l'adresse, récapitulatif (« + », CLU, « Valider »), fin de la demande.

use crate::{
    api::{self, ApiResult, ClientError},
    components::{
        field::TextField,
        form_errors::{focus_titre_etape, scroll_top, FormErrors},
        soumission::Soumission,
        status::ClientErrorAlert,
        wizard::{Detail, RadioGroup, Stepper},
    },
};
use immat_domain::{
    adresse_postale::{AdresseNormalisee, AdresseSaisie, VerificationCommune},
    paiement::{EtatPaiement, ENREGISTRER_PAIEMENT},
    procedures::TypePersonne,
    procedures::{DemarcheVue, CLU},
    Etape, EtatDemarche, Teleprocedure,
};
use leptos::prelude::*;
use leptos_router::components::A;

/// L'état partagé de l'assistant.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub vue: RwSignal<Option<DemarcheVue>>,
    pub etape: RwSignal<Etape>,
    pub tp: Teleprocedure,
}

impl Ctx {
    pub fn numero(&self) -> String {
        self.vue.with_untracked(|v| v.as_ref().map(|v| v.numero.clone()).unwrap_or_default())
    }
    pub fn aller(&self, etape: Etape) {
        self.etape.set(etape);
        scroll_top();
        focus_titre_etape();
    }
    /// Après une saisie réussie : l'étape que le serveur a enregistrée.
    pub fn suivre(&self, v: DemarcheVue) {
        let etape = super::etape_affichee(&v);
        self.vue.set(Some(v));
        self.aller(etape);
    }
    /// L'envoi d'une étape, en action Leptos : la réponse fait avancer
    /// l'assistant (à l'étape que le serveur a enregistrée), ou montre les
    /// erreurs au champ ; rien de saisi n'est perdu.
    pub fn soumission<I, Fu>(
        &self,
        errors: FormErrors,
        alerte: RwSignal<Option<ClientError>>,
        appel: impl Fn(String, I) -> Fu + 'static,
    ) -> Soumission<I, ApiResult<DemarcheVue>>
    where
        I: Clone + Send + Sync + 'static,
        Fu: std::future::Future<Output = ApiResult<DemarcheVue>> + 'static,
    {
        let ctx = *self;
        Soumission::new(
            move |i| appel(ctx.numero(), i),
            move |r| match r {
                Ok(v) => ctx.suivre(v),
                Err(e) => errors.show(e, alerte),
            },
        )
    }
    pub fn stepper(&self) -> impl IntoView {
        let (etape, tp) = (self.etape, self.tp);
        view! { <Stepper tp=tp current=Signal::derive(move || etape.get()) /> }
    }
}

/// Les champs d'une adresse, en signaux (rien n'est perdu en cas d'erreur).
#[derive(Clone, Copy)]
pub struct AdresseSignals {
    pub voie: RwSignal<String>,
    pub complement: RwSignal<String>,
    pub lieu_dit: RwSignal<String>,
    pub code_postal: RwSignal<String>,
    pub commune: RwSignal<String>,
}

impl AdresseSignals {
    pub fn new(a: Option<AdresseSaisie>) -> Self {
        let a = a.unwrap_or_default();
        Self {
            voie: RwSignal::new(a.voie),
            complement: RwSignal::new(a.complement),
            lieu_dit: RwSignal::new(a.lieu_dit),
            code_postal: RwSignal::new(a.code_postal),
            commune: RwSignal::new(a.commune),
        }
    }
    pub fn saisie(&self) -> AdresseSaisie {
        AdresseSaisie {
            voie: self.voie.get_untracked(),
            complement: self.complement.get_untracked(),
            lieu_dit: self.lieu_dit.get_untracked(),
            code_postal: self.code_postal.get_untracked(),
            commune: self.commune.get_untracked(),
        }
    }
}

pub const CHAMPS_ADRESSE: [&str; 5] = ["adresse.voie", "adresse.complement", "adresse.lieu_dit", "adresse.code_postal", "adresse.commune"];

#[component]
pub fn AdresseFields(a: AdresseSignals, errors: FormErrors, #[prop(into)] legend: String) -> impl IntoView {
    let check = Callback::new(move |()| {
        let errs = immat_domain::adresse_postale::valider_adresse(&a.saisie(), "adresse").err().unwrap_or_default();
        // En direct : on ne signale que les champs déjà remplis.
        let remplis: Vec<_> = errs
            .into_iter()
            .filter(|e| match e.champ.as_str() {
                "adresse.voie" => !a.voie.get_untracked().trim().is_empty(),
                "adresse.code_postal" => !a.code_postal.get_untracked().trim().is_empty(),
                "adresse.commune" => !a.commune.get_untracked().trim().is_empty(),
                _ => true,
            })
            .collect();
        errors.set_fields(&CHAMPS_ADRESSE, &remplis);
    });
    view! {
        <fieldset class="fr-fieldset" aria-labelledby="adresse-legend">
            <legend class="fr-fieldset__legend" id="adresse-legend">{legend}</legend>
            <div class="fr-fieldset__element">
                <TextField id="adresse-voie" label="Numéro et libellé de la voie" hint="Par exemple : 12 rue de la République"
                    value=a.voie error=errors.of("adresse.voie") on_input=errors.clear_field("adresse.voie") autocomplete="address-line1" required=true on_blur=check />
            </div>
            <div class="fr-fieldset__element">
                <TextField id="adresse-complement" label="Complément d'adresse (facultatif)" hint="Bâtiment, résidence, étage…"
                    value=a.complement error=errors.of("adresse.complement") on_input=errors.clear_field("adresse.complement") autocomplete="address-line2" on_blur=check />
            </div>
            <div class="fr-fieldset__element">
                <TextField id="adresse-lieu-dit" label="Lieu-dit ou boîte postale (facultatif)"
                    value=a.lieu_dit error=errors.of("adresse.lieu_dit") on_input=errors.clear_field("adresse.lieu_dit") autocomplete="address-line3" on_blur=check />
            </div>
            <div class="fr-fieldset__element">
                <TextField id="adresse-code-postal" label="Code postal" hint="5 chiffres"
                    value=a.code_postal error=errors.of("adresse.code_postal") on_input=errors.clear_field("adresse.code_postal") autocomplete="postal-code" required=true on_blur=check />
            </div>
            <div class="fr-fieldset__element">
                <TextField id="adresse-commune" label="Commune"
                    value=a.commune error=errors.of("adresse.commune") on_input=errors.clear_field("adresse.commune") autocomplete="address-level2" required=true on_blur=check />
            </div>
        </fieldset>
    }
}

/// L'identité d'une personne physique ou morale (acquéreur, nouveau
/// titulaire), en signaux.
#[derive(Clone, Copy)]
pub struct PersonneSignals {
    pub type_personne: RwSignal<TypePersonne>,
    pub nom: RwSignal<String>,
    pub prenoms: RwSignal<String>,
    pub naissance: RwSignal<String>,
    pub raison_sociale: RwSignal<String>,
    /// SIRET (acquéreur) ou SIREN (titulaire).
    pub entreprise: RwSignal<String>,
}

impl PersonneSignals {
    pub fn new(type_personne: TypePersonne, nom: &str, prenoms: &str, naissance: &str, raison_sociale: &str, entreprise: &str) -> Self {
        Self {
            type_personne: RwSignal::new(type_personne),
            nom: RwSignal::new(nom.to_owned()),
            prenoms: RwSignal::new(prenoms.to_owned()),
            naissance: RwSignal::new(naissance.to_owned()),
            raison_sociale: RwSignal::new(raison_sociale.to_owned()),
            entreprise: RwSignal::new(entreprise.to_owned()),
        }
    }
}

/// Les champs d'une personne : `prefixe` nomme les champs (`acquereur.nom`…),
/// `qui` complète les libellés (« Nom de l'acquéreur »), `entreprise` est le
/// nom du champ, le libellé et l'aide de l'identifiant d'entreprise.
#[component]
pub fn PersonneFields(
    p: PersonneSignals,
    errors: FormErrors,
    prefixe: &'static str,
    legende: &'static str,
    qui: &'static str,
    entreprise: (&'static str, &'static str, &'static str),
) -> impl IntoView {
    let champ = move |nom: &str| format!("{prefixe}.{nom}");
    let id = move |nom: &str| format!("{prefixe}-{}", nom.replace('_', "-"));
    let (champ_entreprise, libelle_entreprise, aide_entreprise) = entreprise;
    let physique = move || p.type_personne.get() == TypePersonne::Physique;
    view! {
        <RadioGroup name=id("type") legend=legende value=p.type_personne
            error=errors.of(champ("type_personne")) options=TypePersonne::TOUS.into_iter().map(|t| (t, t.libelle().to_owned())).collect() />
        <Show
            when=physique
            fallback=move || view! {
                <TextField id=id("raison_sociale") label="Raison sociale" value=p.raison_sociale
                    error=errors.of(champ("raison_sociale")) on_input=errors.clear_field(champ("raison_sociale")) autocomplete="organization" required=true />
                <TextField id=id(champ_entreprise) label=libelle_entreprise hint=aide_entreprise value=p.entreprise
                    error=errors.of(champ(champ_entreprise)) on_input=errors.clear_field(champ(champ_entreprise)) required=true />
            }
        >
            <TextField id=id("nom") label=format!("Nom {qui}") value=p.nom
                error=errors.of(champ("nom")) on_input=errors.clear_field(champ("nom")) autocomplete="family-name" required=true />
            <TextField id=id("prenoms") label=format!("Prénoms {qui}") value=p.prenoms
                error=errors.of(champ("prenoms")) on_input=errors.clear_field(champ("prenoms")) autocomplete="given-name" required=true />
            <TextField id=id("date_naissance") label=format!("Date de naissance {qui}") hint="Format jj/mm/aaaa"
                value=p.naissance error=errors.of(champ("date_naissance")) on_input=errors.clear_field(champ("date_naissance")) input_type="date" required=true />
        </Show>
    }
}

pub fn lignes(a: &AdresseNormalisee) -> impl IntoView {
    a.lignes().into_iter().map(|l| view! { {l} <br /> }).collect_view()
}

/// « Le système vérifie l'existence de l'adresse et propose une correction
/// le cas échéant. »
#[component]
pub fn Verification(ctx: Ctx) -> impl IntoView {
    let vue = ctx.vue.get_untracked();
    let verification = vue.as_ref().and_then(|v| v.details.adresse().map(|a| a.verification.clone()));
    let saisie = vue.as_ref().and_then(|v| v.details.adresse_saisie().cloned());
    let choix = RwSignal::new(true);
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = ctx.soumission(errors, alerte, |numero, accepter: bool| async move { api::verification(&numero, accepter).await });
    let pending = envoi.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        envoi.envoyer(choix.get_untracked());
    };
    let contenu = match verification {
        Some(VerificationCommune::Proposition { code_postal, commune }) => {
            let saisie_txt = saisie.map(|s| format!("{} {}", s.code_postal, s.commune)).unwrap_or_default();
            view! {
                <div class="fr-alert fr-alert--warning fr-mb-3w" data-testid="proposition">
                    <h3 class="fr-alert__title">{format!("Vouliez-vous dire : {code_postal} {commune} ?")}</h3>
                    <p>{format!("La commune saisie (« {saisie_txt} ») ne correspond pas au code postal.")}</p>
                </div>
                <RadioGroup
                    name="proposition"
                    legend="Adresse à retenir"
                    options=vec![
                        (true, format!("Oui, utiliser {code_postal} {commune}")),
                        (false, "Non, conserver l'adresse saisie".to_owned()),
                    ]
                    value=choix
                    error=errors.of("accepter")
                />
            }
            .into_any()
        }
        Some(VerificationCommune::Conforme { commune }) => view! {
            <div class="fr-alert fr-alert--success fr-mb-3w" data-testid="adresse-verifiee">
                <h3 class="fr-alert__title">"L'adresse a été vérifiée"</h3>
                <p>{format!("La commune {commune} correspond au code postal saisi.")}</p>
            </div>
        }
        .into_any(),
        _ => view! { <p>"Adresse à vérifier."</p> }.into_any(),
    };
    view! {
        {ctx.stepper()}
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        <form on:submit=on_submit novalidate>
            {contenu}
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li>
                    <button type="button" class="fr-btn fr-btn--secondary" disabled=move || pending.get() on:click=move |_| ctx.aller(ctx.tp.avant(Etape::Verification))>"Étape précédente"</button>
                </li>
                <li><button class="fr-btn" type="submit" disabled=move || pending.get()>"Poursuivre"</button></li>
            </ul>
        </form>
    }
}

/// Le récapitulatif : détails « + », CLU « * », « Valider ».
#[component]
pub fn Recapitulatif(ctx: Ctx, ui: super::ProcedureUi) -> impl IntoView {
    let Some(v) = ctx.vue.get_untracked() else {
        return ().into_any();
    };
    let cochees: Vec<RwSignal<bool>> = CLU.iter().map(|_| RwSignal::new(false)).collect();
    let cochees = StoredValue::new(cochees);
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = ctx.soumission(errors, alerte, |numero, clu: Vec<String>| async move { api::valider(&numero, clu).await });
    let pending = envoi.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let clu: Vec<String> = cochees
            .with_value(|c| CLU.iter().zip(c.iter()).filter(|(_, s)| s.get_untracked()).map(|((code, _), _)| (*code).to_owned()).collect());
        if errors.retenir(immat_domain::procedures::valider_clu(&clu).map_err(|e| vec![e])).is_some() {
            envoi.envoyer(clu);
        }
    };
    let clu_error = errors.of("clu");
    let t = v.vehicule.titulaire.clone();
    let taxes = v.taxes;
    let declare = (ui.recapitulatif)(&v);
    view! {
        {ctx.stepper()}
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {v.avertissement.clone().map(|m| view! { <div class="fr-alert fr-alert--warning fr-mb-3w"><p>{m}</p></div> })}
        <p class="fr-text--lg">{format!("Demande n° {} — véhicule {}", v.numero, v.vehicule.immatriculation)}</p>
        {declare}
        <div class="fr-accordions-group fr-mb-4w">
            <Detail id="detail-titulaire" titre="Identité du titulaire">
                <p data-testid="detail-titulaire">
                    {t.nom_complet()} <br />
                    {t.adresse.une_ligne()} <br />
                    {format!("{} {} — VIN {}", v.vehicule.marque, v.vehicule.modele, v.vehicule.vin)}
                </p>
            </Detail>
            <Detail id="detail-taxes" titre="Taxe à régler">
                <div class="fr-table">
                    <table data-testid="detail-taxes">
                        <caption>"Détail des taxes"</caption>
                        <thead><tr><th scope="col">"Taxe"</th><th scope="col">"Montant"</th></tr></thead>
                        <tbody>
                            {taxes.lignes().into_iter().map(|(code, libelle, m)| view! {
                                <tr><td>{format!("{code} — {libelle}")}</td><td>{m.to_string()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {v.regle_y1.clone().map(|r| view! { <p data-testid="regle-y1">{format!("Taxe régionale (Y1) : {r}")}</p> })}
            </Detail>
        </div>
        <form on:submit=on_submit novalidate>
            <fieldset
                class=move || if clu_error.with(Option::is_some) { "fr-fieldset fr-fieldset--error" } else { "fr-fieldset" }
                aria-labelledby="clu-legend"
                aria-describedby=move || clu_error.with(Option::is_some).then_some("clu-desc-error")
            >
                <legend class="fr-fieldset__legend" id="clu-legend">
                    "Conditions légales d'utilisation (les cases marquées d'une « * » sont obligatoires)"
                </legend>
                {CLU.iter().enumerate().map(|(i, (code, texte))| {
                    let id = format!("clu-{code}");
                    let s = cochees.with_value(|c| c[i]);
                    view! {
                        <div class="fr-fieldset__element">
                            <div class="fr-checkbox-group">
                                <input type="checkbox" id=id.clone() name="clu" value=*code
                                    aria-invalid=move || clu_error.with(Option::is_some).then_some("true")
                                    prop:checked=move || s.get()
                                    on:change=move |ev| s.set(event_target_checked(&ev)) />
                                <label class="fr-label" for=id>{format!("{texte} *")}</label>
                            </div>
                        </div>
                    }
                }).collect_view()}
                {move || clu_error.get().map(|m| view! {
                    <div class="fr-messages-group"><p class="fr-message fr-message--error" id="clu-desc-error">{m}</p></div>
                })}
            </fieldset>
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><button type="button" class="fr-btn fr-btn--secondary" disabled=move || pending.get() on:click=move |_| ctx.aller(ctx.tp.avant(Etape::Recapitulatif))>"Étape précédente"</button></li>
                <li>
                    <button class="fr-btn" type="submit" disabled=move || pending.get() || v.etat != EtatDemarche::Brouillon>
                        "Valider"
                    </button>
                </li>
            </ul>
        </form>
    }
    .into_any()
}

/// La date du jour du navigateur (le serveur revalide avec la sienne).
pub fn aujourd_hui() -> time::Date {
    let d = js_sys::Date::new_0();
    time::Date::from_calendar_date(
        d.get_full_year() as i32,
        time::Month::try_from(d.get_month() as u8 + 1).unwrap_or(time::Month::January),
        d.get_date() as u8,
    )
    .unwrap_or(time::macros::date!(2026 - 01 - 01))
}

/// « Paiement en ligne » : le montant, « Payer par carte bancaire » (vers la
/// page du prestataire), et « Cliquer ici pour enregistrer votre paiement »
/// au retour. Revenir ici (retour du prestataire, rechargement, autre
/// appareil) demande au serveur où en est le paiement.
#[component]
pub fn Paiement(ctx: Ctx) -> impl IntoView {
    let Some(v) = ctx.vue.get_untracked() else {
        return ().into_any();
    };
    let alerte = RwSignal::new(None::<ClientError>);
    let info = RwSignal::new(None::<String>);
    // Aller voir : la réponse est la démarche à jour (terminée : la fin).
    let verifier = Soumission::new(
        |numero: String| async move { api::verifier_paiement(&numero).await },
        move |r| match r {
            // Encore à payer : la même page, à jour (pas de nouvel écran,
            // donc pas de nouvelle vérification automatique).
            Ok(v) if super::etape_affichee(&v) == Etape::Paiement => ctx.vue.set(Some(v)),
            Ok(v) => ctx.suivre(v),
            Err(e) => alerte.set(Some(e)),
        },
    );
    let payer = Soumission::new(
        |numero: String| async move { api::payer(&numero).await },
        move |r| match r {
            Ok(p) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign(&p.url);
                }
            }
            Err(e) if e.api().is_some_and(|a| a.code == immat_domain::api::CodeErreur::DejaPaye) => {
                info.set(Some(e.to_string()));
                let _ = verifier.envoyer(ctx.numero());
            }
            Err(e) => alerte.set(Some(e)),
        },
    );
    let retour = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("paiement").is_some());
    let en_cours = v.paiement.as_ref().is_some_and(|p| p.etat == EtatPaiement::EnCours);
    if retour || en_cours || v.etat == EtatDemarche::Payee {
        let _ = verifier.envoyer(v.numero.clone());
    }
    let occupe = move || payer.en_cours().get() || verifier.en_cours().get();
    let montant = v.taxes.y6();
    let numero = v.numero.clone();
    let numero2 = v.numero.clone();
    view! {
        {ctx.stepper()}
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {move || info.get().map(|m| view! { <div class="fr-alert fr-alert--info fr-mb-3w" role="status"><p>{m}</p></div> })}
        <p class="fr-text--lg">{format!("Demande n° {} — véhicule {}", v.numero, v.vehicule.immatriculation)}</p>
        {move || ctx.vue.with(|v| v.as_ref().and_then(|v| v.paiement.clone())).map(|p| {
            let classe = match p.etat {
                EtatPaiement::Paye => "fr-alert fr-alert--success fr-mb-3w",
                EtatPaiement::EnCours => "fr-alert fr-alert--info fr-mb-3w",
                EtatPaiement::Refuse | EtatPaiement::Abandonne => "fr-alert fr-alert--warning fr-mb-3w",
            };
            view! { <div class=classe role="status" data-testid="etat-paiement"><p>{p.etat.message()}</p></div> }
        })}
        <div class="fr-table">
            <table data-testid="montant-a-payer">
                <caption>"Taxes à payer"</caption>
                <thead><tr><th scope="col">"Taxe"</th><th scope="col">"Montant"</th></tr></thead>
                <tbody>
                    {v.taxes.lignes().into_iter().map(|(code, libelle, m)| view! {
                        <tr><td>{format!("{code} — {libelle}")}</td><td>{m.to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p>"Le paiement se fait par carte bancaire sur la page sécurisée du service de paiement. "
           "Attention : pour finaliser la procédure, il est impératif d'appuyer ensuite sur le bouton « "{ENREGISTRER_PAIEMENT}" »."</p>
        <ul class="fr-btns-group fr-btns-group--inline-md">
            {move || ctx.vue.with(|v| v.as_ref().is_some_and(|v| v.etat == EtatDemarche::APayer)).then(|| {
                let numero = numero.clone();
                view! {
                <li>
                    <button class="fr-btn" type="button" disabled=occupe on:click=move |_| { alerte.set(None); payer.envoyer(numero.clone()); }>
                        {format!("Payer {montant} par carte bancaire")}
                    </button>
                </li>
            }})}
            <li>
                <button class="fr-btn fr-btn--secondary" type="button" disabled=occupe on:click=move |_| { alerte.set(None); verifier.envoyer(numero2.clone()); }>
                    {ENREGISTRER_PAIEMENT}
                </button>
            </li>
        </ul>
    }
    .into_any()
}

/// « La demande est terminée. »
#[component]
pub fn Fin(ctx: Ctx, ui: super::ProcedureUi) -> impl IntoView {
    let Some(v) = ctx.vue.get_untracked() else {
        return ().into_any();
    };
    view! {
        <div class="fr-alert fr-alert--success fr-mb-4w" role="status" data-testid="demande-terminee">
            <h2 class="fr-alert__title">"La demande est terminée."</h2>
            <p>{format!("Demande n° {} — véhicule {}", v.numero, v.vehicule.immatriculation)}</p>
        </div>
        {(ui.fin)(&v)}
        <h3>{if v.documents.len() > 1 { "Les documents suivants sont disponibles en téléchargement :" } else { "Le document suivant est disponible en téléchargement :" }}</h3>
        <ul data-testid="documents">
            {v.documents.iter().map(|d| view! {
                <li><a class="fr-link fr-link--download" href=d.url.clone() download="">{d.libelle.clone()}<span class="fr-link__detail">"PDF"</span></a></li>
            }).collect_view()}
        </ul>
        <A href="/espace-vehicule" attr:class="fr-btn fr-btn--secondary fr-mt-4w">"Retour à l'espace véhicule"</A>
    }
    .into_any()
}
