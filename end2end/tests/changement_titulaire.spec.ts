import { Page } from "@playwright/test";
import { expect, expectAccessible, JULIEN, loginAs, MARIE, resetDemo, saisirCarte, tabTo, telecharger, test, Wizard } from "./fixtures/app";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

/** Julien déclare la cession de AB-123-CD à Marie ; rend le code de cession. */
async function julienCede(page: Page): Promise<string> {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  await w.start("cession", "AB-123-CD", { code: "AB2C-D3EF" });
  await page.getByLabel("Nom de l'acquéreur").fill("Dupont");
  await page.getByLabel("Prénoms de l'acquéreur").fill("Marie");
  await page.getByLabel("Date de naissance de l'acquéreur").fill("1985-05-02");
  await w.fillAddress({ voie: "1 place de la Gare", cp: "35000", commune: "Rennes" });
  await page.getByLabel("Date de la cession").fill("2026-01-10");
  await page.getByLabel("Heure de la cession").fill("10:15");
  await w.continue();
  await expect(page.getByTestId("adresse-verifiee")).toBeVisible();
  await w.continue();
  await w.tickClu();
  await w.validate();
  const code = (await page.getByTestId("code-cession").textContent()) ?? "";
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
  await page.context().clearCookies();
  return code;
}

/** Marie (compte certifié) démarre le changement de titulaire et va jusqu'au paiement. */
async function marieJusquAuPaiement(page: Page, code: string) {
  await loginAs(page, MARIE.email);
  const w = new Wizard(page);
  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  await expect(w.stepper).toContainText("Étape 1 sur 5");
  await expectAccessible(page);
  await expect(page.getByLabel("Code confidentiel")).toHaveCount(0);
  await page.getByLabel("Numéro d'immatriculation").fill("AB-123-CD");
  await page.getByRole("textbox", { name: /^Code de cession/ }).fill(code);
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  await expect(w.stepper).toContainText("Nouveau titulaire");
  await expect(page.getByTestId("titulaire-actuel")).toContainText("Julien PAUL");
  await page.getByLabel("Nom du nouveau titulaire").fill("Dupont");
  await page.getByLabel("Prénoms du nouveau titulaire").fill("Marie");
  await page.getByLabel("Date de naissance du nouveau titulaire").fill("1985-05-02");
  await w.fillAddress({ voie: "1 place de la Gare", cp: "35000", commune: "Rennes" });
  await expectAccessible(page);
  await w.continue();
  await expect(page.getByTestId("adresse-verifiee")).toBeVisible();
  await w.continue();
  await expect(page.getByTestId("recap-declare")).toContainText("Marie DUPONT");
  // Le « + » de l'identité montre le nouveau titulaire, pas le vendeur.
  await page.getByRole("button", { name: "Identité du titulaire" }).click();
  await expect(page.getByTestId("detail-titulaire")).toContainText("Marie DUPONT");
  await expect(page.getByTestId("detail-titulaire")).toContainText("1 PLACE DE LA GARE, 35000 RENNES");
  await expect(page.getByTestId("detail-titulaire")).not.toContainText("PAUL");
  await page.getByRole("button", { name: "Taxe à régler" }).click();
  await expect(page.getByTestId("detail-taxes")).toContainText("313,76");
  await expect(page.getByTestId("regle-y1")).toContainText("Bretagne : 60,00");
  await expectAccessible(page);
  await w.tickClu();
  await w.validate();
  await expect(w.stepper).toContainText("Paiement en ligne");
  await expectAccessible(page);
}

async function pageDeCarte(page: Page) {
  await page.getByRole("button", { name: "Payer 313,76 € par carte bancaire" }).click();
  await expect(page.getByRole("heading", { name: "Paiement par carte bancaire", level: 1 })).toBeVisible();
  await expect(page.getByText("Paiement sécurisé — environnement de test")).toBeVisible();
  await expect(page.getByTestId("montant")).toContainText("313,76");
}

