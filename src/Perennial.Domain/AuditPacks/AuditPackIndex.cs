using System.Globalization;
using System.Net;
using System.Text;
using Perennial.Readiness;

namespace Perennial.AuditPacks;

/// <summary>
/// The pack's <c>index.html</c>: one self-contained page (no script, no remote style or font) that
/// links every file by its relative path, so it opens from the unzipped folder on any machine.
/// </summary>
public sealed class AuditPackIndex(string organisation, AuditWindow window, DateTimeOffset generatedAt, string generatedBy)
{
    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d2a22;line-height:1.45}
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #c9d6cd;padding-bottom:.2rem}
        table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #e2e9e4}
        th{background:#eef3ef}code{font-size:.8rem;word-break:break-all}.muted{color:#4d5d53}a{color:#1f5f3a}
        """;

    private readonly List<(string Section, AuditPackFile? File, string? Text)> sections = [];
    private readonly List<(AuditPackFile File, string? For)> evidence = [];
    private readonly List<(string Title, string? Url, DateOnly From, DateOnly To, string Origin, string? For)> links = [];

    public void Add(string section, AuditPackFile file, string? summary = null) => sections.Add((section, file, summary));

    public void Empty(string section, string text) => sections.Add((section, null, text));

    public void Evidence(AuditPackFile file, string? forWhat) => evidence.Add((file, forWhat));

    public void Link(string title, string? url, DateOnly from, DateOnly to, string origin, string? forWhat) => links.Add((title, url, from, to, origin, forWhat));

    public byte[] Render(AuditPackTrail trail, IReadOnlyList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(notes);
        var c = CultureInfo.InvariantCulture;
        var h = new StringBuilder(64 * 1024 + (evidence.Count * 400));
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.Append("<title>").Append(E($"Audit pack: {organisation}, audit on {Day(window.AuditDate)}")).Append("</title><style>").Append(Style).Append("</style></head><body><main>");
        h.Append("<h1>").Append(E(organisation)).Append(": audit pack</h1>");
        h.Append("<p>").Append(E(window.Source)).Append(". Audit on <strong>").Append(Day(window.AuditDate)).Append("</strong>; audit period ")
            .Append(Day(window.PeriodFrom)).Append(" to ").Append(Day(window.AuditDate)).Append(".</p>");
        h.Append("<p class=\"muted\">Built by Perennial on ").Append(E(generatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", c))).Append(" for ").Append(E(generatedBy))
            .Append(". Every file is listed with its SHA-256 in <a href=\"").Append(AuditPackManifest.ManifestPath).Append("\">").Append(AuditPackManifest.ManifestPath)
            .Append("</a>, whose own hash is in <a href=\"").Append(AuditPackManifest.ManifestHashPath).Append("\">").Append(AuditPackManifest.ManifestHashPath)
            .Append("</a>. Check the whole pack with <code>perennial audit-pack verify FILE</code>, or with <code>sha256sum -c manifest.sha256</code> and the hashes the manifest lists.</p>");

        if (notes.Count > 0)
        {
            h.Append("<h2>Worth knowing</h2><ul>");
            foreach (var note in notes)
            {
                h.Append("<li>").Append(E(note)).Append("</li>");
            }

            h.Append("</ul>");
        }

        foreach (var group in sections.GroupBy(s => s.Section))
        {
            h.Append("<h2>").Append(E(group.Key)).Append("</h2>");
            h.Append("<ul>");
            foreach (var (_, file, text) in group)
            {
                h.Append("<li>");
                if (file is not null)
                {
                    FileLink(h, file);
                    h.Append(" <span class=\"muted\">").Append(E(file.Source)).Append("; ").Append(Size(file.Size)).Append("</span>");
                }

                if (text is not null)
                {
                    h.Append(file is null ? "" : "<br>").Append(E(text));
                }

                h.Append("</li>");
            }

            h.Append("</ul>");
        }

        h.Append("<h2>Evidence whose period overlaps the audit's</h2>");
        if (evidence.Count == 0)
        {
            h.Append("<p>No evidence file covers any part of the audit period.</p>");
        }
        else
        {
            h.Append(CultureInfo.InvariantCulture, $"<p>{evidence.Count} file(s), {Size(evidence.Sum(e => e.File.Size))}, by the day their period starts.</p>");
            h.Append("<table><thead><tr><th scope=\"col\">Evidence</th><th scope=\"col\">Period</th><th scope=\"col\">For</th><th scope=\"col\">Source</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>");
            foreach (var (file, forWhat) in evidence)
            {
                h.Append("<tr><td>");
                FileLink(h, file);
                h.Append("</td><td>").Append(Period(file.PeriodFrom, file.PeriodTo)).Append("</td><td>").Append(E(forWhat ?? "—")).Append("</td><td>").Append(E(file.Source))
                    .Append("</td><td><code>").Append(file.Sha256).Append("</code></td></tr>");
            }

            h.Append("</tbody></table>");
        }

        if (links.Count > 0)
        {
            h.Append("<h2>Evidence kept elsewhere (links)</h2><table><thead><tr><th scope=\"col\">Evidence</th><th scope=\"col\">Period</th><th scope=\"col\">For</th><th scope=\"col\">Address</th></tr></thead><tbody>");
            foreach (var link in links)
            {
                h.Append("<tr><td>").Append(E(link.Title)).Append("</td><td>").Append(Period(link.From, link.To)).Append("</td><td>").Append(E(link.For ?? "—"))
                    .Append("</td><td>").Append(E(link.Url ?? "")).Append("</td></tr>");
            }

            h.Append("</tbody></table>");
        }

        h.Append("<h2>Audit trail</h2><p>").Append(E(string.Create(c,
            $"The extract holds {trail.Entries} entries. When the pack was built the chain's newest entry was number {trail.HeadSequence}, hash "))).Append("<code>").Append(E(trail.HeadHash))
            .Append("</code>. ").Append(E(trail.ChainCheck)).Append("</p>");
        h.Append("</main></body></html>\n");
        return Encoding.UTF8.GetBytes(h.ToString());
    }

    private static void FileLink(StringBuilder h, AuditPackFile file) =>
        h.Append("<a href=\"").Append(E(Href(file.Path))).Append("\">").Append(E(file.Title)).Append("</a>");

    /// <summary>A relative link to a path inside the pack, each segment escaped.</summary>
    private static string Href(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string Period(DateOnly? from, DateOnly? to) =>
        from is { } f && to is { } t ? (f == t ? Day(f) : $"{Day(f)} to {Day(t)}") : "—";

    private static string Size(long bytes) =>
        bytes >= 1024 * 1024 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB")
        : bytes >= 1024 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
