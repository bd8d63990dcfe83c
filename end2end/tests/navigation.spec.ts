import { expect, expectAccessible, JULIEN, loginAs, resetDemo, test } from "./fixtures/app";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

test("chaque page a son titre ; entre deux pages, un état de chargement et l'ancienne page inerte ; puis le focus sur le h1 annoncé", async ({
  page,
}) => {
  await page.goto("/connexion");
  await expect(page.getByRole("heading", { name: "Connexion à Mon Espace", level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(/^Connexion à Mon Espace — Immat/);
  await loginAs(page, JULIEN.email);
  await expect(page).toHaveTitle(/^Mon Espace — Immat/);

  // Le module de l'espace véhicule arrive lentement : l'attente se voit.
  let relacher: () => void = () => {};
  const attente = new Promise<void>((r) => {
    relacher = r;
  });
  await page.route(/\/split___espace_vehicule_view_[0-9]+\.wasm$/, async (route) => {
    await attente;
    await route.continue();
  });
  await page.getByRole("link", { name: /Je refais ma carte grise/ }).click();
  await expect(page.getByTestId("chargement-page")).toContainText("Chargement de la page…");
  await expect(page.getByRole("status").filter({ hasText: "Chargement de la page…" })).toBeVisible();
  // L'ancienne page est inerte : rien ne s'y saisit ni ne s'y clique.
  await expect(page.getByTestId("page-courante")).toHaveAttribute("inert", "");
  relacher();

  const titre = page.getByRole("heading", { name: "L'espace véhicule", level: 1 });
  await expect(titre).toBeVisible();
  await expect(page.getByTestId("chargement-page")).toHaveCount(0);
  await expect(page.getByTestId("page-courante")).not.toHaveAttribute("inert");
  await expect(titre).toBeFocused();
  await expect(page).toHaveTitle(/^L'espace véhicule — Immat/);
  await expect(page.getByTestId("annonce-page")).toHaveText("L'espace véhicule : page chargée");
  await expectAccessible(page);

  // Une démarche : son titre dit laquelle.
  await page.goto("/espace-vehicule/demarche/changement-adresse");
  await expect(page.getByRole("heading", { name: "Changement d'adresse", level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(/^Changement d'adresse — Immat/);
  await page.goto("/nulle-part");
  await expect(page).toHaveTitle(/^Page non trouvée — Immat/);
});
