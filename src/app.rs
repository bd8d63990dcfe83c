//! L'application : en-tête DSFR, routes, pied de page.

use crate::{
    components::layout::{DemoNotice, Footer, Header, SkipLinks},
    pages::{
        cert_dossier::CertDossierPage,
        cert_envois::CertEnvoisPage,
        cert_file::CertFilePage,
        cert_habilitations::CertHabilitationsPage,
        comptes::{ConfirmationAdressePage, ConfirmationPage, InscriptionPage, MotDePasseOubliePage, NouveauMotDePassePage},
        espace_vehicule::EspaceVehiculePage,
        home::HomePage,
        login::LoginPage,
        mon_compte::MonComptePage,
        mon_espace::MonEspacePage,
        not_found::NotFoundPage,
        procedures::{DemarchePage, ProcedurePage},
    },
    session::Session,
};
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

#[component]
pub fn App() -> impl IntoView {
    Session::provide();
    view! {
        <Router>
            <SkipLinks />
            <DemoNotice />
            <Header />
            <main id="contenu" class="fr-container immat-main" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/connexion") view=LoginPage />
                    <Route path=path!("/inscription") view=InscriptionPage />
                    <Route path=path!("/confirmation") view=ConfirmationPage />
                    <Route path=path!("/confirmation-adresse") view=ConfirmationAdressePage />
                    <Route path=path!("/mot-de-passe-oublie") view=MotDePasseOubliePage />
                    <Route path=path!("/nouveau-mot-de-passe") view=NouveauMotDePassePage />
                    <Route path=path!("/mon-espace") view=MonEspacePage />
                    <Route path=path!("/mon-compte") view=MonComptePage />
                    <Route path=path!("/cert") view=CertFilePage />
                    <Route path=path!("/cert/envois") view=CertEnvoisPage />
                    <Route path=path!("/cert/habilitations") view=CertHabilitationsPage />
                    <Route path=path!("/cert/demarches/:numero") view=CertDossierPage />
                    <Route path=path!("/espace-vehicule") view=EspaceVehiculePage />
                    <Route path=path!("/espace-vehicule/demarche/:procedure") view=ProcedurePage />
                    <Route path=path!("/espace-vehicule/demarche/:procedure/:numero") view=DemarchePage />
                </Routes>
            </main>
            <Footer />
        </Router>
    }
}
