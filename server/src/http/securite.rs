//! En-têtes de sécurité sur chaque réponse (SPA, API, PDF) et refus des
//! requêtes qui modifient quelque chose depuis un autre site (CSRF).
//!
//! - CSP stricte : rien d'intégré à la page (ni script ni style en ligne ;
//!   le script d'amorçage de Trunk est sorti dans un fichier à la
//!   construction), `'wasm-unsafe-eval'` pour compiler le wasm.
//! - `no-store` sur toute l'API (données personnelles, PDF, code de cession) ;
//!   `no-cache` sur la page du SPA.
//! - Une requête POST/PUT/PATCH/DELETE dont `Sec-Fetch-Site` dit
//!   `cross-site`/`same-site`, ou dont `Origin` n'est pas l'hôte servi, reçoit
//!   403 sans être traitée. Sans ces en-têtes (client non navigateur), elle
//!   passe : le cookie de session est `SameSite=Lax` et le corps doit être du
//!   JSON.

use super::{error::AppError, AppState};
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use immat_domain::api::CodeErreur;

pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn modifie(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// La requête vient-elle d'un autre site ? `autorite` : l'hôte de l'URI
/// (HTTP/2 `:authority`), quand l'en-tête `Host` manque.
pub fn inter_sites(headers: &HeaderMap, autorite: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let hote_origine = origin.split_once("://").map(|(_, reste)| reste.trim_end_matches('/'));
    let hote = headers.get(header::HOST).and_then(|v| v.to_str().ok()).or(autorite);
    match (hote_origine, hote) {
        (Some(o), Some(h)) => !o.eq_ignore_ascii_case(h),
        _ => true,
    }
}

pub async fn couche(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // L'API (données personnelles, PDF) et les pages du prestataire de
    // paiement (la carte saisie) ne restent dans aucun cache.
    let sans_cache = req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/payfip/");
    // Seulement un fichier qui existe : un ancien nom (après un déploiement)
    // reçoit la page du SPA, qui ne doit jamais être gardée (pas même sur un
    // 304, qui n'a pas de Content-Type).
    let immuable = fichier_a_empreinte(req.uri().path()) && state.config.dist_dir.join(req.uri().path().trim_start_matches('/')).is_file();
    if modifie(req.method()) && inter_sites(req.headers(), req.uri().authority().map(|a| a.as_str())) {
        return AppError::Requete {
            status: StatusCode::FORBIDDEN,
            code: CodeErreur::OrigineRefusee,
            message: "Requête refusée : elle ne provient pas de ce site.".into(),
        }
        .into_response();
    }
    let mut resp = next.run(req).await;
    // 304 (revalidation) et 206 (plage) gardent la politique du fichier.
    let reussie = matches!(resp.status(), StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT);
    let h = resp.headers_mut();
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    // Une réponse qui porte sa propre politique (une pièce jointe affichée
    // dans le back office) la garde ; toutes les autres ont celle du site.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(h, header::CONTENT_SECURITY_POLICY, CSP);
    }
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if !h.contains_key(header::X_FRAME_OPTIONS) {
        set(h, header::X_FRAME_OPTIONS, "DENY");
    }
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(h, HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), payment=()");
    if state.config.secure_cookies {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    let html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if sans_cache {
        set(h, header::CACHE_CONTROL, "no-store");
    } else if immuable && reussie && !html {
        // Son nom change avec son contenu : gardé un an, jamais revalidé.
        // La version (brotli, gzip, brute) dépend d'Accept-Encoding : un
        // cache partagé doit le savoir.
        set(h, header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    } else {
        // La page, et les fichiers au nom fixe (polices, icônes, favicon) :
        // revalidés à chaque chargement (Last-Modified).
        set(h, header::CACHE_CONTROL, "no-cache");
    }
    // Hors de l'API, les fichiers sont servis compressés d'avance (brotli,
    // gzip, ou bruts selon Accept-Encoding) : un cache partagé doit le
    // savoir, y compris pour un 304.
    if !sans_cache && !varie_selon_encodage(h) {
        h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    resp
}

/// `Vary` nomme-t-il déjà `Accept-Encoding` (ou `*`) ?
fn varie_selon_encodage(h: &HeaderMap) -> bool {
    h.get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding") || v.trim() == "*")
}

/// Un fichier dont le nom porte l'empreinte de son contenu, comme Trunk les
/// nomme (`immat-web-<hex>_bg.wasm`, `main-<hex>.css`, `boot-<hex>.js`).
/// L'empreinte est un entier de 64 bits écrit en hexadécimal sans zéros de
/// tête : 16 chiffres le plus souvent, moins une fois sur seize ; on en
/// accepte de 12 à 16.
pub fn fichier_a_empreinte(chemin: &str) -> bool {
    let segments: Vec<&str> = chemin.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [nom] => nom.rsplit_once('.').is_some_and(|(base, ext)| {
            matches!(ext, "js" | "wasm" | "css") && porte_une_empreinte(base.strip_suffix("_bg").unwrap_or(base))
        }),
        // Les modules des routes et leur chargeur, rangés sous le nom à
        // empreinte du module principal (scripts/wasm-split.mjs).
        [dossier, nom] => porte_une_empreinte(dossier) && (nom.ends_with(".wasm") || nom.ends_with(".js")),
        _ => false,
    }
}

/// `nom-<12 à 16 chiffres hexadécimaux>` : l'empreinte que Trunk ajoute.
fn porte_une_empreinte(base: &str) -> bool {
    base.rsplit_once('-')
        .is_some_and(|(_, empreinte)| (12..=16).contains(&empreinte.len()) && empreinte.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noms_a_empreinte() {
        assert!(fichier_a_empreinte("/immat-web-9d99df09c019ca36_bg.wasm"));
        assert!(fichier_a_empreinte("/immat-web-9d99df09c019ca36.js"));
        assert!(fichier_a_empreinte("/main-e277d0f8a6367622.css"));
        assert!(fichier_a_empreinte("/boot-4fe6be43cfd8694a.js"));
        assert!(!fichier_a_empreinte("/dsfr.min.css"));
        assert!(fichier_a_empreinte("/dsfr-immat.min-943304bc563f93cc.css"));
        assert!(!fichier_a_empreinte("/index.html"));
        assert!(!fichier_a_empreinte("/icons/system/check-line-0123456789abcdef.svg"));
        assert!(!fichier_a_empreinte("/fonts/a-0123456789abcdef.js"));
        assert!(fichier_a_empreinte("/main-e277d0f8a636762.css"), "15 chiffres : un zéro de tête omis");
        assert!(fichier_a_empreinte("/boot-4fe6be43cfd8.js"));
        assert!(fichier_a_empreinte("/immat-web-9d99df09c019ca36/chunk_57.wasm"));
        assert!(fichier_a_empreinte("/immat-web-9d99df09c019ca36/__wasm_split.js"));
        assert!(!fichier_a_empreinte("/immat-web/chunk_57.wasm"), "dossier sans empreinte");
        assert!(!fichier_a_empreinte("/immat-web-9d99df09c019ca36/a/chunk_57.wasm"));
        assert!(!fichier_a_empreinte("/immat-web-9d99df09c019ca36/index.html"));
        assert!(!fichier_a_empreinte("/boot-4fe6be43cfd.js"), "11 chiffres : trop court pour une empreinte");
        assert!(!fichier_a_empreinte("/main-e277d0f8a636762z.css"));
    }

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn origine() {
        assert!(!inter_sites(&h(&[]), None), "client non navigateur");
        assert!(!inter_sites(&h(&[("sec-fetch-site", "same-origin"), ("origin", "http://autre.example")]), None));
        assert!(inter_sites(&h(&[("sec-fetch-site", "cross-site")]), None));
        assert!(inter_sites(&h(&[("sec-fetch-site", "same-site")]), None));
        assert!(!inter_sites(&h(&[("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")]), None));
        assert!(inter_sites(&h(&[("origin", "http://evil.example"), ("host", "127.0.0.1:8080")]), None));
        assert!(inter_sites(&h(&[("origin", "http://127.0.0.1:9999"), ("host", "127.0.0.1:8080")]), None), "autre port");
        assert!(inter_sites(&h(&[("origin", "null"), ("host", "127.0.0.1:8080")]), None));
        // HTTP/2 : pas d'en-tête Host, l'autorité de l'URI.
        assert!(!inter_sites(&h(&[("origin", "https://immat.example")]), Some("immat.example")));
        assert!(inter_sites(&h(&[("origin", "https://pirate.example")]), Some("immat.example")));
        assert!(inter_sites(&h(&[("origin", "https://pirate.example")]), None), "sans hôte connu : refus");
    }
}
