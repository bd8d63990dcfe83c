-- Le compte d'une société se certifie aussi par son représentant légal :
-- identité confirmée par FranceConnect, vérifiée par le CERT comme une
-- habilitation (même table, même cycle de vie).
alter table habilitation add column nature text not null default 'professionnel';
alter table habilitation add column representant text;
