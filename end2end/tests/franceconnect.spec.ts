import { Page } from "@playwright/test";
import { DEMO_PASSWORD, expect, expectAccessible, Header, JULIEN, loginAs, resetDemo, test } from "./fixtures/app";

// Le fournisseur d'identité est le paquet npm `oidc-provider` (certifié
// OpenID), configuré comme l'environnement d'intégration de FranceConnect
// (tools/franceconnect-local) ; ses pages ne sont pas celles d'Immat (pas
// d'axe sur elles).

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

/** Sur la page du fournisseur : choisit l'identité fictive. */
async function choisirIdentite(page: Page, nom: RegExp) {
  await expect(page.getByRole("heading", { name: "Fournisseur d'identité de test", level: 1 })).toBeVisible();
  await expect(page.getByText(/aucune donnée réelle/)).toBeVisible();
  await page.getByRole("button", { name: nom }).click();
}

test("FranceConnect : la première connexion crée un compte certifié, qui démarre un changement de titulaire ; la déconnexion passe par le fournisseur", async ({
  page,
}) => {
  await page.goto("/connexion");
  await expect(page.getByRole("heading", { name: "Connexion à Mon Espace", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: /Qu’est-ce que FranceConnect/ })).toHaveAttribute("href", "https://franceconnect.gouv.fr/");
  const bouton = page.getByRole("button", { name: /S’identifier avec FranceConnect/ });
  await expect(bouton).toBeEnabled();
  await expectAccessible(page);
  await bouton.click();
  // Noms composés, accents, apostrophe (le nom de naissance : FranceConnect
  // v2 ne transmet plus le nom d'usage).
  await choisirIdentite(page, /Se connecter en tant que Jean-Philippe Éloi/);
  await expect(page).toHaveURL(/\/mon-espace$/);
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible();
  await expect(await new Header(page).userName()).toContainText("Jean-Philippe Éloi DE LA TOUR D'AUVERGNE");

  await page.goto("/mon-compte");
  await expect(page.getByRole("heading", { name: "Mon compte", level: 1 })).toBeVisible();
  const identite = page.getByTestId("identite");
  await expect(identite).toContainText("Compte ANTS certifié");
  await expect(identite).toContainText("jp.delatour@fc-test.example");
  // Déjà certifié : rien à certifier.
  await expect(page.getByTestId("certification-form")).toHaveCount(0);
  await expectAccessible(page);

  // Le changement de titulaire, réservé aux comptes certifiés, s'ouvre.
  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  await expect(page.getByLabel("Numéro d'immatriculation")).toBeVisible();
  await expect(page.getByTestId("certification-requise")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Démarrer la procédure" })).toBeEnabled();

  // Se déconnecter : le fournisseur ferme aussi sa session, puis renvoie
  // sur la page de connexion.
  await new Header(page).openMenuIfCollapsed();
  await page.getByRole("button", { name: "Se déconnecter" }).locator("visible=true").first().click();
  await expect(page.getByRole("heading", { name: /Fournisseur d'identité de test — déconnexion/ })).toBeVisible();
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page).toHaveURL(/\/connexion/);
  await expect(page.getByRole("heading", { name: "Connexion à Mon Espace", level: 1 })).toBeVisible();
  const me = await page.request.get("/api/v1/auth/me");
  expect(me.status()).toBe(401);

  // La seconde connexion retrouve le même compte (même `sub`).
  await page.getByRole("button", { name: /S’identifier avec FranceConnect/ }).click();
  await choisirIdentite(page, /Se connecter en tant que Jean-Philippe Éloi/);
  await expect(page).toHaveURL(/\/mon-espace$/);
  const moi = await (await page.request.get("/api/v1/auth/me")).json();
  expect(moi.type_compte).toBe("certifie");
  expect(moi.email).toBe("jp.delatour@fc-test.example");
});

test("FranceConnect : née à l'étranger, puis une annulation chez le fournisseur dit pourquoi, sans session", async ({ page }) => {
  await page.goto("/inscription");
  await expect(page.getByRole("heading", { name: "Créer un compte", level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: /S’identifier avec FranceConnect/ }).click();
  await choisirIdentite(page, /Se connecter en tant que Lucía GARCÍA PÉREZ/);
  await expect(page).toHaveURL(/\/mon-espace$/);
  const moi = await (await page.request.get("/api/v1/auth/me")).json();
  expect(moi.prenom).toBe("Lucía");
  expect(moi.nom).toBe("GARCÍA PÉREZ");
  expect(moi.type_compte).toBe("certifie");
  await page.context().clearCookies();

  await page.goto("/connexion");
  await page.getByRole("button", { name: /S’identifier avec FranceConnect/ }).click();
  await expect(page.getByRole("heading", { name: "Fournisseur d'identité de test", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Annuler" }).click();
  await expect(page).toHaveURL(/\/connexion\?franceconnect=annule$/);
  await expect(page.getByTestId("franceconnect-echec")).toContainText("Vous avez annulé la connexion avec FranceConnect");
  await expectAccessible(page);
  expect((await page.request.get("/api/v1/auth/me")).status()).toBe(401);
});

test("Un compte classique se certifie avec FranceConnect après son mot de passe, au clavier, depuis « Continuer avec FranceConnect »", async ({
  page,
}) => {
  await loginAs(page, JULIEN.email);
  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  const alerte = page.getByTestId("certification-requise");
  await expect(alerte).toContainText("nécessite un compte ANTS certifié");
  await expectAccessible(page);
  await alerte.getByRole("link", { name: "Continuer avec FranceConnect" }).click();
  await expect(page.getByRole("heading", { name: "Mon compte", level: 1 })).toBeVisible();
  const form = page.getByTestId("certification-form");
  await expect(form.getByRole("heading", { name: "Certifier mon compte avec FranceConnect" })).toBeVisible();
  // Le mot de passe attend, le focus dessus.
  await expect(form.getByLabel(/Mot de passe/)).toBeFocused();
  await expectAccessible(page);

  // Un mauvais mot de passe : l'erreur au champ, rien ne part.
  const mdp = form.getByLabel(/Mot de passe/);
  await mdp.fill("pas-le-bon");
  await form.getByRole("button", { name: "Continuer avec FranceConnect" }).click();
  await expect(mdp).toHaveAttribute("aria-invalid", "true");
  await expect(form).toContainText("Le mot de passe est incorrect.");

  // Au clavier : le mot de passe, puis Tab jusqu'au bouton et Entrée.
  await mdp.fill(DEMO_PASSWORD);
  await mdp.press("Tab");
  await expect(form.getByRole("button", { name: "Continuer avec FranceConnect" })).toBeFocused();
  await page.keyboard.press("Enter");
  await choisirIdentite(page, /Se connecter en tant que Éloïse LEFÈVRE-ÇAVAILLÈS/);
  await expect(page).toHaveURL(/\/mon-compte\?franceconnect=certifie$/);
  await expect(page.getByTestId("certification-reussie")).toBeVisible();
  const identite = page.getByTestId("identite");
  await expect(identite).toContainText("Compte ANTS certifié");
  // L'adresse du compte reste ; l'identité devient celle de FranceConnect.
  await expect(identite).toContainText(JULIEN.email);
  await expect(identite).toContainText("Éloïse LEFÈVRE-ÇAVAILLÈS");
  await expect(page.getByTestId("certification-form")).toHaveCount(0);
  await expectAccessible(page);

  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  await expect(page.getByLabel("Numéro d'immatriculation")).toBeVisible();
  await expect(page.getByTestId("certification-requise")).toHaveCount(0);
});
