//! La table des routes de l'API : chaque route est déclarée ici avec sa
//! méthode et son chemin, et la table est gardée à côté du routeur. Le test
//! d'autorisation la parcourt : une route ajoutée sans ligne dans son tableau
//! le fait échouer.

use super::AppState;
use axum::{handler::Handler, http::Method, routing, Router};

pub struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self { router: Router::new(), table: Vec::new() }
    }

    fn add(mut self, method: Method, path: &'static str, mr: routing::MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, mr);
        self.table.push((method, path));
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::GET, path, routing::get(h))
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::POST, path, routing::post(h))
    }

    /// Une route POST qui reçoit un fichier : sa propre limite de corps
    /// (la limite globale, faite pour le JSON, reste ailleurs).
    pub fn post_fichier<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H, limite_octets: usize) -> Self {
        self.add(Method::POST, path, routing::post(h).layer(axum::extract::DefaultBodyLimit::max(limite_octets)))
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::PUT, path, routing::put(h))
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// Les routes déclarées : (méthode, chemin sous `/api/v1`).
    pub fn table(&self) -> &[(Method, &'static str)] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
