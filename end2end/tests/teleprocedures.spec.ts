import { expect, expectAccessible, JULIEN, loginAs, MARIE, pdfText, resetDemo, tabTo, telecharger, test, Wizard } from "./fixtures/app";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

test("changement d'adresse complet, correction proposée acceptée, récapitulatif PDF", async ({ page }) => {
  await loginAs(page, MARIE.email);
  const w = new Wizard(page);
  await page.goto("/espace-vehicule/demarche/changement-adresse");
  await expectAccessible(page);
  // Compte certifié, pour moi-même : pas de code confidentiel demandé (vérifié
  // une fois le formulaire rendu).
  await expect(page.getByLabel("Numéro d'immatriculation")).toBeVisible();
  await expect(page.getByLabel("Code confidentiel")).toHaveCount(0);
  await w.start("changement-adresse", "ef-789-gh");
  await expect(w.stepper).toContainText("Étape 2 sur 4");
  await expect(page.getByTestId("titulaire-actuel")).toContainText("Marie Anne DUPONT");
  await expect(page.getByTestId("titulaire-actuel")).toContainText("3 AVENUE DES TILLEULS, 35000 RENNES");
  await expectAccessible(page);
  await w.fillAddress({ voie: "5, place de l'Église", cp: "13001", commune: "Marseile" });
  await w.continue();
  await expect(w.stepper).toContainText("Étape 3 sur 4");
  await expect(page.getByTestId("proposition")).toContainText("Vouliez-vous dire : 13001 MARSEILLE ?");
  await expectAccessible(page);
  await page.getByLabel("Oui, utiliser 13001 MARSEILLE").check();
  await w.continue();
  await expect(w.stepper).toContainText("Étape 4 sur 4");
  await expect(page.getByTestId("recap-declare")).toContainText("5 PLACE DE L EGLISE");
  await expect(page.getByTestId("recap-declare")).toContainText("13001 MARSEILLE");
  // Le détail s'ouvre avec « + ».
  await expect(page.getByTestId("detail-titulaire")).toBeHidden();
  await page.getByRole("button", { name: "Identité du titulaire" }).click();
  await expect(page.getByTestId("detail-titulaire")).toBeVisible();
  await page.getByRole("button", { name: "Taxe à régler" }).click();
  await expect(page.getByTestId("detail-taxes")).toContainText("Y6 — Montant total");
  await expect(page.getByTestId("detail-taxes")).toContainText("0,00");
  await expectAccessible(page);
  await w.tickClu();
  await w.validate();
  await expect(page.getByTestId("demande-terminee")).toContainText("La demande est terminée.");
  await expectAccessible(page);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: /Récapitulatif de la demande/ }).click();
  const file = await (await download).path();
  const text = pdfText(file);
  expect(text).toContain("Récapitulatif de la demande");
  expect(text).toContain("Changement d'adresse");
  expect(text).toContain("EF-789-GH");
  expect(text).toContain("13001 MARSEILLE");
  // Le registre porte la nouvelle adresse.
  await page.goto("/espace-vehicule");
  await expect(page.locator('[data-immatriculation="EF-789-GH"]')).toContainText("5 PLACE DE L EGLISE, 13001 MARSEILLE");
  await expect(page.locator('[data-immatriculation="EF-789-GH"]').getByTestId("changements-adresse")).toContainText("1 sur 3");
  // Les documents restent téléchargeables depuis la démarche terminée.
  await page.getByTestId("demarches-terminees").getByRole("link", { name: "Voir la demande et ses documents" }).click();
  await expect(page.getByTestId("demande-terminee")).toBeVisible();
  await expect(page.getByTestId("documents")).toContainText("Récapitulatif de la demande");
});

test("changement d'adresse, proposition refusée : l'adresse saisie est conservée", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  // Compte classique : le code confidentiel est demandé.
  await w.start("changement-adresse", "AB-123-CD", { code: "ab2c d3ef" });
  await w.fillAddress({ voie: "8 place Bellecour", cp: "69002", commune: "Lyon Presquile" });
  await w.continue();
  await expect(page.getByTestId("proposition")).toContainText("Vouliez-vous dire : 69002 LYON ?");
  await page.locator("label", { hasText: "Non, conserver l'adresse saisie" }).click();
  await expect(page.getByLabel("Non, conserver l'adresse saisie")).toBeChecked();
  await w.continue();
  await expect(page.getByTestId("recap-declare")).toContainText("69002 LYON PRESQUILE");
  await w.tickClu();
  await w.validate();
  await expect(page.getByTestId("demande-terminee")).toBeVisible();
});

