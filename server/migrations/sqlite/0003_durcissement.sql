-- Durcissement : limites de tentatives atomiques, écritures conditionnelles
-- des démarches, code confidentiel en attente, un seul brouillon par
-- (compte, véhicule, téléprocédure).

-- Une limite de tentatives par clé (« connexion:compte:… »,
-- « code:vehicule:…:compte:… »…). Les instants sont en secondes Unix : la
-- réservation d'une tentative est une seule instruction (insert … on conflict
-- do update … returning), sans lecture puis écriture.
create table limite (
    cle             text primary key,
    tentatives      integer not null,
    debut           integer not null,
    bloque_jusqu_a  integer
);

drop table code_confidentiel_tentative;

-- Chaque écriture d'une démarche est conditionnée à l'état et à la version
-- lus : une écriture concurrente perd (409), elle n'écrase rien.
alter table demarche add column version integer not null default 0;

-- Deux « Démarrer la procédure » simultanés ne créent qu'un brouillon.
create unique index demarche_en_cours_unique on demarche (compte_id, vehicule_id, teleprocedure)
    where etat not in ('terminee', 'abandonnee');

-- « Je n'ai pas de code confidentiel » : le nouveau code attend ici ; l'ancien
-- reste valable jusqu'à ce que le nouveau serve une première fois.
alter table vehicule add column code_confidentiel_nouveau_hash text;

-- La boîte d'envoi ne garde plus de code en clair : les envois déjà écrits
-- qui en portaient un sont effacés (les agents n'en voient qu'une forme masquée).
update envoi set corps = '(contenu effacé : cet envoi portait un code confidentiel en clair)'
    where objet like 'Votre code confidentiel%';
