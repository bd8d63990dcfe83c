-- FranceConnect : le compte certifié garde le `sub` de son identité (unique)
-- et l'identité pivot reçue ; la session ouverte par FranceConnect garde le
-- jeton d'identité (indice de la déconnexion chez le fournisseur) ; chaque
-- départ vers le fournisseur laisse une tentative (état, nonce, PKCE),
-- consommée une seule fois au retour.

alter table compte add column fc_sub text;
create unique index compte_fc_sub on compte (fc_sub) where fc_sub is not null;
alter table compte add column nom_de_naissance text;
alter table compte add column date_naissance text;
-- Le lieu de naissance (JSON de `LieuNaissance`).
alter table compte add column lieu_naissance text;
alter table compte add column certifie_le text;

alter table session add column fc_id_token text;

create table tentative_franceconnect (
    -- SHA-256 du `state` (le `state` lui-même est dans un cookie HttpOnly du
    -- navigateur qui est parti).
    etat_hash          text primary key,
    nonce              text not null,
    verificateur_pkce  text not null,
    -- Certification d'un compte existant (prouvée par son mot de passe) ;
    -- null : connexion ou création.
    compte_id          integer references compte (compte_id) on delete cascade,
    expire_le          text not null
);
