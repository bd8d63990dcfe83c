import {
  expect,
  expectAccessible,
  JULIEN,
  loginAs,
  pdfMinimal,
  resetDemo,
  saisirCarte,
  tabTo,
  telecharger,
  test,
  Wizard,
} from "./fixtures/app";

const AGENT = "agent.cert@demo.immat.fr";
const NOTE = "La déclaration de vol est illisible : envoyez-la de nouveau, scannée en entier.";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

/**
 * Le scénario du support, « LE MODE ITÉRATIF » : le certificat de Julien
 * PAUL est volé, le vol n'est pas enregistré ; sa demande est mise en
 * attente, le CERT refuse la déclaration (illisible), il l'envoie de
 * nouveau, le CERT l'accepte, il paie et obtient son CPI.
 */
test("mode itératif : déclaration de vol refusée, renvoyée, acceptée, payée", async ({ page, agent }) => {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  await w.start("duplicata", "AB-123-CD", { code: "AB2C-D3EF" });
  await expect(w.stepper).toContainText("Motif de la demande");
  await page.waitForURL(/\/demarche\/duplicata\/[^/?]+$/);
  const numero = page.url().split("/").pop()!;
  await page.locator("label", { hasText: "Vol du certificat d'immatriculation" }).click();
  await expect(page.getByTestId("info-vol")).toBeVisible();
  await page.locator("label", { hasText: "Le titulaire du certificat" }).click();
  await w.continue();

  // « Transmission de la déclaration et certificat de situation administrative ».
  await expect(page.getByRole("heading", { name: /Transmission de la déclaration/ })).toBeVisible();
  await expect(page.getByTestId("vol-a-controler")).toBeVisible();
  await expect(page.getByText("Taille maximale : 10 Mo. Formats supportés : PDF, JPEG, PNG.")).toBeVisible();
  const csa = await telecharger(page, /Certificat de situation administrative/);
  expect(csa).toContain("Certificat de situation administrative");
  expect(csa).toContain("AB-123-CD");
  await expectAccessible(page);
  // Les CLU cochées d'abord : un mauvais fichier ne fait rien perdre.
  await w.tickClu();
  const champ = page.getByLabel(/Envoyer la déclaration du vol : Déclaration de vol du certificat/);
  await champ.setInputFiles({ name: "declaration.pdf", mimeType: "application/pdf", buffer: Buffer.from("MZ\x90\x00 ceci est un programme") });
  await expect(page.getByTestId("erreur-piece")).toContainText("Formats supportés : PDF, JPEG, PNG");
  await expect(champ).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await champ.setInputFiles({ name: "declaration-vol-floue.pdf", mimeType: "application/pdf", buffer: pdfMinimal("Declaration de vol (floue)") });
  await expect(page.getByTestId("piece-envoyee")).toContainText("declaration-vol-floue.pdf");
  await expect(page.getByTestId("erreur-piece")).toHaveCount(0);
  for (const label of ["Je certifie sur l'honneur l'exactitude des informations déclarées. *"]) {
    await expect(page.getByLabel(label)).toBeChecked();
  }
  await w.validate();
  await expect(page.getByRole("heading", { name: "Votre demande est en attente de contrôle par le CERT" })).toBeVisible();
  await expectAccessible(page);

  // Le panier : la ligne dit où en est la demande.
  await page.goto("/espace-vehicule");
  const ligne = page.getByTestId("ligne-panier").filter({ hasText: numero });
  await expect(ligne).toContainText("En attente de contrôle par le CERT");
  await expect(ligne.getByRole("link", { name: "Voir la demande" })).toBeVisible();

  // L'agent du CERT, dans son propre navigateur : la file, la démarche, la
  // prise en charge, la correction.
  await loginAs(agent, AGENT);
  await agent.getByRole("link", { name: "Instruction des démarches" }).click();
  await expect(agent.getByRole("heading", { name: "Instruction des démarches (CERT)", level: 1 })).toBeVisible();
  await expect(agent.getByTestId("compteurs")).toContainText("En attente de contrôle par le CERT : 1");
  await expectAccessible(agent);
  await agent.getByRole("link", { name: numero }).click();
  await expect(agent.getByRole("heading", { name: `Démarche n° ${numero}`, level: 1 })).toBeVisible();
  await expect(agent.getByTestId("usager")).toContainText("julien.paul@demo.immat.fr");
  await expect(agent.getByTitle("Aperçu : declaration-vol-floue.pdf")).toBeVisible();
  await agent.getByRole("button", { name: "Prendre en charge" }).click();
  await expect(agent.getByTestId("agent-dossier")).toContainText("Prise en charge par vous (Claire Lefèvre)");
  // Sans motif ni message : erreurs aux champs.
  await agent.getByRole("button", { name: "Refuser la pièce jointe" }).click();
  await expect(agent.getByText("Choisissez le motif de la correction.")).toBeVisible();
  await expect(agent.getByText("Saisissez un message.")).toBeVisible();
  await expectAccessible(agent);
  await agent.locator("label", { hasText: "Pièce illisible" }).click();
  await agent.getByLabel("Message à l'usager *").fill(NOTE);
  await agent.getByRole("button", { name: "Refuser la pièce jointe" }).click();
  await expect(agent.getByTestId("etat-dossier")).toHaveText("Correction demandée");
  await expect(agent.getByTestId("echanges")).toContainText(NOTE);
  await expect(agent.getByTestId("echanges")).toContainText("CERT (Claire Lefèvre)");
  await expectAccessible(agent);
  // L'usager est prévenu par e-mail (boîte d'envoi).
  await agent.goto("/cert/envois");
  await expect(agent.getByTestId("envoi").filter({ hasText: "une correction est demandée" }).first()).toContainText(NOTE);

  // Julien : « Reprendre la demande en cours », la « Note du CERT », « Envoyer ».
  await page.goto("/espace-vehicule");
  const enCorrection = page.getByTestId("ligne-panier").filter({ hasText: numero });
  await expect(enCorrection).toContainText("Le CERT demande une correction");
  await enCorrection.getByRole("link", { name: "Reprendre la demande en cours" }).click();
  await expect(page.getByRole("heading", { name: "Note du CERT" })).toBeVisible();
  await expect(page.getByTestId("note-du-cert")).toContainText(NOTE);
  await expect(page.getByTestId("note-du-cert")).toContainText("Pièce illisible");
  await expect(page.getByTestId("note-du-cert")).not.toContainText("Lefèvre");
  await expectAccessible(page);
  await page.getByLabel("Message au CERT (facultatif)").fill("Voici la déclaration scannée en entier.");
  // « Envoyer » sans nouvelle pièce : la pièce refusée doit être remplacée.
  await page.getByRole("button", { name: "Envoyer", exact: true }).click();
  await expect(page.getByTestId("erreur-piece")).toContainText("envoyez-en une nouvelle version");
  await expect(page.getByLabel("Message au CERT (facultatif)")).toHaveValue("Voici la déclaration scannée en entier.");
  await page
    .getByLabel(/Déclaration de vol du certificat d'immatriculation/)
    .setInputFiles({ name: "declaration-vol-scan.pdf", mimeType: "application/pdf", buffer: pdfMinimal("Declaration de vol (scan complet)") });
  await expect(page.getByTestId("piece-envoyee")).toContainText("declaration-vol-scan.pdf");
  // L'erreur reçue avant le nouvel envoi disparaît ; la réponse saisie reste.
  await expect(page.getByTestId("erreur-piece")).toHaveCount(0);
  await expect(page.getByLabel("Message au CERT (facultatif)")).toHaveValue("Voici la déclaration scannée en entier.");
  await page.getByRole("button", { name: "Envoyer", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Votre demande est en attente de contrôle par le CERT" })).toBeVisible();

  // Le CERT accepte la nouvelle pièce.
  await agent.goto(`/cert/demarches/${numero}`);
  await agent.getByRole("button", { name: "Prendre en charge" }).click();
  await expect(agent.getByTestId("piece-cert")).toHaveCount(2);
  await agent.getByRole("button", { name: "Accepter la pièce" }).click();
  await expect(agent.getByTestId("etat-dossier")).toHaveText("À payer");
  await expect(agent.getByTestId("echanges")).toContainText("Demande acceptée par le CERT");

  // Julien finalise : paiement, CPI. Le panier dit que le CERT a accepté.
  await page.goto("/espace-vehicule");
  await expect(page.getByTestId("ligne-panier").filter({ hasText: numero })).toContainText("Acceptée par le CERT");
  await page.getByTestId("ligne-panier").filter({ hasText: numero }).getByRole("link", { name: "Reprendre la demande en cours" }).click();
  await expect(w.stepper).toContainText("Paiement en ligne");
  await page.getByRole("button", { name: "Payer 13,76 € par carte bancaire" }).click();
  await saisirCarte(page, "4111 1111 1111 1111");
  await page.getByRole("link", { name: "Cliquer ici pour enregistrer votre paiement" }).click();
  await expect(page.getByTestId("demande-terminee")).toContainText("La demande est terminée.");
  const cpi = await telecharger(page, /Certificat provisoire d'immatriculation/);
  expect(cpi).toContain("AB-123-CD");
  const recap = await telecharger(page, /Récapitulatif de la demande/);
  expect(recap).toContain("Vol du certificat d'immatriculation");
});

test("le CERT refuse la démarche, envoi au clavier seul : l'usager lit le motif", async ({ page, agent }) => {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  await w.start("duplicata", "AB-123-CD", { code: "AB2C-D3EF" });
  await page.waitForURL(/\/demarche\/duplicata\/[^/?]+$/);
  const numero = page.url().split("/").pop()!;
  await page.locator("label", { hasText: "Vol du certificat d'immatriculation" }).click();
  await page.locator("label", { hasText: "Le titulaire du certificat" }).click();
  await w.continue();
  // L'envoi du fichier au clavier seul : Tab jusqu'au champ, Espace ouvre le
  // sélecteur de fichier.
  const champ = page.getByLabel(/Déclaration de vol du certificat d'immatriculation/);
  await expect(page.getByRole("heading", { name: /Transmission de la déclaration/ })).toBeVisible();
  await tabTo(page, champ);
  const selecteur = page.waitForEvent("filechooser");
  await page.keyboard.press("Space");
  await (await selecteur).setFiles({ name: "vol.pdf", mimeType: "application/pdf", buffer: pdfMinimal("Declaration") });
  await expect(page.getByTestId("piece-envoyee")).toContainText("vol.pdf");
  // Le focus reste sur le champ après l'envoi.
  await expect(champ).toBeFocused();
  await w.tickClu();
  await tabTo(page, page.getByRole("button", { name: "Valider" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Votre demande est en attente de contrôle par le CERT" })).toBeVisible();
  await loginAs(agent, AGENT);
  await agent.goto(`/cert/demarches/${numero}`);
  await agent.getByRole("button", { name: "Prendre en charge" }).click();
  await agent.getByRole("button", { name: "Refuser la démarche" }).click();
  await expect(agent.getByText("Saisissez un message.")).toBeVisible();
  await agent.getByLabel("Motif du refus, adressé à l'usager *").fill("La déclaration concerne un autre véhicule.");
  await agent.getByRole("button", { name: "Refuser la démarche" }).click();
  // Le refus de la démarche est définitif : il se confirme, à part.
  const confirmation = agent.getByTestId("refus-confirmation");
  await expect(confirmation).toContainText("Confirmer le refus définitif de la démarche ?");
  await expect(agent.getByRole("heading", { name: "Confirmer le refus définitif de la démarche ?" })).toBeFocused();
  await expectAccessible(agent);
  await confirmation.getByRole("button", { name: "Confirmer le refus de la démarche" }).click();
  await expect(agent.getByTestId("etat-dossier")).toHaveText("Refusée par le CERT");
  await page.goto("/espace-vehicule");
  await expect(page.getByTestId("demarches-terminees")).toContainText("Refusée par le CERT");
  await page.goto(`/espace-vehicule/demarche/duplicata/${numero}`);
  await expect(page.getByRole("heading", { name: "Votre demande a été refusée par le CERT" })).toBeVisible();
  await expect(page.getByTestId("demande-refusee")).toContainText("La déclaration concerne un autre véhicule.");
  await expectAccessible(page);
});
