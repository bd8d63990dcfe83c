//! Le certificat provisoire d'immatriculation émis, à l'écran de fin.

use immat_domain::changement_titulaire::Cpi;
use leptos::prelude::*;

#[component]
pub fn CpiEmis(cpi: Cpi) -> impl IntoView {
    view! {
        <div class="fr-callout fr-mb-4w">
            <h3 class="fr-callout__title">"Certificat provisoire d'immatriculation"</h3>
            <p class="fr-callout__text">
                "Numéro d'immatriculation : " <strong data-testid="nouvelle-immatriculation">{cpi.immatriculation.to_string()}</strong>
                <br />
                {cpi.ancienne_immatriculation.map(|a| view! { {format!("(ancien numéro : {a} — posez de nouvelles plaques)")} <br /> })}
                {format!("Valable jusqu'au {}, en France uniquement, en attendant le certificat définitif envoyé par courrier.", cpi.valable_jusqu_au)}
                <br />
                {format!("Référence de vérification : {}", cpi.reference)}
            </p>
        </div>
    }
}
