//! Le serveur Immat : l'API `/api/v1` (axum) sur une base SQLite (sqlx),
//! derrière un module de dépôt (`db`) pour qu'une base PostgreSQL puisse
//! s'ajouter sans toucher aux gestionnaires HTTP, et le SPA construit.

pub mod clock;
pub mod communes;
pub mod config;
pub mod courrier;
pub mod db;
pub mod demo;
pub mod documents;
pub mod franceconnect;
pub mod hachage;
pub mod http;
pub mod mail;
pub mod payfip;
pub mod pieces;