test("déclaration de cession : code de cession et certificat de situation administrative", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  await w.start("cession", "CD-456-EF", { code: "GH4J-K5LM" });
  await expect(w.stepper).toContainText("Nouvel acquéreur");
  await expect(page.getByTestId("avertissement")).toContainText("gage");
  await page.getByLabel("Nom de l'acquéreur").fill("Martin");
  await page.getByLabel("Prénoms de l'acquéreur").fill("Léa");
  await page.getByLabel("Date de naissance de l'acquéreur").fill("1990-07-14");
  await w.fillAddress({ voie: "4 rue Nationale", cp: "59000", commune: "Lille" });
  await page.getByLabel("Date de la cession").fill("2026-01-10");
  await page.getByLabel("Heure de la cession").fill("10:15");
  await expectAccessible(page);
  await w.continue();
  await expect(page.getByTestId("adresse-verifiee")).toBeVisible();
  await w.continue();
  await expect(page.getByTestId("recap-declare")).toContainText("Léa MARTIN");
  await w.tickClu();
  await w.validate();
  await expect(page.getByTestId("demande-terminee")).toBeVisible();
  const code = (await page.getByTestId("code-cession").textContent()) ?? "";
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
  await expectAccessible(page);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: /Certificat de situation administrative/ }).click();
  const text = pdfText(await (await download).path());
  expect(text).toContain("Certificat de situation administrative");
  expect(text).toContain("CD-456-EF");
  expect(text).toMatch(/Gage\s*:\s*OUI \(créancier : DIAC SA\)/);
  // Le véhicule est « cédé » : une seconde cession est refusée avec la raison.
  await page.goto("/espace-vehicule");
  await expect(page.locator('[data-immatriculation="CD-456-EF"]')).toContainText("Cédé");
  await w.start("cession", "CD-456-EF", { code: "GH4J-K5LM" });
  await expect(page.locator("#immatriculation-desc-error")).toContainText("déjà été enregistrée");
});

test("code confidentiel erroné cinq fois : blocage annoncé", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  await w.start("changement-adresse", "AB-123-CD", { code: "ZZZZ-ZZZZ" });
  await expect(page.locator("#code_confidentiel-desc-error")).toContainText("Il vous reste 4 essais");
  for (const reste of ["3 essais", "2 essais", "1 essai"]) {
    await page.getByRole("button", { name: "Démarrer la procédure" }).click();
    await expect(page.locator("#code_confidentiel-desc-error")).toContainText(`Il vous reste ${reste}`);
  }
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  await expect(page.getByTestId("error-alert")).toContainText("bloquées pendant encore 15 minutes");
  await expect(page.getByLabel("Code confidentiel")).toHaveValue("ZZZZ-ZZZZ");
});

test("erreurs de saisie au champ, rien n'est perdu ; CLU obligatoires", async ({ page }) => {
  await loginAs(page, MARIE.email);
  const w = new Wizard(page);
  await w.start("changement-adresse", "EF-789-GH");
  await w.fillAddress({ voie: "12 rue des Lilas", cp: "1300", commune: "Marseille" });
  await w.continue();
  await expect(page.locator("#adresse-code-postal-desc-error")).toHaveText("Le code postal compte 5 chiffres, par exemple 75001.");
  await expect(page.getByLabel("Code postal")).toBeFocused();
  await expect(page.getByLabel("Numéro et libellé de la voie")).toHaveValue("12 rue des Lilas");
  await expectAccessible(page);
  await page.getByLabel("Code postal").fill("75999");
  await w.continue();
  await expect(page.locator("#adresse-code-postal-desc-error")).toContainText("ne correspond à aucune commune");
  await page.getByLabel("Code postal").fill("13001");
  await w.continue();
  await expect(w.stepper).toContainText("Étape 3 sur 4");
  await w.continue();
  await expect(w.stepper).toContainText("Étape 4 sur 4");
  await w.validate();
  await expect(page.locator("#clu-desc-error")).toContainText("Il est indispensable de cocher");
  await expectAccessible(page);
});

test("un rechargement au milieu de l'assistant le reprend", async ({ page }) => {
  await loginAs(page, MARIE.email);
  const w = new Wizard(page);
  await w.start("changement-adresse", "EF-789-GH");
  await w.fillAddress({ voie: "1 rue de la Paix", cp: "75002", commune: "Paris" });
  await w.continue();
  await expect(w.stepper).toContainText("Étape 3 sur 4");
  await page.reload();
  await expect(w.stepper).toContainText("Étape 3 sur 4");
  await expect(page.getByTestId("adresse-verifiee")).toContainText("PARIS");
  // Revenir à l'étape précédente retrouve la saisie.
  await page.getByRole("button", { name: "Étape précédente" }).click();
  await expect(page.getByLabel("Numéro et libellé de la voie")).toHaveValue("1 rue de la Paix");
  // La démarche est dans l'espace véhicule : « Reprendre la demande en cours ».
  await page.goto("/espace-vehicule");
  await page.locator('[data-immatriculation="EF-789-GH"]').getByRole("link", { name: "Reprendre la demande en cours" }).click();
  await expect(w.stepper).toContainText("Étape 3 sur 4");
});