test("vente puis changement de titulaire payé par carte, CPI et récapitulatif", async ({ page }) => {
  const code = await julienCede(page);
  await marieJusquAuPaiement(page, code);
  await pageDeCarte(page);
  await expectAccessible(page);
  await saisirCarte(page, "4111 1111 1111 1111");
  await expect(page.getByRole("heading", { name: "Paiement accepté", level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Cliquer ici pour enregistrer votre paiement" }).click();
  await expect(page.getByTestId("demande-terminee")).toContainText("La demande est terminée.");
  await expect(page.getByTestId("nouvelle-immatriculation")).toHaveText("AB-123-CD");
  await expectAccessible(page);
  const texte = await telecharger(page, /Certificat provisoire d'immatriculation/);
  expect(texte).toContain("Certificat provisoire d'immatriculation");
  expect(texte).toContain("AB-123-CD");
  expect(texte).toContain("Marie DUPONT");
  expect(texte).toContain("313,76");
  expect(texte).toContain("VF1RFB00012345678");
  const texteRecap = await telecharger(page, /Récapitulatif de la demande/);
  expect(texteRecap).toContain("Changement de titulaire");
  expect(texteRecap).toContain("313,76");
  // Le véhicule est dans l'espace de Marie.
  await page.goto("/espace-vehicule");
  await expect(page.locator('[data-immatriculation="AB-123-CD"]')).toBeVisible();
  // … et n'est plus dans celui de Julien.
  await page.context().clearCookies();
  await loginAs(page, JULIEN.email);
  await page.goto("/espace-vehicule");
  await expect(page.locator('[data-immatriculation="CD-456-EF"]')).toBeVisible();
  await expect(page.locator('[data-immatriculation="AB-123-CD"]')).toHaveCount(0);
});

test("l'acheteur ferme l'onglet après avoir payé : la démarche est payée à son retour", async ({ page, context }) => {
  const code = await julienCede(page);
  await marieJusquAuPaiement(page, code);
  const url = page.url().split("?")[0];
  await pageDeCarte(page);
  await saisirCarte(page, "4111111111111111");
  await expect(page.getByRole("heading", { name: "Paiement accepté", level: 1 })).toBeVisible();
  await page.close();
  const retour = await context.newPage();
  // La notification du prestataire (de serveur à serveur) a enregistré le paiement.
  await expect(async () => {
    await retour.goto(url);
    await expect(retour.getByTestId("demande-terminee")).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 20000 });
  await expect(retour.getByTestId("documents")).toContainText("Certificat provisoire d'immatriculation");
});

test("carte refusée puis carte acceptée, sans rien ressaisir", async ({ page }) => {
  const code = await julienCede(page);
  await marieJusquAuPaiement(page, code);
  await pageDeCarte(page);
  // Une erreur de saisie : au champ, la saisie reste.
  await page.getByLabel("Numéro de la carte").fill("4111 1111 1111 1112");
  await page.getByLabel("Date d'expiration").fill("12/30");
  await page.getByLabel("Cryptogramme").fill("123");
  await page.getByRole("button", { name: "Valider" }).click();
  await expect(page.getByText("Le numéro de la carte n'est pas valide.")).toBeVisible();
  await expect(page.getByLabel("Numéro de la carte")).toHaveValue("4111 1111 1111 1112");
  await expect(page.getByLabel("Numéro de la carte")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await saisirCarte(page, "4000 0000 0000 0002");
  await expect(page.getByRole("heading", { name: "Paiement refusé", level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Retourner au service pour payer avec une autre carte" }).click();
  await expect(page.getByTestId("etat-paiement")).toContainText("refusé");
  await expectAccessible(page);
  await pageDeCarte(page);
  await saisirCarte(page, "4111111111111111");
  await page.getByRole("link", { name: "Cliquer ici pour enregistrer votre paiement" }).click();
  await expect(page.getByTestId("demande-terminee")).toBeVisible();
});

test("paiement au clavier seul avec le défi 3-D Secure", async ({ page }) => {
  const code = await julienCede(page);
  await marieJusquAuPaiement(page, code);
  const payer = page.getByRole("button", { name: "Payer 313,76 € par carte bancaire" });
  await tabTo(page, payer);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Paiement par carte bancaire", level: 1 })).toBeVisible();
  await tabTo(page, page.getByLabel("Numéro de la carte"));
  await page.keyboard.type("4000 0000 0000 3220");
  await page.keyboard.press("Tab");
  await page.keyboard.type("12/30");
  await page.keyboard.press("Tab");
  await page.keyboard.type("123");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Authentification 3-D Secure", level: 1 })).toBeVisible();
  await expectAccessible(page);
  await tabTo(page, page.getByLabel("Code reçu par SMS"));
  await page.keyboard.type("123456");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Paiement accepté", level: 1 })).toBeVisible();
  await tabTo(page, page.getByRole("link", { name: "Cliquer ici pour enregistrer votre paiement" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("demande-terminee")).toBeVisible();
});

test("un compte classique est informé qu'il lui faut un compte certifié", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  await expect(page.getByRole("heading", { name: "Changement de titulaire", level: 1 })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("compte ANTS certifié");
  await expect(page.getByRole("button", { name: "Démarrer la procédure" })).toBeDisabled();
  await expectAccessible(page);
});
