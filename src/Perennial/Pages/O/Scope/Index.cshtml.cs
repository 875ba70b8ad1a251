using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Paging;
using Perennial.Scope;
using Perennial.Security;

namespace Perennial.Pages.O.Scope;

public sealed class IndexModel(CurrentOrg org, ScopeService scopes, Perennial.OrganisationContext.ContextRegister register, TimeProvider time) : PageModel
{
    /// <summary>The scope as the edit form holds it: one list item per line.</summary>
    public sealed class ScopeForm
    {
        public string Statement { get; set; } = "";
        public string? Sites { get; set; }
        public string? Products { get; set; }
        public string? Teams { get; set; }
        public string? Systems { get; set; }
        public string? Exclusions { get; set; }
        public string? InterestedParties { get; set; }
        public string? InternalIssues { get; set; }
        public string? ExternalIssues { get; set; }
        public string? ChangeNote { get; set; }
    }

    [BindProperty]
    public ScopeForm Form { get; set; } = new();

    public CurrentOrg Org => org;
    public ScopeView? Current { get; private set; }
    public IReadOnlyList<ScopeVersionSummary> Versions { get; private set; } = [];
    public ScopeContext? Context { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Current is { } v)
        {
            Form = ToForm(v);
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            var input = Parse(Form);
            await scopes.SaveAsync(org.Id, input, ct);
            return Redirect($"/o/{org.Slug}/scope");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Current = await scopes.GetCurrentAsync(org.Id, ct);
        Context = Current is { } v ? await ScopeContext.LoadAsync(register, org.Id, org.Slug, v.CreatedAt, time, ct) : null;
        Versions = (await scopes.ListVersionsAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
    }

    internal static ScopeInput Parse(ScopeForm form)
    {
        var boundaries = new List<Boundary>();
        boundaries.AddRange(Lines(form.Sites).Select(l => Boundary(BoundaryKind.Site, l)));
        boundaries.AddRange(Lines(form.Products).Select(l => Boundary(BoundaryKind.Product, l)));
        boundaries.AddRange(Lines(form.Teams).Select(l => Boundary(BoundaryKind.Team, l)));
        boundaries.AddRange(Lines(form.Systems).Select(l => Boundary(BoundaryKind.System, l)));
        var exclusions = Lines(form.Exclusions).Select((l, i) => Pair(l, "Exclusions", i, "what is excluded | why", (a, b) => new Exclusion(a, b))).ToList();
        var parties = Lines(form.InterestedParties).Select((l, i) => Pair(l, "Interested parties", i, "party | what they require", (a, b) => new InterestedParty(a, b))).ToList();
        var issues = Lines(form.InternalIssues).Select(l => new ContextIssue(IssueKind.Internal, l))
            .Concat(Lines(form.ExternalIssues).Select(l => new ContextIssue(IssueKind.External, l))).ToList();
        return new ScopeInput(form.Statement ?? "", new ScopeLists(boundaries, exclusions, parties, issues), form.ChangeNote);
    }

    private static ScopeForm ToForm(ScopeView v) => new()
    {
        Statement = v.Statement,
        Sites = Join(v.Lists.Boundaries.Where(b => b.Kind == BoundaryKind.Site)),
        Products = Join(v.Lists.Boundaries.Where(b => b.Kind == BoundaryKind.Product)),
        Teams = Join(v.Lists.Boundaries.Where(b => b.Kind == BoundaryKind.Team)),
        Systems = Join(v.Lists.Boundaries.Where(b => b.Kind == BoundaryKind.System)),
        Exclusions = string.Join('\n', v.Lists.Exclusions.Select(e => $"{e.Item} | {e.Reason}")),
        InterestedParties = string.Join('\n', v.Lists.InterestedParties.Select(p => $"{p.Name} | {p.Requirements}")),
        InternalIssues = string.Join('\n', v.Lists.Issues.Where(i => i.Kind == IssueKind.Internal).Select(i => i.Description)),
        ExternalIssues = string.Join('\n', v.Lists.Issues.Where(i => i.Kind == IssueKind.External).Select(i => i.Description)),
    };

    private static string Join(IEnumerable<Boundary> boundaries) =>
        string.Join('\n', boundaries.Select(b => b.Notes is null ? b.Name : $"{b.Name} | {b.Notes}"));

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);

    private static Boundary Boundary(BoundaryKind kind, string line)
    {
        var parts = line.Split('|', 2);
        return new Boundary(kind, parts[0].Trim(), parts.Length > 1 ? parts[1].Trim() : null);
    }

    private static T Pair<T>(string line, string list, int index, string shape, Func<string, string, T> make)
    {
        var parts = line.Split('|', 2);
        if (parts.Length < 2 || parts[1].Trim().Length == 0)
        {
            throw UseCaseException.Invalid(list, $"{list}, line {index + 1}: write it as '{shape}'.");
        }

        return make(parts[0].Trim(), parts[1].Trim());
    }
}
