use crate::api::{Login, LoginProblem};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Sign-in form; works before hydration too (a plain form POST to the server function).
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    // Without script the form posts itself and comes back here with `?problem=`.
    let query = use_query_map();
    let posted_problem = move || {
        query.read().get("problem").as_deref().and_then(LoginProblem::from_code).map(|p| p.message().to_owned())
    };
    let error = move || {
        let answer = login.value().get().and_then(|result| result.err()).map(|err| match err {
            ServerFnError::ServerError(message) => message,
            _ => "Could not reach Hark. Check your connection and try again.".to_owned(),
        });
        answer.or_else(posted_problem)
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
