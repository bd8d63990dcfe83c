// Fournisseur d'identité OpenID Connect local qui imite l'environnement
// d'intégration de FranceConnect, pour le développement et les tests
// uniquement (aucune donnée réelle).
//
// Tout le protocole (découverte, autorisation, jeton, userinfo, JWKS,
// déconnexion) est fait par la bibliothèque certifiée `oidc-provider`
// (panva) ; ce fichier ne fait que la configurer et fournir les pages
// d'interaction (choix d'une identité fictive) et de déconnexion.
//
// Où sont les claims : comme FranceConnect, les claims d'identité (given_name,
// family_name, birthdate, …) sont servis par l'endpoint userinfo ; le jeton
// d'identité ne porte que les claims du protocole (iss, sub, aud, exp, iat,
// nonce, acr, at_hash, sid) — option `conformIdTokenClaims` de la
// bibliothèque, laissée à `true`. `amr` (['pwd']) et `auth_time` sont
// enregistrés dans la session mais, le paramètre `claims` n'étant pas pris en
// charge, la bibliothèque ne les met pas dans le jeton d'identité (auth_time
// y figure si le service envoie max_age).

import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

// ---------------------------------------------------------------------------
// Configuration par variables d'environnement.

const env = process.env;

function liste(valeur, parDefaut) {
  return (valeur ?? parDefaut).split(',').map((s) => s.trim()).filter(Boolean);
}

const PORT = Number.parseInt(env.FC_LOCAL_PORT || '4010', 10);
if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) {
  console.error(`franceconnect-local : FC_LOCAL_PORT invalide (${env.FC_LOCAL_PORT})`);
  process.exit(2);
}
const HOTE = '127.0.0.1';
const EMETTEUR = env.FC_LOCAL_ISSUER || `http://${HOTE}:${PORT}`;
const CLIENT_ID = env.FC_LOCAL_CLIENT_ID || 'immat-demo';
const CLIENT_SECRET = env.FC_LOCAL_CLIENT_SECRET || 'immat-demo-secret-0123456789abcdef';
const REDIRECT_URIS = liste(
  env.FC_LOCAL_REDIRECT_URIS,
  'http://127.0.0.1:8080/api/v1/auth/franceconnect/retour,http://127.0.0.1:8090/api/v1/auth/franceconnect/retour',
);
const POST_LOGOUT_URIS = liste(
  env.FC_LOCAL_POST_LOGOUT_URIS,
  'http://127.0.0.1:8080/connexion,http://127.0.0.1:8090/connexion',
);
// Clés de signature des cookies (Keygrip) ; la valeur par défaut n'est
// destinée qu'au développement.
const CLES_COOKIES = liste(env.FC_LOCAL_COOKIE_KEYS, 'franceconnect-local-cle-de-developpement-non-secrete');
const FICHIER_IDENTITES = env.FC_LOCAL_IDENTITES || new URL('./identites.json', import.meta.url);

// Les portées de FranceConnect : chacune donne le claim du même nom.
const PORTEES_IDENTITE = [
  'given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry',
  'email', 'preferred_username', 'address',
];
const NIVEAUX_EIDAS = ['eidas1', 'eidas2', 'eidas3'];
// Niveau obtenu par toute connexion à ce fournisseur de test.
const NIVEAU_OBTENU = 'eidas1';

// ---------------------------------------------------------------------------
// Identités fictives.

const identites = new Map();
for (const identite of JSON.parse(readFileSync(FICHIER_IDENTITES, 'utf8'))) {
  if (typeof identite.cle !== 'string' || !identite.cle || identites.has(identite.cle)) {
    throw new Error(`identites.json : clé absente ou en double (${identite.cle})`);
  }
  for (const claim of PORTEES_IDENTITE) {
    if (!(claim in identite.claims)) {
      throw new Error(`identites.json : « ${identite.cle} » n'a pas le claim ${claim}`);
    }
  }
  identites.set(identite.cle, identite);
}

function pseudonyme(cle, clientId) {
  return createHash('sha256').update(`${cle}\n${clientId}`).digest('hex');
}

