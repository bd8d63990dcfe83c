import { expect, expectAccessible, JULIEN, loginAs, resetDemo, test, Wizard } from "./fixtures/app";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

test("« Accès au panier » depuis Mon Espace : les démarches en cours, d'où l'on reprend la demande", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  const w = new Wizard(page);
  await w.start("changement-adresse", "AB-123-CD", { code: "AB2C-D3EF" });
  await expect(w.stepper).toContainText("Étape 2 sur 4");
  await page.goto("/mon-espace");
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Accès au panier" }).click();
  await expect(page.getByRole("heading", { name: "Mon panier", level: 2 })).toBeFocused();
  await expect(page).toHaveURL(/\/espace-vehicule#panier$/);
  const ligne = page.getByTestId("panier-ligne").filter({ hasText: "AB-123-CD" });
  await expect(ligne).toContainText("Changement d'adresse");
  await expectAccessible(page);
  await ligne.getByRole("link", { name: "Reprendre la demande en cours" }).click();
  await expect(w.stepper).toContainText("Étape 2 sur 4");
});
