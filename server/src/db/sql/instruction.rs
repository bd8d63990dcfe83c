//! Le mode itératif en SQLite : pièces jointes, file et actions du CERT,
//! historique. Toute écriture d'état est conditionnelle (état, version,
//! agent) et chaque action écrit son entrée d'historique dans la même
//! transaction.

use super::*;
use immat_domain::pieces::{Action, Auteur, FormatPiece, MotifCorrection, StatutPiece, TypePiece};

fn piece_from_row(r: &Ligne) -> DbResult<PieceRecord> {
    let corrompu = |c: &str, v: String| DbError::Corrupt(format!("piece_jointe.{c} : {v}"));
    let type_piece: String = r.try_get("type_piece")?;
    let format: String = r.try_get("format")?;
    let statut: String = r.try_get("statut")?;
    Ok(PieceRecord {
        id: r.try_get("piece_id")?,
        demarche_id: r.try_get("demarche_id")?,
        type_piece: TypePiece::depuis_code(&type_piece).ok_or_else(|| corrompu("type_piece", type_piece.clone()))?,
        nom_original: r.try_get("nom_original")?,
        format: FormatPiece::depuis_code(&format).ok_or_else(|| corrompu("format", format.clone()))?,
        taille: r.try_get("taille")?,
        sha256: r.try_get("sha256")?,
        fichier: r.try_get("fichier")?,
        statut: StatutPiece::depuis_code(&statut).ok_or_else(|| corrompu("statut", statut.clone()))?,
        deposee_le: instant_requis(r, "deposee_le")?,
    })
}

fn evenement_from_row(r: &Ligne) -> DbResult<EvenementRecord> {
    let corrompu = |c: &str, v: String| DbError::Corrupt(format!("demarche_evenement.{c} : {v}"));
    let auteur: String = r.try_get("auteur")?;
    let action: String = r.try_get("action")?;
    let motif = match r.try_get::<Option<String>, _>("motif")? {
        None => None,
        Some(m) => Some(MotifCorrection::depuis_code(&m).ok_or_else(|| corrompu("motif", m.clone()))?),
    };
    let nom_auteur = match (r.try_get::<Option<String>, _>("prenom")?, r.try_get::<Option<String>, _>("nom")?) {
        (Some(p), Some(n)) => Some(format!("{p} {n}")),
        _ => None,
    };
    Ok(EvenementRecord {
        demarche_id: r.try_get("demarche_id")?,
        auteur: Auteur::depuis_code(&auteur).ok_or_else(|| corrompu("auteur", auteur.clone()))?,
        compte_id: r.try_get("compte_id")?,
        nom_auteur,
        action: Action::depuis_code(&action).ok_or_else(|| corrompu("action", action.clone()))?,
        motif,
        message: r.try_get("message")?,
        piece_id: r.try_get("piece_id")?,
        piece_nom: r.try_get("nom_original")?,
        cree_le: instant_requis(r, "cree_le")?,
    })
}

