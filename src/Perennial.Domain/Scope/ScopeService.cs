using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.AuditTrail;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.Scope;

/// <summary>What a person submits when saving the scope.</summary>
public sealed record ScopeInput(string Statement, ScopeLists Lists, string? ChangeNote);

/// <summary>A scope version with its lists read back.</summary>
public sealed record ScopeView(int Number, DateTimeOffset CreatedAt, string Author, string? ChangeNote, string Statement, ScopeLists Lists);

public sealed record ScopeVersionSummary(int Number, DateTimeOffset CreatedAt, string Author, string? ChangeNote);

/// <summary>One list's difference between two versions: items only in the newer, only in the older.</summary>
public sealed record ListDiff(string List, IReadOnlyList<string> Added, IReadOnlyList<string> Removed);

public sealed record ScopeDiff(int From, int To, bool StatementChanged, string FromStatement, string ToStatement, IReadOnlyList<ListDiff> Lists)
{
    public bool HasChanges => StatementChanged || Lists.Any(l => l.Added.Count > 0 || l.Removed.Count > 0);
}

/// <summary>The ISMS scope: every save is a new version with its author and date.</summary>
public sealed class ScopeService(PerennialDbContext db, TimeProvider time, IAuditActorAccessor actor)
{
    public const int StatementMaxLength = 10_000;
    public const int ItemMaxLength = 500;
    public const int MaxItemsPerList = 200;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ScopeView?> GetCurrentAsync(Guid organisationId, CancellationToken ct)
    {
        var latest = await db.ScopeVersions.AsNoTracking().Where(s => s.OrganisationId == organisationId)
            .OrderByDescending(s => s.Number).FirstOrDefaultAsync(ct);
        return latest is null ? null : ToView(latest);
    }

    public async Task<ScopeView?> GetVersionAsync(Guid organisationId, int number, CancellationToken ct)
    {
        var version = await db.ScopeVersions.AsNoTracking().SingleOrDefaultAsync(s => s.OrganisationId == organisationId && s.Number == number, ct);
        return version is null ? null : ToView(version);
    }

    public async Task<Paged<ScopeVersionSummary>> ListVersionsAsync(Guid organisationId, PageRequest page, CancellationToken ct) =>
        await db.ScopeVersions.AsNoTracking().Where(s => s.OrganisationId == organisationId)
            .OrderByDescending(s => s.Number)
            .Select(s => new ScopeVersionSummary(s.Number, s.CreatedAt, s.AuthorName, s.ChangeNote))
            .ToPagedAsync(page, ct);

    /// <summary>Saves the scope as its next version. Saving an unchanged scope adds no version.</summary>
    public async Task<ScopeView> SaveAsync(Guid organisationId, ScopeInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var lists = Validate(input);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"scope:{organisationId}", ct);
        var latest = await db.ScopeVersions.Where(s => s.OrganisationId == organisationId)
            .OrderByDescending(s => s.Number).FirstOrDefaultAsync(ct);
        var listsJson = JsonSerializer.Serialize(lists, Json);
        var statement = input.Statement.Trim();
        if (latest is not null && latest.Statement == statement && latest.ListsJson == listsJson)
        {
            return ToView(latest);
        }

