import { expect, expectAccessible, loginAs, MARIE, pdfMinimal, resetDemo, saisirCarte, tabTo, telecharger, test, Wizard } from "./fixtures/app";

const AGENT = "agent.cert@demo.immat.fr";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

/** L'identité et l'adresse du titulaire (partie 2). */
async function titulaire(page: import("@playwright/test").Page) {
  await page.getByLabel("Nom du titulaire (obligatoire)", { exact: true }).fill("Dupont");
  await page.getByLabel("Prénoms du titulaire (obligatoire)", { exact: true }).fill("Marie");
  await page.getByLabel(/Date de naissance du titulaire/).fill("1980-02-02");
  await new Wizard(page).fillAddress({ voie: "1 place de la Gare", cp: "35000", commune: "Rennes" });
}

/**
 * L'exemple du support : un véhicule jamais immatriculé en France. Le motif
 * au clavier seul, le numéro non demandé, les pièces proposées pour la
 * sous-catégorie, « Démarrer la procédure » refusé tant qu'elles manquent ;
 * le CERT accepte chaque pièce ; les taxes se paient par carte ; le
 * récapitulatif PDF.
 */
test("TPC : immatriculation d'un véhicule en provenance de l'étranger, acceptée par le CERT", async ({ page, agent }) => {
  await loginAs(page, MARIE.email);
  await page.goto("/espace-vehicule");
  await page.getByLabel("Démarrer une nouvelle demande").selectOption({ label: "Je souhaite faire une autre demande" });
  await page.getByRole("button", { name: "Ajouter une demande" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Téléprocédure complémentaire");
  await expect(page.getByRole("group", { name: "Le motif de la demande" })).toBeVisible();
  await expectAccessible(page);

  // Le motif au clavier seul : Tab jusqu'à la liste, les flèches.
  const categorie = page.getByLabel("Catégorie (obligatoire)", { exact: true });
  const sousCategorie = page.getByLabel(/^Sous-catégorie/);
  await expect(sousCategorie).toBeDisabled();
  await tabTo(page, categorie);
  await page.keyboard.press("ArrowDown");
  await expect(categorie).toHaveValue("premiere_immatriculation");
  await tabTo(page, sousCategorie);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(sousCategorie).toHaveValue("vehicule_etranger");
  await expect(sousCategorie.locator("option:checked")).toHaveText("immatriculation d'un véhicule en provenance de l'étranger");
  // Un véhicule jamais immatriculé en France : pas de numéro.
  await expect(page.getByLabel("Numéro d'immatriculation")).toHaveCount(0);
  await tabTo(page, page.getByRole("button", { name: "Démarrer la procédure" }));
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/demarche\/complementaire\/[^/?]+$/);
  const numero = page.url().split("/").pop()!;

  // Parties 1, 2, 3.
  await expect(page.getByTestId("motif-tpc")).toContainText("immatriculation d'un véhicule en provenance de l'étranger");
  await page.getByLabel(/Objet de la demande/).fill("Immatriculer en France ma Golf achetée d'occasion en Allemagne.");
  await page.getByLabel(/Numéro d'identification \(VIN\)/).fill("WVWZZZ1KZ9W000001");
  await page.getByLabel("Marque (obligatoire)", { exact: true }).fill("Volkswagen");
  await page.getByLabel(/Dénomination commerciale/).fill("Golf");
  await page.getByLabel(/Genre du véhicule/).selectOption({ label: "VP — voiture particulière" });
  await page.getByLabel(/^Énergie/).selectOption({ label: "Essence" });
  await page.getByLabel(/Puissance fiscale/).fill("6");
  await page.getByLabel(/Date de première immatriculation/).fill("15/06/2019");
  await titulaire(page);
  const pieces = page.getByTestId("pieces-tpc");
  // Le certificat étranger n'est demandé qu'une fois.
  await expect(pieces.locator("input[type=file]")).toHaveCount(4);
  // Sans les pièces : « Démarrer la procédure » dit lesquelles manquent ; rien
  // de saisi n'est perdu.
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  await expect(page.getByTestId("erreur-piece")).toHaveCount(4);
  await expect(page.getByTestId("erreur-piece").first()).toContainText("Joignez la pièce « justificatif d'adresse »");
  await expect(page.getByLabel(/Envoyer la pièce : justificatif d'adresse/)).toBeFocused();
  await expect(page.getByLabel(/Dénomination commerciale/)).toHaveValue("Golf");
  await expectAccessible(page);
  const fichiers: [RegExp, string][] = [
    [/Envoyer la pièce : justificatif d'adresse/, "domicile.pdf"],
    [/Envoyer la pièce : justificatif de vente ou de propriété/, "facture.pdf"],
    [/Envoyer la pièce : justificatif fiscal/, "quitus.pdf"],
    [/Envoyer la pièce : certificat d'immatriculation étranger ou pièces équivalentes/, "fahrzeugbrief.pdf"],
  ];
  for (const [i, [label, nom]] of fichiers.entries()) {
    await page.getByLabel(label).setInputFiles({ name: nom, mimeType: "application/pdf", buffer: pdfMinimal(nom) });
    await expect(pieces.getByTestId("piece-envoyee")).toHaveCount(i + 1);
  }
  await expect(page.getByTestId("erreur-piece")).toHaveCount(0);
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();

  // Récapitulatif : ce qui a été saisi, les pièces, les taxes ; CLU, « Valider ».
  await expect(page.getByTestId("recap-tpc")).toContainText("Volkswagen Golf — VIN WVWZZZ1KZ9W000001");
  await expect(page.getByTestId("recap-pieces")).toContainText("justificatif fiscal : quitus.pdf (Envoyée, en attente de contrôle)");
  await expect(page.getByTestId("detail-taxes")).toContainText("360,00");
  await expect(page.getByTestId("detail-taxes")).toContainText("373,76");
  await expectAccessible(page);
  const w = new Wizard(page);
  await w.tickClu();
  await w.validate();
  await expect(page.getByRole("heading", { name: "Votre demande est en attente de contrôle par le CERT" })).toBeVisible();
  await expectAccessible(page);
  // Le récapitulatif de ce qui a été envoyé, dès « Valider ».
  const envoye = await telecharger(page, /Récapitulatif de la demande/);
  expect(envoye).toContain("Demande complémentaire");
  expect(envoye).toContain("En attente de contrôle par le CERT");
  expect(envoye).toContain("Objet de la demande : Immatriculer en France ma Golf");

  // Le CERT : la file, le dossier sans véhicule immatriculé, chaque pièce acceptée.
  await loginAs(agent, AGENT);
  await agent.goto("/cert");
  await expect(agent.getByRole("heading", { name: "Instruction des démarches (CERT)", level: 1 })).toBeVisible();
  await agent.getByRole("link", { name: numero }).click();
  await expect(agent.getByRole("heading", { name: `Démarche n° ${numero}`, level: 1 })).toBeVisible();
  await expect(agent.getByTestId("vehicule-dossier")).toContainText("Aucun véhicule immatriculé en France");
  await expect(agent.getByTestId("recap-tpc")).toContainText("Volkswagen Golf");
  await agent.getByRole("button", { name: "Prendre en charge" }).click();
  await expect(agent.getByTestId("agent-dossier")).toContainText("Prise en charge par vous");
  // Des pièces à contrôler : pas de « Accepter la demande » directe.
  await expect(agent.getByRole("button", { name: "Accepter la demande" })).toHaveCount(0);
  await expectAccessible(agent);
  for (let restantes = 4; restantes > 0; restantes--) {
    await expect(agent.getByRole("button", { name: "Accepter la pièce" })).toHaveCount(restantes);
    await agent.getByRole("button", { name: "Accepter la pièce" }).first().click();
  }
  await expect(agent.getByTestId("etat-dossier")).toHaveText("À payer");

  // L'usager paie les taxes par carte ; le récapitulatif PDF.
  await page.goto("/espace-vehicule");
  const ligne = page.getByTestId("ligne-panier").filter({ hasText: numero });
  await expect(ligne).toContainText("Acceptée par le CERT");
  await ligne.getByRole("link", { name: "Reprendre la demande en cours" }).click();
  await expect(page.getByTestId("stepper")).toContainText("Paiement en ligne");
  await expect(page.getByTestId("montant-a-payer")).toContainText("373,76");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Payer 373,76 € par carte bancaire" }).click();
  await saisirCarte(page, "4111 1111 1111 1111");
  await page.getByRole("link", { name: "Cliquer ici pour enregistrer votre paiement" }).click();
  await expect(page.getByTestId("demande-terminee")).toContainText("La demande est terminée.");
  await expect(page.getByTestId("fin-tpc")).toContainText("Le CERT a accepté votre demande");
  await expectAccessible(page);
  const recap = await telecharger(page, /Récapitulatif de la demande/);
  expect(recap).toContain("Volkswagen Golf");
  expect(recap).toContain("WVWZZZ1KZ9W000001");
  expect(recap).toContain("justificatif fiscal");
});

/**
 * Un véhicule diplomatique : aucune pièce. Le CERT demande une précision
 * sur la demande, l'usager répond, le CERT accepte ; rien à payer.
 */
test("TPC : véhicule diplomatique sans pièce, précision demandée par le CERT puis acceptée", async ({ page, agent }) => {
  await loginAs(page, MARIE.email);
  await page.goto("/espace-vehicule/demarche/complementaire");
  await page.getByLabel("Catégorie (obligatoire)", { exact: true }).selectOption({ label: "Corriger une erreur sur mon certificat d'immatriculation ou mon dossier administratif" });
  await page.getByLabel(/^Sous-catégorie/).selectOption({ label: "correction des informations sur la situation administrative de mon véhicule" });
  // Un véhicule immatriculé : le numéro est demandé.
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  await expect(page.locator("#immatriculation-desc-error")).toBeVisible();
  await page.getByLabel("Numéro d'immatriculation").fill("EF-789-GH");
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  await page.waitForURL(/\/demarche\/complementaire\/[^/?]+$/);
  const numero = page.url().split("/").pop()!;
  await expect(page.getByTestId("motif-tpc")).toContainText("Véhicule concerné : EF-789-GH");
  await expect(page.getByTestId("pieces-tpc").locator("input[type=file]")).toHaveCount(1);
  await page.getByLabel(/Objet de la demande/).fill("Lever une mention erronée sur un véhicule du corps diplomatique.");
  await page.locator("label", { hasText: "La demande concerne un véhicule diplomatique" }).click();
  await expect(page.getByTestId("aucune-piece")).toBeVisible();
  await expect(page.getByTestId("pieces-tpc").locator("input[type=file]")).toHaveCount(0);
  await titulaire(page);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  await expect(page.getByTestId("recap-tpc")).toContainText("Aucune pièce justificative n'est demandée");
  await expect(page.getByTestId("recap-tpc")).toContainText("La demande concerne un véhicule diplomatique.");
  await expectAccessible(page);
  const w = new Wizard(page);
  await w.tickClu();
  await w.validate();
  await expect(page.getByRole("heading", { name: "Votre demande est en attente de contrôle par le CERT" })).toBeVisible();

  await loginAs(agent, AGENT);
  await agent.goto(`/cert/demarches/${numero}`);
  await expect(agent.getByRole("heading", { name: `Démarche n° ${numero}`, level: 1 })).toBeVisible();
  await agent.getByRole("button", { name: "Prendre en charge" }).click();
  const decision = agent.getByTestId("decision-demande");
  await expect(decision).toContainText("Cette demande ne comporte plus aucune pièce à contrôler.");
  await expectAccessible(agent);
  await decision.locator("label", { hasText: "Pièce incomplète" }).click();
  await decision.getByLabel("Message à l'usager *").fill("Précisez la mention à lever.");
  await decision.getByRole("button", { name: "Demander une précision sur la demande" }).click();
  await expect(agent.getByTestId("etat-dossier")).toHaveText("Correction demandée");

  await page.goto("/espace-vehicule");
  const ligne = page.getByTestId("ligne-panier").filter({ hasText: numero });
  await expect(ligne).toContainText("Le CERT demande une correction");
  await ligne.getByRole("link", { name: "Reprendre la demande en cours" }).click();
  await expect(page.getByTestId("note-du-cert")).toContainText("Précisez la mention à lever.");
  await expectAccessible(page);
  // Une précision sans pièce : la réponse écrite est exigée.
  await page.getByRole("button", { name: "Envoyer", exact: true }).click();
  await expect(page.locator("#reponse-cert-desc-error")).toHaveText("Saisissez un message.");
  await expect(page.getByLabel("Message au CERT *")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Message au CERT *").fill("La mention « gage » a été inscrite par erreur.");
  await page.getByRole("button", { name: "Envoyer", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Votre demande est en attente de contrôle par le CERT" })).toBeVisible();

  await agent.goto(`/cert/demarches/${numero}`);
  await agent.getByRole("button", { name: "Prendre en charge" }).click();
  await expect(agent.getByTestId("echanges")).toContainText("La mention « gage » a été inscrite par erreur.");
  await agent.getByRole("button", { name: "Accepter la demande" }).click();
  await expect(agent.getByTestId("etat-dossier")).toHaveText("Terminée");

  await page.goto(`/espace-vehicule/demarche/complementaire/${numero}`);
  await expect(page.getByTestId("demande-terminee")).toContainText("La demande est terminée.");
  await expectAccessible(page);
  const recap = await telecharger(page, /Récapitulatif de la demande/);
  expect(recap).toContain("Aucune pièce justificative");
  expect(recap).toContain("EF-789-GH");
});

test("abandonner une demande en cours libère le véhicule pour une autre demande", async ({ page }) => {
  await loginAs(page, MARIE.email);
  const demarrerTpc = async (categorie: string, sousCategorie: string) => {
    await page.goto("/espace-vehicule/demarche/complementaire");
    await page.getByLabel("Catégorie (obligatoire)", { exact: true }).selectOption({ label: categorie });
    await page.getByLabel(/^Sous-catégorie/).selectOption({ label: sousCategorie });
    await page.getByLabel("Numéro d'immatriculation").fill("EF-789-GH");
    await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  };
  await demarrerTpc("Obtenir un justificatif", "fiche d'identification du véhicule");
  await page.waitForURL(/\/demarche\/complementaire\/[^/?]+$/);
  await expect(page.getByTestId("motif-tpc")).toContainText("fiche d'identification du véhicule");
  // Une autre demande sur le même véhicule : il faut d'abord finir ou abandonner celle-ci.
  await demarrerTpc("Obtenir un justificatif", "certificat de situation administrative détaillé");
  await expect(page.getByRole("alert")).toContainText("Une demande complémentaire est déjà en cours pour ce véhicule");
  await page.goBack();
  await page.getByRole("button", { name: "Abandonner la demande" }).click();
  await expect(page.getByTestId("abandon")).toContainText("Confirmez-vous ?");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Confirmer l'abandon" }).click();
  await expect(page.getByTestId("demande-abandonnee")).toContainText("Cette demande a été abandonnée.");
  await expect(page.getByRole("button", { name: "Abandonner la demande" })).toHaveCount(0);
  await expectAccessible(page);
  await demarrerTpc("Obtenir un justificatif", "certificat de situation administrative détaillé");
  await expect(page.getByTestId("motif-tpc")).toContainText("certificat de situation administrative détaillé");
});
