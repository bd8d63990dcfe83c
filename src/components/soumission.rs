//! Une soumission de formulaire : une action Leptos (son état « en cours »
//! désactive le bouton ; une seconde soumission pendant l'envoi est ignorée)
//! et ce que le formulaire fait de la réponse.

use leptos::prelude::*;
use std::future::Future;

pub struct Soumission<I: 'static, O: 'static> {
    action: Action<I, O>,
}

// Copiable quels que soient I et O (l'action l'est) : pas de `derive`, qui
// exigerait I: Copy et O: Copy.
impl<I, O> Clone for Soumission<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I, O> Copy for Soumission<I, O> {}

impl<I, O> Soumission<I, O>
where
    I: Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    /// `appel` : l'appel à l'API (sur le fil du navigateur) ; `reponse` : ce
    /// qu'on fait de son résultat, une fois arrivé.
    pub fn new<Fu>(appel: impl Fn(I) -> Fu + 'static, reponse: impl Fn(O) + 'static) -> Self
    where
        Fu: Future<Output = O> + 'static,
    {
        let action = Action::new_local(move |i: &I| appel(i.clone()));
        let version = action.version();
        Effect::new(move |vue: Option<usize>| {
            let v = version.get();
            // Une réponse par envoi : seulement quand la version change.
            if vue.is_some_and(|vue| vue != v) {
                if let Some(r) = action.value().get_untracked() {
                    reponse(r);
                }
            }
            v
        });
        Self { action }
    }

    /// Envoie, sauf si un envoi est déjà en cours ; faux s'il l'était.
    pub fn envoyer(&self, input: I) -> bool {
        if self.action.pending().get_untracked() {
            return false;
        }
        self.action.dispatch_local(input);
        true
    }

    /// Vrai pendant l'envoi (pour désactiver le bouton).
    pub fn en_cours(&self) -> Signal<bool> {
        let pending = self.action.pending();
        Signal::derive(move || pending.get())
    }
}
