use crate::api::{login_language, Login, LoginProblem};
use crate::i18n::{words, Words};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Sign-in form in the browser's language; works before hydration too (a plain form
/// POST to the server function).
#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = Resource::new(|| (), |_| login_language());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let words = words(&lang.await.unwrap_or_default());
                view! { <LoginForm words /> }
            })}
        </Suspense>
    }
}

#[component]
fn LoginForm(words: &'static Words) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    // Without script the form posts itself and comes back here with `?problem=`.
    let query = use_query_map();
    let posted_problem = move || {
        query.read().get("problem").as_deref().and_then(LoginProblem::from_code).map(|p| p.message(words).to_owned())
    };
    let error = move || {
        let answer = login.value().get().and_then(|result| result.err()).map(|err| match err {
            ServerFnError::ServerError(message) => message,
            _ => words.unreachable.to_owned(),
        });
        answer.or_else(posted_problem)
    };
    view! {
        <Title text=format!("{} Hark", words.sign_in_title) />
        <main class="login" lang=words.lang>
            <h1>{words.sign_in_title}" "<span translate="no">"Hark"</span></h1>
            <ActionForm action=login attr:class="card stack">
                <label for="email">{words.email}</label>
                <input id="email" type="email" name="email" autocomplete="username" required />
                <label for="password">{words.password}</label>
                <input id="password" type="password" name="password" autocomplete="current-password" required />
                <p class="error" role="alert">{error}</p>
                <button type="submit" class="primary">{words.sign_in}</button>
            </ActionForm>
        </main>
    }
}
