using Perennial.Organisations;

namespace Perennial.Frameworks;

/// <summary>Every organisation starts with the built-in ISO/IEC 27001:2022 catalog.</summary>
internal sealed class IsoCatalogSetup(FrameworkService frameworks) : IOrganisationSetup
{
    public async Task SetUpAsync(Guid organisationId, CancellationToken ct) =>
        await frameworks.EnsureIsoCatalogAsync(organisationId, ct);
}
