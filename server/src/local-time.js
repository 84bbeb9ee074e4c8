// Hark's pages show times in UTC, which any page can know without script; with script
// the shopper reads them in their own time zone instead, in the page's language.
for (const exact of document.querySelectorAll("time[datetime] .exact")) {
  const at = new Date(exact.parentElement.getAttribute("datetime"));
  if (!isNaN(at)) {
    exact.textContent = at.toLocaleString(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" });
  }
}
