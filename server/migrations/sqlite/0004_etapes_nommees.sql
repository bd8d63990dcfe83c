-- Les étapes d'un assistant sont nommées (`saisie`, `verification`,
-- `recapitulatif`, `fin`…, l'énumération `Etape` du domaine) et non plus
-- numérotées.
alter table demarche add column etape_nommee text not null default 'saisie';
update demarche set etape_nommee = case etape
    when 1 then 'demarrage'
    when 2 then 'saisie'
    when 3 then 'verification'
    when 4 then 'recapitulatif'
    when 5 then 'fin'
    else 'saisie' end;
alter table demarche drop column etape;
alter table demarche rename column etape_nommee to etape;

-- Le registre garde aussi le lieu-dit (ou la boîte postale) de l'adresse du
-- titulaire : un changement d'adresse ne le perd plus.
alter table vehicule add column adresse_lieu_dit text;