// ---------------------------------------------------------------------------
// Clé de signature des jetons d'identité : RSA 2048, nouvelle à chaque
// démarrage (les fournisseurs de service la relisent par le JWKS).

const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
jwk.kid = createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
jwk.use = 'sig';
jwk.alg = 'RS256';

// ---------------------------------------------------------------------------
// Pages HTML.

function echapper(texte) {
  return String(texte)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

const STYLE = `
  body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 0; padding: 1.5rem; color: #161616; background: #f6f6f6; }
  main { max-width: 42rem; margin: 0 auto; background: #fff; padding: 1.5rem 2rem; border: 1px solid #ddd; }
  h1 { font-size: 1.6rem; margin-top: 0; }
  .avertissement { background: #fff4e5; border-left: 4px solid #b34000; padding: .75rem 1rem; }
  ul { list-style: none; padding: 0; }
  li { margin: 0 0 1rem; }
  li p { margin: .25rem 0 0; color: #3a3a3a; font-size: .9rem; }
  button { font: inherit; padding: .5rem 1rem; border: 2px solid #000091; background: #000091; color: #fff; cursor: pointer; }
  button.secondaire { background: #fff; color: #000091; }
  button:focus-visible { outline: 3px solid #0a76f6; outline-offset: 2px; }
`;

function page(titre, contenu) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${echapper(titre)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${contenu}
</main>
</body>
</html>
`;
}

function nomAffiche(identite) {
  return `${identite.claims.given_name} ${identite.claims.family_name}`;
}

function pageConnexion(uid, params) {
  const action = (suite) => `/interaction/${encodeURIComponent(uid)}/${suite}`;
  const choix = [...identites.values()].map((identite) => {
    const idDescription = `description-${identite.cle}`;
    return `<li>
<form method="post" action="${action('login')}">
<input type="hidden" name="identite" value="${echapper(identite.cle)}">
<button type="submit" aria-describedby="${echapper(idDescription)}">Se connecter en tant que ${echapper(nomAffiche(identite))}</button>
</form>
<p id="${echapper(idDescription)}">${echapper(identite.description || '')}</p>
</li>`;
  }).join('\n');
  return page("Fournisseur d'identité de test", `<h1>Fournisseur d'identité de test</h1>
<p class="avertissement" role="note"><strong>Ceci est un fournisseur d'identité de démonstration qui imite FranceConnect : aucune donnée réelle.</strong></p>
<p>Le service « ${echapper(params.client_id)} » demande à vous identifier. Choisissez une identité fictive :</p>
<ul>
${choix}
</ul>
<form method="post" action="${action('abort')}">
<button type="submit" class="secondaire">Annuler</button>
</form>`);
}

function pageErreur(titre, message) {
  return page(`${titre} — fournisseur d'identité de test`, `<h1>Fournisseur d'identité de test — ${echapper(titre)}</h1>
<p>${echapper(message)}</p>`);
}

function envoyerHtml(res, statut, html) {
  res.statusCode = statut;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}

// ---------------------------------------------------------------------------
// Le fournisseur OpenID Connect.

const claims = {
  openid: ['sub'],
  acr: null,
  auth_time: null,
  iss: null,
  sid: null,
};
for (const portee of PORTEES_IDENTITE) {
  claims[portee] = [portee];
}

const provider = new Provider(EMETTEUR, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    client_name: CLIENT_ID,
    application_type: 'web',
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_URIS,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    // Sans acr_values, eidas1 est demandé : le jeton d'identité porte
    // toujours `acr`, comme chez FranceConnect.
    default_acr_values: [NIVEAU_OBTENU],
  }],
  jwks: { keys: [jwk] },
  enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
  responseTypes: ['code'],
  clientAuthMethods: ['client_secret_post'],
  pkce: { methods: ['S256'], required: () => true },
  acrValues: NIVEAUX_EIDAS,
  scopes: ['openid'],
  claims,
  // Claims d'identité : userinfo seulement (voir l'en-tête du fichier).
  conformIdTokenClaims: true,
  // `sub` : un pseudonyme opaque et stable, propre à chaque fournisseur de
  // service, comme celui de FranceConnect : sha256(identité, client_id), en
  // hexadécimal. Le type de sujet reste `public` (comme la découverte de
  // FranceConnect) : le type `pairwise` de la bibliothèque exigerait un
  // sector_identifier_uri, les adresses de retour n'ayant pas le même hôte
  // (ports 8080 et 8090). La session garde la clé de l'identité (accountId).
  subjectTypes: ['public'],
  async findAccount(ctx, id) {
    const identite = identites.get(id);
    if (!identite) return undefined;
    return {
      accountId: id,
      async claims() {
        const clientId = ctx.oidc.client?.clientId;
        if (!clientId) throw new Error('client inconnu : impossible de calculer le sub');
        return { sub: pseudonyme(id, clientId), ...identite.claims };
      },
    };
  },
  interactions: {
    url(ctx, interaction) {
      return `/interaction/${interaction.uid}`;
    },
  },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: false },
    // Comme FranceConnect : ni PAR, ni objets de requête.
    pushedAuthorizationRequests: { enabled: false },
    requestObjects: { request: false, requestUri: false },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        // `form` est le formulaire de la bibliothèque (id="op.logoutForm",
        // jeton xsrf) ; le bouton le soumet avec logout=yes.
        ctx.type = 'html';
        ctx.set('Cache-Control', 'no-store');
        ctx.body = page("Déconnexion — fournisseur d'identité de test", `<h1>Fournisseur d'identité de test — déconnexion</h1>
<p>Vous allez être déconnecté du fournisseur d'identité de démonstration.</p>
${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Se déconnecter</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.set('Cache-Control', 'no-store');
        ctx.body = page("Déconnexion — fournisseur d'identité de test", `<h1>Fournisseur d'identité de test — déconnexion</h1>
<p>Vous êtes déconnecté.</p>`);
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page("Erreur — fournisseur d'identité de test", `<h1>Fournisseur d'identité de test — erreur</h1>
<p><strong>${echapper(out.error)}</strong></p>
${out.error_description ? `<p>${echapper(out.error_description)}</p>` : ''}`);
  },
  // Pas de CORS : les fournisseurs de service appellent depuis leur serveur.
  clientBasedCORS: () => false,
  // HTTP en clair sur la boucle locale : cookies non `secure` (valeur par
  // défaut) et SameSite=Lax, qu'un navigateur garde sans HTTPS (SameSite=None
  // exigerait `Secure`).
  cookies: {
    keys: CLES_COOKIES,
    long: { signed: true, httpOnly: true, sameSite: 'lax' },
    short: { signed: true, httpOnly: true, sameSite: 'lax' },
  },
  ttl: {
    AuthorizationCode: 60,
    AccessToken: 60 * 10,
    IdToken: 60 * 10,
    Interaction: 60 * 30,
    Session: 60 * 60,
    Grant: 60 * 60,
  },
});
// Pas de mandataire inverse : l'adresse vue est celle de la requête.
provider.proxy = false;