async fn inserer_evenement(conn: &mut Connexion, demarche_id: i64, e: &NewEvenement, maintenant: OffsetDateTime) -> DbResult<()> {
    sqlx::query(
        "insert into demarche_evenement (demarche_id, auteur, compte_id, action, motif, message, piece_id, cree_le)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(demarche_id)
    .bind(e.auteur.code())
    .bind(e.compte_id)
    .bind(e.action.code())
    .bind(e.motif.map(MotifCorrection::code))
    .bind(&e.message)
    .bind(e.piece_id)
    .bind(ts(maintenant))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Les états qui concernent le CERT (la file et ses compteurs).
const ETATS_CERT: [EtatDemarche; 5] =
    [EtatDemarche::EnAttenteCert, EtatDemarche::CorrectionDemandee, EtatDemarche::APayer, EtatDemarche::Terminee, EtatDemarche::Refusee];

#[async_trait::async_trait]
impl InstructionRepository for SqlRepository {
    async fn deposer_piece(&self, demarche_id: i64, compte_id: i64, p: &NewPiece) -> DbResult<PieceRecord> {
        let maintenant = self.clock.now();
        let mut tx = self.pool.begin().await?;
        // D'abord l'écriture qui prend le verrou : la démarche doit encore
        // accepter une pièce (brouillon, ou correction demandée).
        let r = sqlx::query(
            "update demarche set version = version + 1, updated_at = $1
             where demarche_id = $2 and compte_id = $3 and etat in ('brouillon', 'correction_demandee')",
        )
        .bind(ts(maintenant))
        .bind(demarche_id)
        .bind(compte_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Err(DbError::Conflict("Cette demande n'accepte plus de pièce : elle est en cours de contrôle ou terminée.".into()));
        }
        // Compté dans la transaction, après le verrou : deux envois simultanés
        // ne dépassent pas la limite.
        let envois: i64 =
            sqlx::query_scalar("select count(*) from piece_jointe where demarche_id = $1").bind(demarche_id).fetch_one(&mut *tx).await?;
        if envois >= immat_domain::pieces::ENVOIS_MAX_PAR_DEMARCHE {
            return Err(DbError::Conflict(format!(
                "Vous avez déjà envoyé {envois} fichiers pour cette demande : c'est le maximum. Contactez le CERT si une pièce manque encore."
            )));
        }
        let active = sqlx::query("select statut from piece_jointe where demarche_id = $1 and type_piece = $2 and statut <> 'remplacee'")
            .bind(demarche_id)
            .bind(p.type_piece.code())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = active {
            let statut: String = row.try_get("statut")?;
            if !immat_domain::pieces::remplacable(StatutPiece::depuis_code(&statut)) {
                return Err(DbError::Conflict("Cette pièce a été acceptée par le CERT : elle ne peut plus être remplacée.".into()));
            }
            sqlx::query(
                "update piece_jointe set statut = 'remplacee'
                 where demarche_id = $1 and type_piece = $2 and statut in ('deposee', 'refusee')",
            )
            .bind(demarche_id)
            .bind(p.type_piece.code())
            .execute(&mut *tx)
            .await?;
        }
        let row = sqlx::query(
            "insert into piece_jointe (demarche_id, type_piece, nom_original, format, taille, sha256, fichier, statut, deposee_le)
             values ($1, $2, $3, $4, $5, $6, $7, 'deposee', $8) returning *",
        )
        .bind(demarche_id)
        .bind(p.type_piece.code())
        .bind(&p.nom_original)
        .bind(p.format.code())
        .bind(p.taille)
        .bind(&p.sha256)
        .bind(&p.fichier)
        .bind(ts(maintenant))
        .fetch_one(&mut *tx)
        .await?;
        let piece = piece_from_row(&row)?;
        let e = NewEvenement {
            auteur: Auteur::Usager,
            compte_id: Some(compte_id),
            action: Action::PieceDeposee,
            motif: None,
            message: None,
            piece_id: Some(piece.id),
        };
        inserer_evenement(&mut tx, demarche_id, &e, maintenant).await?;
        tx.commit().await?;
        Ok(piece)
    }

    async fn pieces_de(&self, demarche_id: i64) -> DbResult<Vec<PieceRecord>> {
        sqlx::query("select * from piece_jointe where demarche_id = $1 order by piece_id")
            .bind(demarche_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(piece_from_row)
            .collect()
    }

    async fn piece(&self, demarche_id: i64, piece_id: i64) -> DbResult<Option<PieceRecord>> {
        sqlx::query("select * from piece_jointe where piece_id = $1 and demarche_id = $2")
            .bind(piece_id)
            .bind(demarche_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(piece_from_row)
            .transpose()
    }

    async fn evenements_de(&self, demarche_id: i64) -> DbResult<Vec<EvenementRecord>> {
        sqlx::query(
            "select e.*, c.prenom, c.nom, p.nom_original from demarche_evenement e
             left join compte c on c.compte_id = e.compte_id
             left join piece_jointe p on p.piece_id = e.piece_id
             where e.demarche_id = $1 order by e.evenement_id",
        )
        .bind(demarche_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(evenement_from_row)
        .collect()
    }

    async fn abandonner(&self, e: Ecriture<'_>, evenement: &NewEvenement) -> DbResult<DemarcheRecord> {
        let maintenant = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let ecrite = ecrire_demarche(&mut tx, e.d, e.vers, e.etape, e.donnees, maintenant).await?;
        sqlx::query("update code_cession set utilise_at = null, utilise_par = null where utilise_par = $1")
            .bind(ecrite.id)
            .execute(&mut *tx)
            .await?;
        inserer_evenement(&mut tx, ecrite.id, evenement, maintenant).await?;
        tx.commit().await?;
        Ok(ecrite)
    }

    async fn soumettre_au_cert(&self, e: Ecriture<'_>, evenement: &NewEvenement) -> DbResult<DemarcheRecord> {
        let maintenant = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let ecrite = ecrire_demarche(&mut tx, e.d, e.vers, e.etape, e.donnees, maintenant).await?;
        let row = sqlx::query(
            "update demarche set en_attente_depuis = $1, agent_id = null, agent_depuis = null where demarche_id = $2 returning *",
        )
        .bind(ts(maintenant))
        .bind(ecrite.id)
        .fetch_one(&mut *tx)
        .await?;
        inserer_evenement(&mut tx, ecrite.id, evenement, maintenant).await?;
        tx.commit().await?;
        demarche_from_row(&row)
    }

    async fn file_cert(&self, etat: Option<EtatDemarche>, tp: Option<Teleprocedure>) -> DbResult<Vec<LigneFileRecord>> {
        let etats: Vec<String> = match etat {
            Some(e) => vec![code_of(&e)],
            None => ETATS_CERT.iter().map(code_of).collect(),
        };
        // Seules les démarches passées par le CERT (entrées dans la file).
        let marque = (1..=etats.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let p_tp = etats.len() + 1;
        let sql = format!(
            "select d.*, v.immatriculation as immat, u.prenom as u_prenom, u.nom as u_nom, u.raison_sociale as u_rs,
                    a.prenom as a_prenom, a.nom as a_nom
             from demarche d
             join compte u on u.compte_id = d.compte_id
             left join vehicule v on v.vehicule_id = d.vehicule_id
             left join compte a on a.compte_id = d.agent_id
             where d.en_attente_depuis is not null and d.etat in ({marque}) and (${p_tp} is null or d.teleprocedure = ${p_tp})
             order by d.en_attente_depuis, d.demarche_id
             limit 500"
        );
        let mut q = sqlx::query(&sql);
        for e in &etats {
            q = q.bind(e);
        }
        let tp = tp.map(|t| code_of(&t));
        let rows = q.bind(tp).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let agent = match (r.try_get::<Option<String>, _>("a_prenom")?, r.try_get::<Option<String>, _>("a_nom")?) {
                    (Some(p), Some(n)) => Some(format!("{p} {n}")),
                    _ => None,
                };
                Ok(LigneFileRecord {
                    demarche: demarche_from_row(r)?,
                    immatriculation: r.try_get("immat")?,
                    usager: match r.try_get::<Option<String>, _>("u_rs")? {
                        Some(rs) => rs,
                        None => format!("{} {}", r.try_get::<String, _>("u_prenom")?, r.try_get::<String, _>("u_nom")?),
                    },
                    agent,
                })
            })
            .collect()
    }

    async fn compteurs_cert(&self) -> DbResult<Vec<(EtatDemarche, i64)>> {
        let rows = sqlx::query("select etat, count(*) as n from demarche where en_attente_depuis is not null group by etat")
            .fetch_all(&self.pool)
            .await?;
        let mut compteurs: Vec<(EtatDemarche, i64)> = ETATS_CERT.iter().map(|e| (*e, 0)).collect();
        for r in &rows {
            let etat: EtatDemarche = from_code(&r.try_get::<String, _>("etat")?)?;
            if let Some(c) = compteurs.iter_mut().find(|(e, _)| *e == etat) {
                c.1 = r.try_get("n")?;
            }
        }
        Ok(compteurs)
    }

    async fn prendre(&self, demarche_id: i64, agent_id: i64, reprise_avant: OffsetDateTime) -> DbResult<DemarcheRecord> {
        let maintenant = self.clock.now();
        let mut tx = self.pool.begin().await?;
        // L'écriture d'abord (elle prend le verrou) : la démarche change de
        // mains seulement si elle est libre, ou abandonnée par un autre agent.
        let prise = sqlx::query(
            "update demarche set agent_id = $1, agent_depuis = $2
             where demarche_id = $3 and etat = 'en_attente_cert'
             and (agent_id is null or (agent_id <> $1 and agent_depuis < $4))
             returning *",
        )
        .bind(agent_id)
        .bind(ts(maintenant))
        .bind(demarche_id)
        .bind(ts(reprise_avant))
        .fetch_optional(&mut *tx)
        .await?;
        let row = match prise {
            Some(row) => {
                let e = NewEvenement {
                    auteur: Auteur::Cert,
                    compte_id: Some(agent_id),
                    action: Action::PriseEnCharge,
                    motif: None,
                    message: None,
                    piece_id: None,
                };
                inserer_evenement(&mut tx, demarche_id, &e, maintenant).await?;
                row
            }
            // Déjà à cet agent : rien ne change.
            None => sqlx::query("select * from demarche where demarche_id = $1 and etat = 'en_attente_cert' and agent_id = $2")
                .bind(demarche_id)
                .bind(agent_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    DbError::Conflict("Cette démarche est prise en charge par un autre agent, ou n'attend plus le contrôle du CERT.".into())
                })?,
        };
        tx.commit().await?;
        demarche_from_row(&row)
    }

    async fn liberer(&self, demarche_id: i64, agent_id: i64) -> DbResult<DemarcheRecord> {
        let maintenant = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let row =
            sqlx::query("update demarche set agent_id = null, agent_depuis = null where demarche_id = $1 and agent_id = $2 returning *")
                .bind(demarche_id)
                .bind(agent_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| DbError::Conflict("Cette démarche n'est pas prise en charge par vous.".into()))?;
        let e = NewEvenement {
            auteur: Auteur::Cert,
            compte_id: Some(agent_id),
            action: Action::Liberation,
            motif: None,
            message: None,
            piece_id: None,
        };
        inserer_evenement(&mut tx, demarche_id, &e, maintenant).await?;
        tx.commit().await?;
        demarche_from_row(&row)
    }

    async fn action_agent(&self, a: &ActionAgent<'_>) -> DbResult<DemarcheRecord> {
        let maintenant = self.clock.now();
        let e = &a.ecriture;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "update demarche set etat = $1, etape = $2, donnees = $3, version = version + 1, updated_at = $4,
                agent_id = case when $5 then null else agent_id end,
                agent_depuis = case when $5 then null else agent_depuis end
             where demarche_id = $6 and etat = $7 and version = $8 and agent_id = $9
             returning *",
        )
        .bind(code_of(&e.vers))
        .bind(code_of(&e.etape))
        .bind(e.donnees.to_string())
        .bind(ts(maintenant))
        .bind(a.liberer)
        .bind(e.d.id)
        .bind(code_of(&e.d.etat))
        .bind(e.d.version)
        .bind(a.agent_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            DbError::Conflict("Cette démarche n'est plus prise en charge par vous, ou elle vient de changer : rechargez-la.".into())
        })?;
        if let Some((piece_id, statut)) = a.piece {
            let r = sqlx::query(
                "update piece_jointe set statut = $1, instruite_le = $2
                 where piece_id = $3 and demarche_id = $4 and statut = 'deposee'",
            )
            .bind(statut.code())
            .bind(ts(maintenant))
            .bind(piece_id)
            .bind(e.d.id)
            .execute(&mut *tx)
            .await?;
            if r.rows_affected() != 1 {
                return Err(DbError::Conflict("Cette pièce a déjà été contrôlée ou remplacée.".into()));
            }
        }
        for ev in &a.evenements {
            inserer_evenement(&mut tx, e.d.id, ev, maintenant).await?;
        }
        tx.commit().await?;
        demarche_from_row(&row)
    }
}
