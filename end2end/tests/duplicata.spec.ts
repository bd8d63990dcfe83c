import { expect, expectAccessible, JULIEN, loginAs, resetDemo, telecharger, test, Wizard } from "./fixtures/app";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

test("duplicata pour perte : CLU obligatoires, paiement, CPI et récapitulatif", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  await w.start("duplicata", "AB-123-CD", { code: "AB2C-D3EF" });
  await expect(w.stepper).toContainText("Motif de la demande");
  await expect(page.getByTestId("titulaire-actuel")).toContainText("Julien PAUL");
  await expectAccessible(page);
  // Le DSFR dessine le bouton radio sur le libellé : on clique le libellé.
  await page.locator("label", { hasText: "Perte du certificat d'immatriculation" }).click();
  await page.locator("label", { hasText: "Le titulaire du certificat" }).click();
  await expect(page.getByLabel("Perte du certificat d'immatriculation")).toBeChecked();
  await w.continue();
  await expect(w.stepper).toContainText("Récapitulatif");
  await expect(page.getByTestId("recap-declare")).toContainText("Motif : Perte du certificat d'immatriculation");
  // « Il est indispensable de cocher… » : Valider sans les CLU est refusé au champ.
  await w.validate();
  await expect(page.getByText("Il est indispensable de cocher les conditions légales d'utilisation")).toBeVisible();
  await expectAccessible(page);
  await w.tickClu();
  await w.validate();
  await w.payerParCarte("13,76 €");
  await expect(page.getByTestId("nouvelle-immatriculation")).toHaveText("AB-123-CD");
  await expectAccessible(page);
  const texte = await telecharger(page, /Certificat provisoire d'immatriculation/);
  expect(texte).toContain("Certificat provisoire d'immatriculation");
  expect(texte).toContain("AB-123-CD");
  expect(texte).toContain("Julien PAUL");
  expect(texte).toContain("13,76");
  const texteRecap = await telecharger(page, /Récapitulatif de la demande/);
  expect(texteRecap).toContain("Demande de duplicata");
  expect(texteRecap).toContain("Perte du certificat d'immatriculation");
});

test("duplicata : rien n'est choisi d'avance, l'erreur est au champ et reçoit le focus", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  await w.start("duplicata", "AB-123-CD", { code: "AB2C-D3EF" });
  await expect(w.stepper).toContainText("Motif de la demande");
  await expect(page.getByLabel("Perte du certificat d'immatriculation")).not.toBeChecked();
  await expect(page.getByLabel("Le titulaire du certificat")).not.toBeChecked();
  await w.continue();
  await expect(page.getByText("Choisissez le motif de la demande.")).toBeVisible();
  await expect(page.getByText("Choisissez la personne concernée par la demande.")).toBeVisible();
  // Le focus va au premier champ en erreur, annoncé comme invalide.
  await expect(page.getByLabel("Perte du certificat d'immatriculation")).toBeFocused();
  await expect(page.getByLabel("Perte du certificat d'immatriculation")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  // « Pour moi-même » : un mandataire n'est pas la personne concernée.
  await page.locator("label", { hasText: "Vol du certificat d'immatriculation" }).click();
  await page.locator("label", { hasText: "Un mandataire du titulaire" }).click();
  await w.continue();
  await expect(page.getByText("Vous faites cette demande pour vous-même")).toBeVisible();
  await expect(page.getByLabel("Le titulaire du certificat")).toBeFocused();
  await expect(page.getByLabel("Vol du certificat d'immatriculation")).toBeChecked();
  await expect(page.getByLabel("Un mandataire du titulaire (mandat cerfa 13757)")).toBeChecked();
});
