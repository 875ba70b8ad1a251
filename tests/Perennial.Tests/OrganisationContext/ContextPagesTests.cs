using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.OrganisationContext;

/// <summary>The context register's pages: a manager adds and edits entries, the owner reviews, an auditor only reads.</summary>
public sealed class ContextPagesTests : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid orgId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(DatabaseProvider.Sqlite);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        foreach (var (email, role) in new[] { ("maya@acme.test", OrgRole.Manager), ("olga@acme.test", OrgRole.Contributor), ("audrey@acme.test", OrgRole.Auditor) })
        {
            await app.CreateUserAsync(email);
            await app.AddMemberAsync(orgId, email, role);
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_scope_version_links_to_the_register_as_it_stood_and_shows_what_changed_since()
    {
        var olgaId = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Users.Where(u => u.Email == "olga@acme.test").Select(u => u.Id).SingleAsync());
        var actor = new Perennial.OrganisationContext.ContextActor(olgaId, "maya", OrgRole.Manager);
        Task<Perennial.OrganisationContext.ContextEntry> AddAsync(string title) => app.WithScopeAsync(s => s.GetRequiredService<Perennial.OrganisationContext.ContextRegister>().CreateAsync(orgId, actor,
            new Perennial.OrganisationContext.ContextInput(Perennial.OrganisationContext.ContextKind.ExternalIssue, title, null, null, false, true, olgaId, 12, null), CancellationToken.None));
        var before = await AddAsync("New data-transfer rules");
        app.Time.Advance(TimeSpan.FromHours(1));
        await app.WithScopeAsync(s => s.GetRequiredService<Perennial.Scope.ScopeService>().SaveAsync(orgId,
            new Perennial.Scope.ScopeInput("All services of Acme", new Perennial.Scope.ScopeLists([], [], [], []), null), CancellationToken.None));
        app.Time.Advance(TimeSpan.FromHours(1));
        var after = await AddAsync("Office move");

        var auditor = await app.SignInAsync("audrey@acme.test");
        var scope = await auditor.GetStringAsync("/o/acme/scope");
        var entries = scope[scope.IndexOf("id=\"scope-context-entries\"", StringComparison.Ordinal)..];
        entries = entries[..entries.IndexOf("</ul>", StringComparison.Ordinal)];
        Assert.Contains($"href=\"/o/acme/context/{before.Id}\"", entries, StringComparison.Ordinal);
        Assert.DoesNotContain(after.Id.ToString(), entries, StringComparison.Ordinal);
        Assert.Contains("1 change to the register since this version", scope, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/acme/context/{after.Id}\">ISS-002 Office move</a>: created", scope, StringComparison.Ordinal);
        Assert.Contains("ISS-001 New data-transfer rules", await auditor.GetStringAsync("/o/acme/scope/versions/1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manager_adds_and_edits_a_party_its_owner_reviews_it_and_an_auditor_reads_only()
    {
        var olgaId = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Users.Where(u => u.Email == "olga@acme.test").Select(u => u.Id).SingleAsync());
        var manager = await app.SignInAsync("maya@acme.test");
        var empty = await manager.GetStringAsync("/o/acme/context");
        Assert.Contains("Nothing recorded yet", empty, StringComparison.Ordinal);
        Assert.Contains("not assessed yet", empty, StringComparison.Ordinal);

        // A bad entry is refused on the page naming the field, and nothing is added.
        var refused = await TestApp.PostFormAsync(manager, "/o/acme/context", new Dictionary<string, string> { ["kind"] = "interested-party", ["title"] = "Regulator", ["ownerUserId"] = "", ["reviewIntervalMonths"] = "12" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Every entry has an owner", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var added = await TestApp.PostFormAsync(manager, "/o/acme/context", new Dictionary<string, string>
        {
            ["kind"] = "interested-party",
            ["title"] = "Data protection regulator",
            ["ownerUserId"] = olgaId.ToString(),
            ["reviewIntervalMonths"] = "12",
            ["relevance"] = "relevant",
        });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var page = added.Headers.Location!.OriginalString;
        Assert.StartsWith("/o/acme/context/", page, StringComparison.Ordinal);

        var edited = await TestApp.PostFormAsync(manager, page, new Dictionary<string, string>
        {
            ["title"] = "Data protection regulator",
            ["ownerUserId"] = olgaId.ToString(),
            ["reviewIntervalMonths"] = "6",
            ["relevance"] = "relevant",
            ["requirements[0].Text"] = "Breach notice within 72 hours",
            ["requirements[0].Addressed"] = "true",
            ["requirements[0].How"] = "Incident procedure step 4",
            ["requirements[1].Text"] = "",
            ["note"] = "Requirements from the regulator's guidance",
        }, "Edit");
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        var shown = await manager.GetStringAsync(page);
        Assert.Contains("<td>Breach notice within 72 hours</td><td>yes</td><td>Incident procedure step 4</td>", shown, StringComparison.Ordinal);
        Assert.Contains("Revision 2", shown, StringComparison.Ordinal);
        Assert.Contains("Requirements from the regulator&#x27;s guidance", shown, StringComparison.Ordinal);

        // The owner reviews it; the auditor sees no step and is refused if they post.
        var olga = await app.SignInAsync("olga@acme.test");
        Assert.DoesNotContain("Save the change", await olga.GetStringAsync(page), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostFormAsync(olga, page, new Dictionary<string, string> { ["note"] = "Checked the guidance" }, "Review")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await TestApp.PostFormAsync(olga, page, new Dictionary<string, string> { ["title"] = "x" }, "Edit")).StatusCode);
        var audrey = await app.SignInAsync("audrey@acme.test");
        var read = await audrey.GetStringAsync(page);
        Assert.Contains("reviewed: Checked the guidance", read, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=", read, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await TestApp.PostFormAsync(audrey, page, new Dictionary<string, string>(), "Review")).StatusCode);

        var list = await audrey.GetStringAsync("/o/acme/context?kind=interested-party");
        Assert.Contains("IP-001", list, StringComparison.Ordinal);
        Assert.Contains("1 of 1 requirements addressed", list, StringComparison.Ordinal);

        // Six months on, the review is due on its owner's dashboard; retired, it leaves it.
        Assert.DoesNotContain("context review due", await olga.GetStringAsync("/o/acme"), StringComparison.Ordinal);
        app.Time.Advance(TimeSpan.FromDays(200));
        olga = await app.SignInAsync("olga@acme.test");
        manager = await app.SignInAsync("maya@acme.test");
        var agenda = await olga.GetStringAsync("/o/acme");
        Assert.Contains("context review due", agenda, StringComparison.Ordinal);
        Assert.Contains($"href=\"{page}\"", agenda, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostFormAsync(manager, page, new Dictionary<string, string> { ["reason"] = "Merged into the regulators entry" }, "Retire")).StatusCode);
        Assert.DoesNotContain("context review due", await olga.GetStringAsync("/o/acme"), StringComparison.Ordinal);
        Assert.Contains("IP-001", await manager.GetStringAsync("/o/acme/context?retired=true"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/o/acme/context/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.GetAsync("/o/acme/context?kind=risk")).StatusCode);
    }
}
