//! Immat — le SPA des téléprocédures du certificat d'immatriculation.
//!
//! Leptos 0.8 en rendu côté client, compilé en WebAssembly par Trunk. Les
//! règles viennent du crate `immat-domain`, partagé avec le serveur.

mod api;
mod app;
mod components;
mod pages;
mod session;

fn main() {
    // Le message de panique lisible dans la console : en développement
    // seulement (le wasm de production s'arrête net, panic = "abort").
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