for (const evenement of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'end_session.error']) {
  provider.on(evenement, (...args) => {
    const err = args.find((a) => a instanceof Error);
    const detail = err ? `${err.name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}` : '';
    console.error(`franceconnect-local ${evenement} ${detail}`);
    if (evenement === 'server_error' && err) console.error(err.stack);
  });
}

// ---------------------------------------------------------------------------
// Interactions : choix d'une identité fictive, consentement implicite.

async function lireFormulaire(req) {
  let taille = 0;
  const morceaux = [];
  for await (const morceau of req) {
    taille += morceau.length;
    if (taille > 16 * 1024) throw new Error('formulaire trop grand');
    morceaux.push(morceau);
  }
  return new URLSearchParams(Buffer.concat(morceaux).toString('utf8'));
}

// Accorde au client les portées demandées (consentement implicite : pas
// d'écran de consentement, comme FranceConnect pour les données pivot).
async function accorder(accountId, params, details = {}) {
  const grant = new provider.Grant({ accountId, clientId: params.client_id });
  const demandees = String(params.scope || '').split(' ').filter(Boolean);
  grant.addOIDCScope([...new Set([...demandees, ...(details.missingOIDCScope || [])])].join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  if (details.missingResourceScopes) {
    for (const [indicateur, portees] of Object.entries(details.missingResourceScopes)) {
      grant.addResourceScope(indicateur, portees.join(' '));
    }
  }
  return grant.save();
}

async function interaction(req, res, chemin) {
  const m = chemin.match(/^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/);
  if (!m) {
    envoyerHtml(res, 404, pageErreur('page introuvable', "Cette page n'existe pas."));
    return;
  }
  const [, uid, action] = m;
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction inconnue');
    const { prompt, params, session } = details;

    if (!action) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        envoyerHtml(res, 405, pageErreur('méthode refusée', 'Méthode non autorisée.'));
        return;
      }
      if (prompt.name === 'login') {
        envoyerHtml(res, 200, pageConnexion(uid, params));
        return;
      }
      if (prompt.name === 'consent' && session?.accountId) {
        // Session déjà ouverte chez ce fournisseur : consentement implicite.
        const grantId = await accorder(session.accountId, params, prompt.details);
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return;
      }
      envoyerHtml(res, 400, pageErreur('interaction non prise en charge', `Étape « ${prompt.name} » non prise en charge.`));
      return;
    }

    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      envoyerHtml(res, 405, pageErreur('méthode refusée', 'Méthode non autorisée.'));
      return;
    }
    const formulaire = await lireFormulaire(req);

    if (action === 'abort') {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: "L'usager a annulé la connexion.",
      }, { mergeWithLastSubmission: false });
      return;
    }

    // action === 'login'
    if (prompt.name !== 'login') {
      envoyerHtml(res, 400, pageErreur('interaction inattendue', `Étape « ${prompt.name} » en cours, pas de connexion attendue.`));
      return;
    }
    const cle = formulaire.get('identite') || '';
    if (!identites.has(cle)) {
      envoyerHtml(res, 400, pageErreur('identité inconnue', `Identité fictive inconnue : « ${cle} ».`));
      return;
    }
    const grantId = await accorder(cle, params);
    await provider.interactionFinished(req, res, {
      login: { accountId: cle, acr: NIVEAU_OBTENU, amr: ['pwd'], remember: false },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  } catch (err) {
    if (err instanceof errors.SessionNotFound) {
      envoyerHtml(res, 400, pageErreur(
        'session expirée',
        "Session d'interaction introuvable ou expirée : recommencez la connexion depuis le service.",
      ));
      return;
    }
    console.error('franceconnect-local : erreur dans l\'interaction', err);
    if (!res.headersSent) envoyerHtml(res, 500, pageErreur('erreur interne', 'Erreur interne du fournisseur de test.'));
    else res.end();
  }
}

// ---------------------------------------------------------------------------
// Serveur HTTP : /interaction/* ici, tout le reste à oidc-provider.

const oidc = provider.callback();
const server = createServer((req, res) => {
  const chemin = new URL(req.url, 'http://localhost').pathname;
  if (chemin === '/interaction' || chemin.startsWith('/interaction/')) {
    interaction(req, res, chemin);
  } else {
    oidc(req, res);
  }
});

server.on('error', (err) => {
  console.error(`franceconnect-local : impossible d'écouter sur ${HOTE}:${PORT} : ${err.message}`);
  process.exit(1);
});

server.listen(PORT, HOTE, () => {
  console.log(`franceconnect-local prêt sur http://${HOTE}:${PORT}`);
});

let arret = false;
function arreter(signal) {
  if (arret) return;
  arret = true;
  console.error(`franceconnect-local : ${signal} reçu, arrêt`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 2000).unref();
}
process.on('SIGTERM', () => arreter('SIGTERM'));
process.on('SIGINT', () => arreter('SIGINT'));
