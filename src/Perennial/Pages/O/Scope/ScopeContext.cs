using Perennial.OrganisationContext;

namespace Perennial.Pages.O.Scope;

/// <summary>
/// The context register a scope version rests on: the entries in force when the version was saved,
/// and what changed in the register since, so a manager sees when the scope needs another look.
/// </summary>
public sealed record ScopeContext(string Slug, DateTimeOffset SavedAt, IReadOnlyList<ContextChange> AtVersion, IReadOnlyList<ContextChange> Since)
{
    public static async Task<ScopeContext> LoadAsync(ContextRegister register, Guid organisationId, string slug, DateTimeOffset savedAt, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        return new ScopeContext(slug, savedAt, await register.AsOfAsync(organisationId, savedAt, ct),
            savedAt < now ? await register.ChangesAsync(organisationId, savedAt, now, ct) : []);
    }
}