        var current = actor.Current;
        var version = new ScopeVersion
        {
            OrganisationId = organisationId,
            Number = (latest?.Number ?? 0) + 1,
            CreatedAt = time.GetUtcNow(),
            AuthorUserId = current.UserId,
            AuthorName = current.Name,
            ChangeNote = string.IsNullOrWhiteSpace(input.ChangeNote) ? null : input.ChangeNote.Trim(),
            Statement = statement,
            ListsJson = listsJson,
        };
        db.ScopeVersions.Add(version);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return ToView(version);
    }

    public async Task<ScopeDiff> CompareAsync(Guid organisationId, int from, int to, CancellationToken ct)
    {
        var older = await GetVersionAsync(organisationId, from, ct) ?? throw UseCaseException.NotFound($"There is no scope version {from}.");
        var newer = await GetVersionAsync(organisationId, to, ct) ?? throw UseCaseException.NotFound($"There is no scope version {to}.");
        return Compare(older, newer);
    }

    public static ScopeDiff Compare(ScopeView older, ScopeView newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        return new ScopeDiff(older.Number, newer.Number, older.Statement != newer.Statement, older.Statement, newer.Statement,
        [
            Diff("Boundaries", older.Lists.Boundaries.Select(Describe), newer.Lists.Boundaries.Select(Describe)),
            Diff("Exclusions", older.Lists.Exclusions.Select(e => $"{e.Item}: {e.Reason}"), newer.Lists.Exclusions.Select(e => $"{e.Item}: {e.Reason}")),
            Diff("Interested parties", older.Lists.InterestedParties.Select(p => $"{p.Name}: {p.Requirements}"), newer.Lists.InterestedParties.Select(p => $"{p.Name}: {p.Requirements}")),
            Diff("Issues", older.Lists.Issues.Select(i => $"{i.Kind}: {i.Description}"), newer.Lists.Issues.Select(i => $"{i.Kind}: {i.Description}")),
        ]);
    }

    private static string Describe(Boundary b) => $"{b.Kind}: {b.Name}" + (string.IsNullOrEmpty(b.Notes) ? "" : $" ({b.Notes})");

    private static ListDiff Diff(string name, IEnumerable<string> older, IEnumerable<string> newer)
    {
        var before = older.ToList();
        var after = newer.ToList();
        return new ListDiff(name, after.Except(before, StringComparer.Ordinal).ToList(), before.Except(after, StringComparer.Ordinal).ToList());
    }

    private static ScopeLists Validate(ScopeInput input)
    {
        var statement = (input.Statement ?? "").Trim();
        if (statement.Length == 0)
        {
            throw UseCaseException.Invalid("statement", "The scope statement is required: say what the ISMS covers.");
        }

        if (statement.Length > StatementMaxLength)
        {
            throw UseCaseException.Invalid("statement", $"The scope statement is at most {StatementMaxLength} characters.");
        }

        if (input.ChangeNote is { Length: > 1000 })
        {
            throw UseCaseException.Invalid("changeNote", "The change note is at most 1000 characters.");
        }

        var lists = input.Lists ?? ScopeLists.Empty;
        var boundaries = Items(lists.Boundaries, "boundaries", (b, field) =>
            new Boundary(b.Kind, Required(b.Name, $"{field}.name"), Optional(b.Notes, $"{field}.notes")));
        var exclusions = Items(lists.Exclusions, "exclusions", (e, field) =>
            new Exclusion(Required(e.Item, $"{field}.item"), Required(e.Reason, $"{field}.reason", "Every exclusion needs its reason.")));
        var parties = Items(lists.InterestedParties, "interestedParties", (p, field) =>
            new InterestedParty(Required(p.Name, $"{field}.name"), Required(p.Requirements, $"{field}.requirements", "Say what this interested party requires.")));
        var issues = Items(lists.Issues, "issues", (i, field) =>
            new ContextIssue(i.Kind, Required(i.Description, $"{field}.description")));
        return new ScopeLists(boundaries, exclusions, parties, issues);
    }

    private static List<TOut> Items<TIn, TOut>(IReadOnlyList<TIn>? items, string field, Func<TIn, string, TOut> check)
    {
        items ??= [];
        if (items.Count > MaxItemsPerList)
        {
            throw UseCaseException.Invalid(field, $"{field} holds at most {MaxItemsPerList} items.");
        }

        var result = new List<TOut>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                throw UseCaseException.Invalid($"{field}[{i}]", $"{field}[{i}] is empty.");
            }

            result.Add(check(items[i], $"{field}[{i}]"));
        }

        return result;
    }

    private static string Required(string? value, string field, string? message = null)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 0)
        {
            throw UseCaseException.Invalid(field, message ?? $"{field} is required.");
        }

        return text.Length <= ItemMaxLength ? text : throw UseCaseException.Invalid(field, $"{field} is at most {ItemMaxLength} characters.");
    }

    private static string? Optional(string? value, string field)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.Length <= ItemMaxLength ? text : throw UseCaseException.Invalid(field, $"{field} is at most {ItemMaxLength} characters.");
    }

    private static ScopeView ToView(ScopeVersion v) =>
        new(v.Number, v.CreatedAt, v.AuthorName, v.ChangeNote, v.Statement, JsonSerializer.Deserialize<ScopeLists>(v.ListsJson, Json) ?? ScopeLists.Empty);
}