test("véhicule volé : refus avec sa raison", async ({ page }) => {
  await loginAs(page, MARIE.email);
  const w = new Wizard(page);
  await w.start("changement-adresse", "JK-567-LM");
  await expect(page.locator("#immatriculation-desc-error")).toContainText("déclaré volé");
  await expect(page.getByLabel("Numéro d'immatriculation")).toHaveValue("JK-567-LM");
  await expectAccessible(page);
});

test("Je n'ai pas de code confidentiel : envoi lisible par l'agent du CERT", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  await page.goto("/espace-vehicule/demarche/changement-adresse");
  await page.getByLabel("Numéro d'immatriculation").fill("AB-123-CD");
  await page.getByRole("button", { name: "Je n'ai pas de code confidentiel" }).click();
  await expect(page.getByTestId("code-envoye")).toContainText(
    "par courrier à l'adresse du titulaire inscrite sur le certificat (69002 LYON) et par e-mail à julien.paul@demo.immat.fr",
  );
  await page.context().clearCookies();
  await loginAs(page, "agent.cert@demo.immat.fr");
  await page.getByRole("link", { name: "Boîte d'envoi (e-mails et courriers émis)" }).click();
  const courrier = page.locator('[data-canal="courrier"]');
  await expect(courrier.getByTestId("destinataire")).toHaveText("JULIEN PAUL\n12 RUE DE LA REPUBLIQUE\n69002 LYON");
  // L'agent ne voit jamais le code en clair.
  await expect(courrier.getByTestId("corps")).toContainText("AB-123-CD : ••••-••");
  await expectAccessible(page);
  // Le courrier est une vraie lettre PDF : l'adresse AFNOR dans la fenêtre,
  // la date, la référence ; la copie d'archive garde le code masqué.
  const lettre = await telecharger(page, /Télécharger le courrier n° \d+ \(PDF, copie d'archive\)/);
  expect(lettre).toContain("JULIEN PAUL");
  expect(lettre).toContain("12 RUE DE LA REPUBLIQUE");
  expect(lettre).toContain("69002 LYON");
  expect(lettre).toMatch(/Référence : IMMAT-C-\d{6}/);
  expect(lettre).toContain("Objet : Votre code confidentiel pour le véhicule AB-123-CD");
  expect(lettre).toContain("••••-••");
  expect(lettre).toContain("Copie d'archive");
  expect(lettre).not.toMatch(/AB-123-CD : [A-Z2-9]{4}-[A-Z2-9]{4}/);
});

test("assistant de changement d'adresse au clavier seul", async ({ page }) => {
  await loginAs(page, MARIE.email);
  await page.goto("/espace-vehicule/demarche/changement-adresse");
  // Tab seulement, jamais la souris ni focus().
  await tabTo(page, page.getByLabel("Numéro d'immatriculation"));
  await page.keyboard.type("EF-789-GH");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Étape 2 sur 4")).toBeVisible();
  await tabTo(page, page.getByLabel("Numéro et libellé de la voie"));
  await page.keyboard.type("3 rue Nationale");
  await page.keyboard.press("Tab"); // complément
  await page.keyboard.press("Tab"); // lieu-dit
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Code postal")).toBeFocused();
  await page.keyboard.type("59000");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Commune")).toBeFocused();
  await page.keyboard.type("Lille");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Étape 3 sur 4")).toBeVisible();
  await tabTo(page, page.getByRole("button", { name: "Poursuivre" }));
  await page.keyboard.press("Enter");
  await expect(page.getByText("Étape 4 sur 4")).toBeVisible();
  // Les détails « + » s'ouvrent au clavier.
  await tabTo(page, page.getByRole("button", { name: "Taxe à régler" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("detail-taxes")).toBeVisible();
  for (let i = 0; i < 3; i++) {
    const caseClu = page.locator('input[name="clu"]').nth(i);
    await tabTo(page, caseClu);
    await page.keyboard.press("Space");
    await expect(caseClu).toBeChecked();
  }
  await tabTo(page, page.getByRole("button", { name: "Valider" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("demande-terminee")).toBeVisible();
});

test("compte certifié pour quelqu'un d'autre : le code confidentiel est alors demandé", async ({ page }) => {
  await loginAs(page, MARIE.email);
  await page.goto("/espace-vehicule/demarche/changement-adresse");
  await expect(page.getByLabel("Numéro d'immatriculation")).toBeVisible();
  await expect(page.getByLabel("Code confidentiel")).toHaveCount(0);
  await page.locator("label", { hasText: "Pour quelqu'un d'autre" }).click();
  await expect(page.getByLabel("Code confidentiel")).toBeVisible();
  await page.getByLabel("Numéro d'immatriculation").fill("AB-123-CD");
  await page.getByLabel("Code confidentiel").fill("AB2C-D3EF");
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  await expect(page.getByText("Étape 2 sur 4")).toBeVisible();
  await expect(page.getByTestId("titulaire-actuel")).toContainText("Julien PAUL");
  // Le titre de l'étape reçoit le focus (annonce au lecteur d'écran).
  await expect(page.locator(".fr-stepper__title")).toBeFocused();
});
