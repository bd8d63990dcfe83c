-- Les comptes créés par les usagers : civilité, adresse électronique
-- confirmée, jetons des liens envoyés par e-mail (confirmation, nouveau mot
-- de passe). Règle : on n'édite jamais une migration déjà appliquée.

alter table compte add column civilite text;
-- Null : l'adresse n'est pas encore confirmée (la connexion est refusée).
-- Les comptes existants (démonstration) le sont.
alter table compte add column confirme_le text;
update compte set confirme_le = created_at;

-- Un lien à usage unique : seul le SHA-256 du jeton est gardé.
create table jeton_compte (
    jeton_hash  text primary key,
    compte_id   integer not null references compte (compte_id) on delete cascade,
    -- confirmation | reinitialisation
    usage       text not null,
    expire_le   text not null,
    utilise_le  text
);
create index jeton_compte_compte on jeton_compte (compte_id, usage);
