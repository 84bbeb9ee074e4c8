use crate::api::Login;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sign-in form; works before hydration too (a plain form POST to the server function).
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || {
        login.value().get().and_then(|result| result.err()).map(|err| match err {
            ServerFnError::ServerError(message) => message,
            _ => "Could not reach Hark. Check your connection and try again.".to_owned(),
        })
    };
    view! {
        <Title text="Sign in — Hark" />
        <main class="login">
            <h1>"Sign in to Hark"</h1>
            <ActionForm action=login attr:class="card stack">
                <label for="email">"Email"</label>
                <input id="email" type="email" name="email" autocomplete="username" required />
                <label for="password">"Password"</label>
                <input id="password" type="password" name="password" autocomplete="current-password" required />
                <p class="error" role="alert">{error}</p>
                <button type="submit" class="primary">"Sign in"</button>
            </ActionForm>
        </main>
    }
}
