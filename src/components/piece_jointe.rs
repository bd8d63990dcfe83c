//! Une pièce jointe à envoyer (DSFR `fr-upload`) : la consigne (formats,
//! taille) avant le choix du fichier, le contrôle de la taille dans le
//! navigateur, l'envoi, l'erreur au champ ; et la pièce déjà envoyée, avec
//! son statut et son lien de téléchargement.

use crate::api::{self, ClientError};
use immat_domain::{
    pieces::{PieceError, PieceRequiseVue, PieceVue, StatutPiece, ACCEPT, CONSIGNE_FORMATS, TAILLE_MAX_OCTETS},
    procedures::DemarcheVue,
};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

/// La pièce envoyée : nom, format, taille, statut, téléchargement.
#[component]
pub fn PieceEnvoyee(piece: PieceVue) -> impl IntoView {
    let classe = match piece.statut {
        StatutPiece::Acceptee => "fr-badge fr-badge--success fr-badge--sm",
        StatutPiece::Refusee => "fr-badge fr-badge--error fr-badge--sm",
        StatutPiece::Deposee => "fr-badge fr-badge--info fr-badge--sm",
        StatutPiece::Remplacee => "fr-badge fr-badge--sm",
    };
    view! {
        <p class="fr-mb-1w" data-testid="piece-envoyee">
            <a class="fr-link fr-link--download" href=piece.url.clone() download="">
                {piece.nom.clone()}
                <span class="fr-link__detail">{format!("{} – {}", piece.format.libelle(), piece.taille())}</span>
            </a>
            " "
            <span class=classe data-testid="statut-piece">{piece.statut.libelle()}</span>
        </p>
    }
}

/// Le champ d'envoi d'une pièce demandée. `vue` : la démarche, mise à jour
/// par la réponse du serveur (rien d'autre de l'écran n'est perdu).
#[component]
pub fn EnvoiPiece(
    requise: PieceRequiseVue,
    vue: RwSignal<Option<DemarcheVue>>,
    #[prop(into)] erreur: Signal<Option<String>>,
    /// Efface l'erreur que le formulaire avait reçue pour ce champ, une fois
    /// la pièce envoyée.
    #[prop(optional)]
    effacer: Option<Callback<()>>,
) -> impl IntoView {
    let t = requise.type_piece;
    let id = t.champ();
    let message_id = format!("{id}-messages");
    let erreur_locale = RwSignal::new(None::<String>);
    let en_cours = RwSignal::new(false);
    let alerte = RwSignal::new(None::<ClientError>);
    // L'erreur montrée : celle de l'envoi, sinon celle que le formulaire
    // (« Valider », « Envoyer ») a reçue pour ce champ.
    let message = Signal::derive(move || erreur_locale.get().or_else(|| erreur.get()));
    let piece = Memo::new(move |_| {
        vue.with(|v| {
            v.as_ref().and_then(|v| v.instruction.pieces_requises.iter().find(|p| p.type_piece == t).and_then(|p| p.piece.clone()))
        })
    });
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(fichier) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        alerte.set(None);
        // La taille se vérifie avant l'envoi (le serveur revérifie tout).
        if fichier.size() > TAILLE_MAX_OCTETS as f64 {
            erreur_locale.set(Some(PieceError::TropGrand.to_string()));
            return;
        }
        if fichier.size() == 0.0 {
            erreur_locale.set(Some(PieceError::Vide.to_string()));
            return;
        }
        let Some(numero) = vue.with_untracked(|v| v.as_ref().map(|v| v.numero.clone())) else {
            return;
        };
        // Un envoi à la fois ; le champ reste actif (le focus y reste).
        if en_cours.get_untracked() {
            return;
        }
        en_cours.set(true);
        erreur_locale.set(None);
        spawn_local(async move {
            match api::deposer_piece(&numero, t, &fichier).await {
                Ok(v) => {
                    if let Some(cb) = effacer {
                        cb.run(());
                    }
                    vue.set(Some(v));
                }
                Err(e) => match e.api().and_then(|a| a.champs.first()).map(|c| c.message.clone()) {
                    Some(m) => {
                        erreur_locale.set(Some(m));
                        crate::components::form_errors::focus_first_error();
                    }
                    None => alerte.set(Some(e)),
                },
            }
            en_cours.set(false);
        });
    };
    let (id2, id3, message_id2) = (id.clone(), id.clone(), message_id.clone());
    view! {
        <div class=move || if message.with(Option::is_some) { "fr-upload-group fr-upload-group--error fr-mb-3w" } else { "fr-upload-group fr-mb-3w" }>
            <label class="fr-label" for=id.clone()>
                {format!("{} : {}{}", t.action(), requise.libelle, if requise.obligatoire { " *" } else { "" })}
                <span class="fr-hint-text">{CONSIGNE_FORMATS}</span>
            </label>
            {move || piece.get().map(|p| view! { <PieceEnvoyee piece=p /> })}
            <input class="fr-upload" type="file" id=id2 name=id3 accept=ACCEPT
                aria-describedby=message_id.clone()
                aria-invalid=move || message.with(Option::is_some).then_some("true")
                aria-busy=move || en_cours.get().then_some("true")
                on:change=on_change />
            <div class="fr-messages-group" id=message_id2 aria-live="polite">
                {move || en_cours.get().then(|| view! { <p class="fr-message fr-message--info">"Envoi du fichier en cours…"</p> })}
                {move || message.get().map(|m| view! { <p class="fr-message fr-message--error" data-testid="erreur-piece">{m}</p> })}
            </div>
            {move || alerte.get().map(|e| view! { <crate::components::status::ClientErrorAlert error=e /> })}
            <p class="fr-text--sm fr-mt-1w">"Le fichier choisi est envoyé aussitôt ; vous pouvez le remplacer tant que le CERT ne l'a pas accepté."</p>
        </div>
    }
}
